// A tiny static file server for the browser tests: the repository root, read-only, on
// 127.0.0.1 at an ephemeral port. Browsers load ES modules and WebAssembly only over HTTP with
// the right MIME types (file: URLs refuse module imports, and `WebAssembly.instantiateStreaming`
// insists on application/wasm), so the page must come from a server.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, resolve, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
};

/**
 * Serves `root`. `isolate` adds the cross-origin-isolation headers (COOP same-origin, COEP
 * require-corp) that SharedArrayBuffer and threads need, to check the package works under them;
 * `cors` lets pages of any origin load the files, as a CDN does. Resolves to `{url, close}`;
 * `url` ends with a slash.
 */
export async function startServer({ root, isolate = false, cors = false }) {
  const base = resolve(root);
  const server = createServer(async (request, response) => {
    const headers = { 'cache-control': 'no-store' };
    if (isolate) {
      headers['cross-origin-opener-policy'] = 'same-origin';
      headers['cross-origin-embedder-policy'] = 'require-corp';
    }
    if (cors) headers['access-control-allow-origin'] = '*';
    const fail = (status, text) => {
      response.writeHead(status, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      response.end(text);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return fail(405, 'read-only');
    let path;
    try {
      path = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
    } catch {
      return fail(400, 'bad path');
    }
    // URL parsing already folds `..` segments, but an encoded one (%2e%2e, %2f) survives it:
    // refuse anything that resolves outside the root, and NUL bytes.
    const file = resolve(base, `.${path}`);
    if (path.includes('\0') || (file !== base && !file.startsWith(base + sep))) {
      return fail(403, 'outside the root');
    }
    let info;
    try {
      info = await stat(file);
    } catch {
      return fail(404, `not found: ${path}`);
    }
    if (!info.isFile()) return fail(404, `not a file: ${path}`);
    response.writeHead(200, {
      ...headers,
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': info.size,
    });
    if (request.method === 'HEAD') return response.end();
    createReadStream(file).pipe(response);
  });
  await new Promise((done, failed) => {
    server.once('error', failed);
    server.listen(0, '127.0.0.1', done);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((done) => {
        // Keep-alive connections would hold close() open until they time out.
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
