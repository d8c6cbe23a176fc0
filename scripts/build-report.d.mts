export function firstLoadFiles(distPath: string, route?: string): string[];
export function sessionChunkFiles(distPath: string, route?: string): string[];
export function firstLoadLine(distPath: string): string;
