export function serverBundlePath(root: string): string;
export function ensureServerBundle(root: string): string;
