export const BUNDLE_BUDGET_BYTES: number;
export interface BundleScript {
  src: string;
  bytes: number;
  gzipBytes: number;
}
export interface BundleReport {
  page: string;
  scripts: (BundleScript & { noModule: boolean })[];
  sessionScripts: BundleScript[];
  firstLoadBytes: number;
  firstLoadGzipBytes: number;
  sessionGzipBytes: number;
  totalGzipBytes: number;
  noModuleGzipBytes: number;
  budgetBytes: number;
  ok: boolean;
}
export function scriptSources(html: string, pageUrl: string): { src: string; noModule: boolean }[];
export function lazyChunkPaths(scriptText: string): string[];
export function checkBundle(baseUrl: string, budgetBytes?: number): Promise<BundleReport>;
export function formatReport(r: BundleReport): string;
