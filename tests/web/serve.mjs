// A small static server for the built page (dist/): every path that is not a
// file gets index.html (the page routes /check/<domain> itself), and
// /geleit-config.json is served from GELEIT_WEB_CONFIG when that is set
// (the lab's DoH endpoint and trust anchor for `make demo` and the browser tests).
//
// Usage: node tests/web/serve.mjs [dist] [port] [host]   (prints the URL)
// `headers` (optional) are added to every page and file response (the widget
// test serves its demo with a Content-Security-Policy this way).
// `options.gzip`: files whose type a release's reverse proxy compresses
// (hosting/nginx.conf `gzip_types`) are sent gzip-compressed (level 9, as the
// size figures) to clients that accept it (bench/phone.mjs: bytes on a slow link).
// GELEIT_WEB_UPSTREAM=<unix socket> or http://HOST:PORT (a local edge): /dns-query and
// /api/* are passed to it.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
};

const COMPRESSED = new Set(['.wasm', '.js', '.json', '.css', '.svg', '.webmanifest', '.html']);

export function serve(root, port, host, configFile, upstreamSocket, headers = {}, options = {}) {
  const rootAbs = path.resolve(root);
  const gzipped = new Map(); // file -> [mtime, bytes]
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (upstreamSocket && (url.pathname === '/dns-query' || url.pathname.startsWith('/api/'))) {
      // `make demo`: DoH and probes go to the lab through a unix socket (tests/web/bridge.mjs).
      const target = upstreamSocket.startsWith('http://')
        ? (() => { const u = new URL(upstreamSocket); return { host: u.hostname, port: u.port }; })()
        : { socketPath: upstreamSocket };
      const up = http.request({ ...target, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      });
      up.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
      req.pipe(up);
      return;
    }
    if (url.pathname === '/geleit-config.json') {
      if (configFile && fs.existsSync(configFile)) {
        res.writeHead(200, { ...headers, 'content-type': TYPES['.json'], 'cache-control': 'no-store' });
        res.end(fs.readFileSync(configFile));
      } else {
        res.writeHead(404); res.end();
      }
      return;
    }
    let file = path.join(rootAbs, decodeURIComponent(url.pathname));
    if (!file.startsWith(rootAbs) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      file = path.join(rootAbs, 'index.html');
    }
    const head = { ...headers, 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' };
    // The service worker (scope /, so no Service-Worker-Allowed) and the app
    // shell are revalidated on every visit: a new build is seen at once.
    if (file.endsWith(`${path.sep}sw.js`) || file.endsWith(`${path.sep}index.html`)) head['cache-control'] = 'no-cache';
    if (options.gzip && COMPRESSED.has(path.extname(file)) && /\bgzip\b/.test(req.headers['accept-encoding'] || '')) {
      const mtime = fs.statSync(file).mtimeMs;
      let hit = gzipped.get(file);
      if (!hit || hit[0] !== mtime) {
        hit = [mtime, zlib.gzipSync(fs.readFileSync(file), { level: 9 })];
        gzipped.set(file, hit);
      }
      res.writeHead(200, { ...head, 'content-encoding': 'gzip', 'content-length': hit[1].length, vary: 'accept-encoding' });
      res.end(hit[1]);
      return;
    }
    res.writeHead(200, head);
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [root = 'dist', port = '8080', host = '127.0.0.1'] = process.argv.slice(2);
  const server = await serve(root, Number(port), host, process.env.GELEIT_WEB_CONFIG, process.env.GELEIT_WEB_UPSTREAM);
  const { port: p } = server.address();
  console.log(`Geleit web: http://${host}:${p}/`);
}
