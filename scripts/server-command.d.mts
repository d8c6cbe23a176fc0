export function serverArgs(root: string, opts?: { cpus?: number }): string[];
export function serverEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
