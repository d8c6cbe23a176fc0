/**
 * Bundle budget: the first-load JavaScript of /s/<id> on the production build, gzipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM script without types
import { BUNDLE_BUDGET_BYTES, checkBundle, formatReport } from '../../scripts/check-bundle.mjs';
import type { ChildServer } from '../helpers/child';
import { startWebServer } from '../helpers/e2eServer';

interface BundleReport {
  scripts: { src: string; bytes: number; gzipBytes: number }[];
  totalGzipBytes: number;
  ok: boolean;
}

let server: ChildServer;

beforeAll(async () => {
  server = await startWebServer();
});
afterAll(async () => {
  await server?.kill('SIGTERM');
});

describe('first-load JavaScript of the session page', () => {
  it(`is at most ${(BUNDLE_BUDGET_BYTES as number) / 1024} KB gzipped`, async () => {
    const report = (await (checkBundle as (url: string) => Promise<BundleReport>)(server.url)) satisfies BundleReport;
    console.log((formatReport as (r: BundleReport) => string)(report));
    expect(report.scripts.length).toBeGreaterThan(0);
    expect(report.totalGzipBytes).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES as number);
  });
});
