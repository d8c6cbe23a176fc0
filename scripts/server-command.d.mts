export function serverArgs(root: string, opts?: { cpus?: number }): string[];
