// The front worker of a Geleit release (hosting/, copied into the release
// directory by scripts/release.sh): one origin for the web app, the widget
// and the edge. It only routes and labels bytes; every answer about a domain
// comes from the edge worker.
//   /api/*, /dns-query   -> the edge worker (service binding EDGE)
//   /widget/...          -> the <geleit-check> bundle (dist-widget/)
//   anything else        -> the web app (dist/); a path that is no file gets
//                           index.html (the app routes /check/<domain> itself),
//                           except /geleit-config.json (404 when the operator
//                           wrote none: the page then uses its defaults)
// STATIC is workerd's disk service over www/: it answers files as
// application/octet-stream and directories as a JSON listing, so the type
// comes from the file name here (a module script and streaming wasm
// compilation need their real types).
const TYPES = {
  html: 'text/html; charset=utf-8', js: 'text/javascript', mjs: 'text/javascript', wasm: 'application/wasm',
  css: 'text/css', json: 'application/json', svg: 'image/svg+xml', png: 'image/png', ico: 'image/x-icon',
  webmanifest: 'application/manifest+json', txt: 'text/plain; charset=utf-8',
};
const CONFIG = '/geleit-config.json';

function typeOf(path) {
  const dot = path.lastIndexOf('.');
  return (dot > path.lastIndexOf('/') && TYPES[path.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}

// One file from www/, or null when there is none (missing, or a directory).
async function file(env, request, path) {
  const r = await env.STATIC.fetch(new URL(path, 'http://static'), { method: request.method });
  if (r.status !== 200 || r.headers.get('content-type') === 'application/json' && !path.endsWith('.json')) return null;
  const headers = new Headers(r.headers);
  headers.set('content-type', typeOf(path));
  headers.set('x-content-type-options', 'nosniff');
  // The service worker and the app shell are revalidated on every visit: a new
  // release is seen at once. Everything else is named by its content hash
  // (Trunk) or versioned with the release.
  if (path.endsWith('/sw.js') || path.endsWith('.html') || path === CONFIG) headers.set('cache-control', 'no-cache');
  return new Response(r.body, { status: 200, headers });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const path = url.pathname;
    if (path === '/dns-query' || path.startsWith('/api/')) return env.EDGE.fetch(request);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('expected GET or HEAD\n', { status: 405, headers: { allow: 'GET, HEAD' } });
    }
    const found = await file(env, request, path.endsWith('/') ? `${path}index.html` : path);
    if (found) return found;
    if (path === CONFIG) return new Response('', { status: 404 });
    // A directory named without its slash: the widget's relative URLs need it.
    const dir = await env.STATIC.fetch(new URL(path, 'http://static'), { method: 'HEAD' });
    if (dir.status === 200 && dir.headers.get('content-type') === 'application/json' && !path.endsWith('.json')) {
      // Relative (RFC 9110 §10.2.2): behind a TLS proxy this worker sees http://.
      return new Response(null, { status: 301, headers: { location: `${path}/${url.search}` } });
    }
    return (await file(env, request, path.startsWith('/widget/') ? '/widget/index.html' : '/index.html'))
      ?? new Response('no web app in this release\n', { status: 404 });
  },
};
