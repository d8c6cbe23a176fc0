export function buildDir(): string;
export function ensureBuilt(): void;
