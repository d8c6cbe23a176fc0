/**
 * What the page gets for Node's `buffer` module. lib0 (under Yjs) names `Buffer` in its Node-only
 * base64 path, which never runs in a browser (lib0 picks its browser path by environment), and
 * the bundler answered that name with a 7 KB gz Buffer polyfill in the session chunk. Aliased in
 * next.config.js for the browser only; the server keeps Node's real Buffer. If a browser path ever
 * did call Buffer, it would fail loudly (undefined), not quietly.
 */
export const Buffer = undefined;
export default {};
