// Browser test: the installable, offline app (issue 7).
// - first visit: the service worker precaches this build; the page is installable;
// - network off (the browser's, and the server stopped too): reload, the
//   generator and matcher come from the service worker's cache and give exactly
//   what `geleit tlsa gen` gives; the checker says it needs the network (en, de)
//   and checks once the network is back;
// - update: the server switches to build B (new hashed files, new service
//   worker); the next visit runs B without clearing anything, and B alone is
//   cached afterwards (offline reload still runs B).
//
// Usage: node tests/web/offline.mjs DIST GELEIT_BIN ARTIFACT_DIR
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve } from './serve.mjs';
import { launch, runner, assert, assertEqual } from './browser.mjs';

const [dist = 'dist', geleit = 'target/debug/geleit', artifacts = 'target/web-artifacts'] = process.argv.slice(2);
fs.mkdirSync(artifacts, { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'geleit-web-offline-'));
const sh = (cmd) => execFileSync('bash', ['-c', cmd], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

// Build A is dist as built. Build B is a copy as a new build would look: every
// hashed file renamed (new hash), a marker appended to each JS module (new
// code), index.html and its integrity hashes pointing at the new files, and
// sw.js written again by the build's own step (new build id, new file list).
const buildA = path.join(tmp, 'a');
const buildB = path.join(tmp, 'b');
fs.cpSync(dist, buildA, { recursive: true });
fs.cpSync(dist, buildB, { recursive: true });
const sri = (file) => `sha384-${crypto.createHash('sha384').update(fs.readFileSync(file)).digest('base64')}`;
{
  // Trunk writes its 64-bit content hash in hex without leading zeros (here
  // 15 digits once): 12 to 16 digits, so `icon-192.png` is not taken for one.
  const hashed = /-([0-9a-f]{12,16})(?=[._])/;
  const renames = fs.readdirSync(buildB).filter((f) => hashed.test(f)).map((f) => {
    const old = f.match(hashed)[1];
    const fresh = crypto.createHash('sha256').update(`${old}B`).digest('hex').slice(0, 16);
    return [f, f.replace(old, fresh), old, fresh];
  });
  assert(renames.some(([f]) => f.endsWith('.js')), `expected hashed JS in ${dist}, found ${fs.readdirSync(dist)}`);
  const integrityBefore = new Map(renames.map(([f]) => [f, sri(path.join(buildB, f))]));
  for (const [from, to] of renames) fs.renameSync(path.join(buildB, from), path.join(buildB, to));
  const rewrite = (text) => renames.reduce((t, [, , old, fresh]) => t.split(old).join(fresh), text);
  for (const [, to] of renames.filter(([f]) => f.endsWith('.js'))) {
    const file = path.join(buildB, to);
    fs.writeFileSync(file, `${rewrite(fs.readFileSync(file, 'utf8'))}\nglobalThis.geleitTestBuild = 'B';\n`);
  }
  let index = rewrite(fs.readFileSync(path.join(buildB, 'index.html'), 'utf8'));
  for (const [from, to] of renames) index = index.split(integrityBefore.get(from)).join(sri(path.join(buildB, to)));
  fs.writeFileSync(path.join(buildB, 'index.html'), index);
  execFileSync('node', [path.resolve('frontend/pwa/precache.mjs'), buildB], { stdio: 'ignore' });
}
const buildId = (dir) => {
  const m = fs.readFileSync(path.join(dir, 'sw.js'), 'utf8').match(/const BUILD = "([0-9a-f]+)";/);
  assert(m, `${dir}/sw.js has no build id (was it written by scripts/web-build.sh?)`);
  return m[1];
};
const precacheList = (dir) => JSON.parse(fs.readFileSync(path.join(dir, 'sw.js'), 'utf8').match(/const PRECACHE = (\[.*\]);/)[1]);
const [idA, idB] = [buildId(buildA), buildId(buildB)];
assert(idA !== idB, 'builds A and B have different ids');

// The server serves whatever `current` points at: A first, then B.
const current = path.join(tmp, 'current');
fs.symlinkSync(buildA, current);
const server = await serve(current, 0, '127.0.0.1');
const { port } = server.address();
const base = `http://127.0.0.1:${port}`;
const serverDown = () => new Promise((resolve) => { server.close(resolve); server.closeAllConnections(); });
const serverUp = () => new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));

const browser = await launch();
const page = await browser.context.newPage();
const t = runner();
page.on('pageerror', (e) => console.log(`page error: ${e}`));

async function goOffline() {
  await browser.context.setOffline(true);
  await serverDown();
  assertEqual(await page.evaluate(() => navigator.onLine), false, 'navigator.onLine after going offline');
}
async function goOnline() {
  await serverUp();
  await browser.context.setOffline(false);
}
/// Polls `fn` in the page until it returns `want` (JSON-equal); fails with the last value after 20 s.
async function until(fn, arg, want, what) {
  let last;
  for (let i = 0; i < 200; i++) {
    last = await page.evaluate(fn, arg);
    if (JSON.stringify(last) === JSON.stringify(want)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: expected ${JSON.stringify(want)}, found ${JSON.stringify(last)}`);
}
const cacheState = async () => {
  const names = (await caches.keys()).filter((n) => n.startsWith('geleit-'));
  const entries = {};
  for (const n of names) entries[n] = (await (await caches.open(n)).keys()).map((r) => new URL(r.url).pathname).sort();
  return { controlled: !!navigator.serviceWorker.controller, names, entries };
};
const expectCache = (id, dir) => ({ controlled: true, names: [`geleit-${id}`], entries: { [`geleit-${id}`]: precacheList(dir).slice().sort() } });

// The same certificates as tests/web/generator.mjs: a leaf + CA chain from openssl.
sh(`openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj "/CN=Offline Test CA" \
      -addext basicConstraints=critical,CA:TRUE -keyout ca.key -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=mx.offline.example" -keyout leaf.key -out leaf.csr 2>/dev/null
    printf 'subjectAltName=DNS:mx.offline.example\\n' > ext
    openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 90 -extfile ext -out leaf.pem 2>/dev/null
    cat leaf.pem ca.pem > fullchain.pem`);
const read = (f) => fs.readFileSync(path.join(tmp, f), 'utf8');
const recordLines = (text) => text.split('\n').filter((l) => l && !l.startsWith(';'));
const cli = (...args) => execFileSync(geleit, ['tlsa', 'gen', ...args]).toString();
async function generatorMatchesCli() {
  await page.waitForSelector('#gen-input');
  await page.fill('#gen-input', read('fullchain.pem'));
  await page.waitForSelector('#gen-zone', { timeout: 10000 });
  // The block to paste (recommended) and the collapsed others, together: every record the CLI prints.
  const lines = recordLines(await page.textContent('#gen-zone')).concat(recordLines(await page.textContent('#gen-others-zone')));
  assertEqual(lines.length, 12, 'record lines');
  assertEqual(lines, recordLines(cli(path.join(tmp, 'fullchain.pem'))), 'page vs `geleit tlsa gen` record lines');
}

await t.step('first visit: manifest and service worker served with their types; the page is installable', async () => {
  const manifest = await fetch(`${base}/manifest.webmanifest`);
  assertEqual(manifest.headers.get('content-type'), 'application/manifest+json', 'manifest content type');
  const m = await manifest.json();
  assertEqual([m.start_url, m.scope, m.display, m.short_name], ['/', '/', 'standalone', 'Geleit'], 'manifest fields');
  assertEqual(m.icons.map((i) => i.sizes).sort(), ['192x192', '512x512', 'any'], 'icon sizes');
  for (const icon of m.icons) assertEqual((await fetch(`${base}${icon.src}`)).headers.get('content-type'), icon.type, `${icon.src} type`);
  const sw = await fetch(`${base}/sw.js`);
  assertEqual(sw.headers.get('content-type'), 'text/javascript', 'sw.js content type');
  assertEqual(sw.headers.get('cache-control'), 'no-cache', 'sw.js cache-control');

  await page.goto(`${base}/`);
  await page.waitForSelector('#check-input');
  await until(cacheState, null, expectCache(idA, buildA), 'service worker A controls the page and cached all of build A');
  const cdp = await browser.context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assertEqual(installabilityErrors, [], 'installability errors');
  const { url, errors } = await cdp.send('Page.getAppManifest');
  assertEqual([url, errors], [`${base}/manifest.webmanifest`, []], 'manifest as Chromium read it');
  await cdp.detach();
});

await t.step('network off: reload and the generator come from the cache, same records as `geleit tlsa gen`', async () => {
  await goOffline();
  assertEqual(await page.evaluate(() => fetch('/index.html').then(() => 'online', () => 'offline')), 'offline', 'fetch of an uncached file');
  const reload = await page.reload();
  assert(reload.fromServiceWorker(), 'the reloaded page came from the service worker');
  await page.waitForSelector('#check-input');
  await page.click('nav a[href="/generate"]');
  await generatorMatchesCli();
  // A full navigation to an app route works offline too (the cached shell).
  const nav = await page.goto(`${base}/generate`);
  assert(nav.fromServiceWorker(), '/generate came from the service worker');
  await generatorMatchesCli();
  await page.screenshot({ path: path.join(artifacts, 'offline-generator.png'), fullPage: true });
});

await t.step('network off: the matcher authenticates the recommended 3 1 1 record', async () => {
  await page.goto(`${base}/match`);
  await page.fill('#match-chain', read('fullchain.pem'));
  const rec = recordLines(cli('--recommended', '--format', 'rdata', path.join(tmp, 'fullchain.pem')))[0];
  await page.fill('#match-records', `_25._tcp.mx.offline.example. 3600 IN TLSA ${rec}`);
  await page.waitForSelector('#match-verdict[data-verdict=authenticated]');
});

await t.step('network off: the checker says it needs the network (en, de), asks nothing, checks once online', async () => {
  const dns = [];
  const onRequest = (r) => { if (new URL(r.url()).pathname === '/dns-query') dns.push(r.url()); };
  page.on('request', onRequest);
  await page.goto(`${base}/check/example.org`);
  await page.waitForSelector('#check-offline');
  const en = await page.textContent('#check-offline');
  assert(en.includes('You are offline. The checker needs the network'), `English offline message, found ${en}`);
  assert((await page.textContent('#check-waiting')).includes('example.org'), 'names the waiting domain');
  assertEqual(await page.$('#check-result'), null, 'no result (no check ran)');
  await page.selectOption('#lang', 'de');
  const de = await page.textContent('#check-offline');
  assert(de.includes('Sie sind offline. Die Prüfung braucht das Netz'), `German offline message, found ${de}`);
  await page.screenshot({ path: path.join(artifacts, 'offline-checker-de.png'), fullPage: true });
  await page.selectOption('#lang', 'en');
  assertEqual(dns, [], 'DNS queries while offline');
  // Back online: the `online` event reaches the reducer, the waiting check runs
  // (this plain server has no DoH behind /dns-query: it answers with the page,
  // not a DNS message, so the run ends with the resolver not reached, which
  // says nothing about the domain).
  await goOnline();
  await page.waitForSelector('#check-offline', { state: 'detached' });
  await page.waitForSelector('#check-verdict[data-domain="example.org"][data-verdict=resolver_unreachable]', { timeout: 30000 });
  assert(dns.length > 0, 'a DNS query went out once online');
  page.off('request', onRequest);
});

await t.step('update: with build B served, the next visit runs B without clearing anything', async () => {
  assertEqual(await page.evaluate(() => globalThis.geleitTestBuild ?? 'A'), 'A', 'build before the switch');
  fs.rmSync(current);
  fs.symlinkSync(buildB, current);
  await page.goto(`${base}/generate`);
  await page.waitForSelector('#gen-input');
  assertEqual(await page.evaluate(() => globalThis.geleitTestBuild ?? 'A'), 'B', 'build on the next visit');
  // Meanwhile the browser found the new sw.js: B installs, takes over, drops A's cache.
  await until(cacheState, null, expectCache(idB, buildB), 'service worker B controls the page and only build B is cached');
  await goOffline();
  const reload = await page.reload();
  assert(reload.fromServiceWorker(), 'offline reload came from the service worker');
  await page.waitForSelector('#gen-input');
  assertEqual(await page.evaluate(() => globalThis.geleitTestBuild ?? 'A'), 'B', 'build offline after the update');
  await generatorMatchesCli();
});

await browser.close();
await serverDown().catch(() => {});
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(t.finish());
