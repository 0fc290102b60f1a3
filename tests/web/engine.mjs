// Browser test: the app's two modules (issue 14). The first module (page,
// generator, matcher) must not wait for the engine module (the checker's
// machinery, frontend/engine/), which the first module fetches as it starts:
// - at load, the engine's two files are asked for once the first module's
//   wasm has arrived (not before: they would share its bandwidth), without
//   waiting for anything the person does;
// - engine held back: the generator gives the CLI's records at once; a check
//   asked for meanwhile says the checker is loading, and runs once it arrives;
// - engine blocked (the request aborted): the generator and matcher work; the
//   checker says plainly that it could not be loaded (en, de), sends no DNS
//   query, raises no page error; "Try again" loads it and the check runs.
// The plain server has no DoH behind /dns-query (it answers with the page),
// so a check that runs ends with the resolver not reached.
//
// Usage: node tests/web/engine.mjs DIST GELEIT_BIN ARTIFACT_DIR
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve } from './serve.mjs';
import { launch, runner, assert, assertEqual, axe } from './browser.mjs';

const [dist = 'dist', geleit = 'target/debug/geleit', artifacts = 'target/web-artifacts'] = process.argv.slice(2);
fs.mkdirSync(artifacts, { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'geleit-web-engine-'));
execFileSync('bash', ['-c', `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=mx.engine.example" -addext subjectAltName=DNS:mx.engine.example -keyout key.pem -out cert.pem 2>/dev/null`],
  { cwd: tmp });
const certPem = fs.readFileSync(path.join(tmp, 'cert.pem'), 'utf8');
const recordLines = (text) => text.split('\n').filter((l) => l && !l.startsWith(';'));
const cliRecommended = recordLines(execFileSync(geleit, ['tlsa', 'gen', '--recommended', path.join(tmp, 'cert.pem')]).toString());

const engineFiles = fs.readdirSync(dist).filter((f) => /^geleit-engine-[0-9a-f]{16}(\.js|_bg\.wasm)$/.test(f));
assertEqual(engineFiles.length, 2, `engine module files in ${dist}`);
const isEngine = (url) => /\/geleit-engine-[0-9a-f]{16}(\.js|_bg\.wasm)(\?|$)/.test(url);
const engineRoute = (url) => isEngine(url.href);

const server = await serve(dist, 0, '127.0.0.1');
const base = `http://127.0.0.1:${server.address().port}`;
// No service worker: every request goes past the routes below.
const browser = await launch({ serviceWorkers: 'block' });
const t = runner();

/// A fresh page with the engine's requests routed through `handler`; page errors are collected.
async function openPage(handler) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  if (handler) await page.route(engineRoute, handler);
  return { page, errors };
}

async function generatorGivesTheCliRecords(page) {
  await page.goto(`${base}/generate`);
  await page.fill('#gen-input', certPem);
  await page.waitForSelector('#gen-zone', { timeout: 10000 });
  assertEqual(recordLines(await page.textContent('#gen-zone')), cliRecommended, 'recommended records vs `geleit tlsa gen --recommended`');
}

await t.step('at load the engine module is fetched right after the first module, which keeps the bandwidth to itself', async () => {
  const { page, errors } = await openPage();
  await page.goto(`${base}/generate`);
  await page.waitForSelector('#gen-input');
  await page.waitForFunction(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/geleit-engine-')).length === 2);
  const timing = await page.evaluate(() => {
    const entries = performance.getEntriesByType('resource');
    const of = (re) => entries.filter((e) => re.test(new URL(e.name).pathname)).map((e) => ({ start: e.startTime, end: e.responseEnd }));
    return { engine: of(/^\/geleit-engine-/), first: of(/^\/geleit-frontend-.*_bg\.wasm$/) };
  });
  assertEqual(timing.first.length, 1, 'the first module\'s wasm was fetched once');
  for (const e of timing.engine) {
    assert(e.start >= timing.first[0].end, `engine file asked for at ${e.start} ms, after the first module's wasm arrived (${timing.first[0].end} ms)`);
  }
  assertEqual(errors, [], 'page errors');
  await page.close();
});

await t.step('engine held back: the generator works at once; a check waits, says so, and runs when it arrives', async () => {
  let release;
  const gate = new Promise((r) => { release = r; });
  const held = [];
  const { page, errors } = await openPage(async (route) => { held.push(route.request().url()); await gate; await route.continue(); });
  await generatorGivesTheCliRecords(page);
  // Not preloaded: the glue is asked for as the page starts, its wasm only once the glue is there.
  assertEqual(held.length, 1, 'the engine\'s glue was asked for and is still held back');
  assert(/\/geleit-engine-[0-9a-f]{16}\.js$/.test(held[0]), `the glue first: ${held[0]}`);
  await page.click('nav a[href="/"]');
  await page.fill('#check-input', 'example.org');
  await page.click('#check-button');
  await page.waitForSelector('#check-engine-loading');
  assert((await page.textContent('#check-engine-loading')).includes('Loading the checker'), 'says the checker is loading');
  assertEqual(await page.$('#check-result'), null, 'no result yet');
  release();
  await page.waitForSelector('#check-verdict[data-domain="example.org"][data-verdict=resolver_unreachable]', { timeout: 30000 });
  assertEqual(await page.$('#check-engine-loading'), null, 'the loading note is gone');
  assertEqual(errors, [], 'page errors');
  await page.close();
});

await t.step('engine blocked: generator and matcher work, the checker says it could not be loaded (en, de), Try again runs it', async () => {
  const blocked = [];
  const { page, errors } = await openPage((route) => { blocked.push(route.request().url()); return route.abort('blockedbyclient'); });
  const dns = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname === '/dns-query') dns.push(r.url()); });
  await generatorGivesTheCliRecords(page);
  assert(blocked.length >= 1, 'the engine was asked for and blocked');
  await page.goto(`${base}/match`);
  const rec = recordLines(execFileSync(geleit, ['tlsa', 'gen', '--recommended', '--format', 'rdata', path.join(tmp, 'cert.pem')]).toString())[0];
  await page.fill('#match-chain', certPem);
  await page.fill('#match-records', `_25._tcp.mx.engine.example. 3600 IN TLSA ${rec}`);
  await page.waitForSelector('#match-verdict[data-verdict=authenticated]');

  await page.goto(`${base}/check/example.org`);
  await page.waitForSelector('#check-engine-missing');
  const en = await page.textContent('#check-engine-missing');
  assert(en.includes('The checker could not be loaded') && en.includes('work without it'), `English words, found ${en}`);
  assertEqual(await page.$('#check-result'), null, 'no result (nothing checked)');
  assertEqual(await page.$('#check-engine-loading'), null, 'no endless "loading"');
  assertEqual(await page.isDisabled('#check-button'), false, 'the check button does not wait forever');
  await page.waitForFunction(() => document.querySelector('[role=status]').textContent.includes('could not be loaded'));
  await axe(page, 'checker, engine missing');
  await page.selectOption('#lang', 'de');
  const de = await page.textContent('#check-engine-missing');
  assert(de.includes('Die Prüfung konnte nicht geladen werden'), `German words, found ${de}`);
  await page.screenshot({ path: path.join(artifacts, 'engine-missing-de.png'), fullPage: true });
  await page.selectOption('#lang', 'en');
  assertEqual(dns, [], 'DNS queries without the engine');

  await page.unroute(engineRoute);
  await page.click('#check-engine-retry');
  await page.waitForSelector('#check-verdict[data-domain="example.org"][data-verdict=resolver_unreachable]', { timeout: 30000 });
  assertEqual(await page.$('#check-engine-missing'), null, 'the notice is gone once the engine is there');
  assert(dns.length > 0, 'the check asked DNS once the engine was there');
  assertEqual(errors, [], 'page errors');
  await page.close();
});

await browser.close();
await new Promise((r) => server.close(r));
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(t.finish());
