/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Build output directory; MOBFLOW_DIST_DIR lets parallel test runs keep separate builds.
  distDir: process.env.MOBFLOW_DIST_DIR || '.next',
  // One copy of yjs on the server (the custom server already loaded it).
  serverExternalPackages: ['yjs', 'y-websocket', 'y-protocols', 'lib0', 'better-sqlite3'],
  allowedDevOrigins: ['127.0.0.1', 'localhost'],
  // Types are checked once for the whole repo by `npm run typecheck` (CI runs it before building).
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
