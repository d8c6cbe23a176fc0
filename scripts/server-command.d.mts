export const LAUNCHER_TRICKS: readonly string[];
export function serverArgs(root: string, opts?: { cpus?: number; without?: readonly string[]; bundle?: string }): string[];
export function serverEnv(env: Record<string, string | undefined>, opts?: { without?: readonly string[] }): NodeJS.ProcessEnv;
