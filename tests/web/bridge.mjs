// Runs inside the lab's network namespace for `make demo`: listens on a unix
// socket (files cross namespaces, sockets on lo do not) and passes each
// request on to the lab: /dns-query to its DoH endpoint (GELEIT_DOH), /api/*
// to a lab edge (GELEIT_EDGE) when one runs.
//
// Usage: tests/lab/in node tests/web/bridge.mjs SOCKET
import http from 'node:http';
import fs from 'node:fs';

const [socket] = process.argv.slice(2);
const doh = new URL(process.env.GELEIT_DOH);
const edge = process.env.GELEIT_EDGE ? new URL(process.env.GELEIT_EDGE) : null;
if (fs.existsSync(socket)) fs.unlinkSync(socket);
http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const target = url.pathname === '/dns-query' ? doh : edge;
  if (!target) { res.writeHead(503, { 'content-type': 'application/json' }); res.end('{"error":{"code":"no_edge","message":"no edge runs in the lab demo"}}'); return; }
  const headers = { ...req.headers, host: target.host };
  const path = url.pathname === '/dns-query' ? doh.pathname + url.search : req.url;
  const up = http.request({ host: target.hostname, port: target.port, path, method: req.method, headers }, (r) => {
    res.writeHead(r.statusCode, r.headers);
    r.pipe(res);
  });
  up.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
  req.pipe(up);
}).listen(socket, () => console.log(`bridge: ${socket} -> ${doh.origin}${edge ? ` and ${edge.origin}` : ''}`));
