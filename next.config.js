/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // One copy of yjs on the server (the custom server already loaded it).
  serverExternalPackages: ['yjs', 'y-websocket', 'y-protocols', 'lib0', 'better-sqlite3'],
  allowedDevOrigins: ['127.0.0.1', 'localhost'],
};

export default nextConfig;
