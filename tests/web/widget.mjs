// Browser test of the <geleit-check> widget (widget/, built by widget/build.sh
// into dist-widget/) against the lab and a lab edge: run inside the lab
// namespace (tests/lab/in), which exports GELEIT_DOH and GELEIT_TRUST_ANCHOR,
// with GELEIT_EDGE (a running edge, `edge/run.sh --lab`: its /api/check
// validates from the lab's anchor).
//   - the demo help pages (English, German), two widgets each in default mode
//     (the edge's /api/check): a full one and a compact one with a preset
//     domain; verdicts, findings, events; the engine module is never loaded;
//   - widgets with `doh` (the lab's DoH) and `anchor` load the engine module
//     once and check in the browser, with the same verdict JSON as default
//     mode, and ask the edge to probe the addresses they validated (addr=);
//     an unreachable edge is said in words; an unreachable DoH resolver (the
//     page's, or the edge's behind /api/check) is a neutral state with Retry;
//   - host-page CSS that styles div, input and button (and everything that
//     inherits) does not change the widget: computed styles and a screenshot
//     with and without it;
//   - served with the Content-Security-Policy widget/README.md documents, the
//     demo works and reports no violation (and without 'wasm-unsafe-eval' it
//     does report one: the policy is enforced); the in-browser engine works
//     under the same policy.
//
// Usage: tests/lab/in env GELEIT_EDGE=http://127.0.0.1:8787 node tests/web/widget.mjs DIST_WIDGET ARTIFACT_DIR
import fs from 'node:fs';
import zlib from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { serve } from './serve.mjs';
import { launch, runner, assert, assertEqual, axe } from './browser.mjs';

const [dist = 'dist-widget', artifacts = 'target/web-artifacts'] = process.argv.slice(2);
fs.mkdirSync(artifacts, { recursive: true });
const doh = process.env.GELEIT_DOH;
const anchorFile = process.env.GELEIT_TRUST_ANCHOR;
if (!doh || !anchorFile) {
  console.error('widget.mjs: run inside the lab (tests/lab/in), which sets GELEIT_DOH and GELEIT_TRUST_ANCHOR');
  process.exit(2);
}
const edge = process.env.GELEIT_EDGE || '';
if (!edge) {
  console.error('widget.mjs: needs GELEIT_EDGE (a lab edge: the default mode asks its /api/check)');
  process.exit(2);
}
const anchor = fs.readFileSync(anchorFile, 'utf8');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'geleit-widget-'));
const config = path.join(tmp, 'geleit-config.json');
// Default mode: no doh; the edge validates from its own anchor (the lab's, edge/run.sh --lab).
fs.writeFileSync(config, JSON.stringify({ doh: '', edge, anchor: '' }));

// The policy widget/README.md documents, for a page whose widget files are on its own origin.
const origins = [...new Set([new URL(doh).origin, new URL(edge).origin])].join(' ');
const policy = (script) => [
  "default-src 'none'", `script-src ${script}`, `connect-src 'self' ${origins}`, "style-src 'self'",
  "img-src 'self'", "base-uri 'none'", "form-action 'none'", "object-src 'none'", "require-trusted-types-for 'script'",
].join('; ');

// Pages for the isolation test: the same widget with and without hostile CSS.
const iso = path.join(tmp, 'site');
fs.cpSync(dist, iso, { recursive: true });
fs.writeFileSync(path.join(iso, 'iso.css'), 'body { margin: 0 } #box { width: 640px; padding: 16px }\n');
fs.writeFileSync(path.join(iso, 'hostile.css'), `
:root { --bg: red; --fg: lime; --acc: orange; --line: magenta; }
body { font: italic 26px/3 "Comic Sans MS", cursive; color: purple; letter-spacing: 3px; word-spacing: 9px;
  text-transform: uppercase; text-align: right; text-shadow: 2px 2px 2px red; cursor: wait; direction: ltr; }
div, input, button { all: unset !important; display: inline !important; font: bold 30px/4 serif !important;
  color: red !important; background: yellow !important; border: 5px dashed green !important;
  padding: 20px !important; margin: 10px !important; text-transform: uppercase !important;
  letter-spacing: 4px !important; width: 50px !important; box-sizing: content-box !important; visibility: visible !important; }
`);
const isoPage = (hostile) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<link rel="stylesheet" href="iso.css">${hostile ? '<link rel="stylesheet" href="hostile.css">' : ''}
<script type="module" src="geleit-check.js"></script></head>
<body><section id="box"><div><geleit-check id="w" domain="nsec3-no-tlsa.example" config="/geleit-config.json"></geleit-check></div>
<div><input value="host input"> <button>host button</button></div></section></body></html>`;
fs.writeFileSync(path.join(iso, 'plain.html'), isoPage(false));
fs.writeFileSync(path.join(iso, 'hostile.html'), isoPage(true));
// Both modes on one page: the same domain through the edge and in the browser (doh + anchor),
// a second in-browser widget (the engine is loaded once), and an edge that does not answer.
const attr = (v) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
const local = `doh="${attr(doh)}" anchor="${attr(anchor)}" edge="${attr(edge)}"`;
fs.writeFileSync(path.join(iso, 'modes.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8">
<script type="module" src="geleit-check.js"></script></head><body>
<geleit-check id="edge-good" domain="ee-spki.example" config="/geleit-config.json"></geleit-check>
<geleit-check id="local-good" domain="ee-spki.example" ${local}></geleit-check>
<geleit-check id="edge-stale" domain="ee-stale.example" config="/geleit-config.json"></geleit-check>
<geleit-check id="local-stale" compact domain="ee-stale.example" ${local}></geleit-check>
<geleit-check id="down" domain="ee-spki.example" edge="http://127.0.0.1:65534"></geleit-check>
<geleit-check id="doh-down" domain="ee-spki.example" doh="http://127.0.0.1:65533/dns-query" anchor="${attr(anchor)}" edge="${attr(edge)}"></geleit-check>
</body></html>`);

const server = await serve(dist, 0, '127.0.0.1', config);
const base = `http://127.0.0.1:${server.address().port}`;
const isoServer = await serve(iso, 0, '127.0.0.1', config);
const isoBase = `http://127.0.0.1:${isoServer.address().port}`;
const strictServer = await serve(dist, 0, '127.0.0.1', config, undefined, {
  'content-security-policy': policy("'self' 'wasm-unsafe-eval'"),
});
const strictBase = `http://127.0.0.1:${strictServer.address().port}`;
const noWasmServer = await serve(dist, 0, '127.0.0.1', config, undefined, { 'content-security-policy': policy("'self'") });
const noWasmBase = `http://127.0.0.1:${noWasmServer.address().port}`;
const strictIsoServer = await serve(iso, 0, '127.0.0.1', config, undefined, {
  'content-security-policy': policy("'self' 'wasm-unsafe-eval'").replace("connect-src 'self' ", "connect-src 'self' http://127.0.0.1:65534 http://127.0.0.1:65533 "),
});
const strictIsoBase = `http://127.0.0.1:${strictIsoServer.address().port}`;

const browser = await launch();
const t = runner();
// Every page records the widgets' events and any CSP violation, from before its first script.
await browser.context.addInitScript(() => {
  window.__results = [];
  window.__csp = [];
  document.addEventListener('geleit-result', (e) => window.__results.push({ id: e.target.id, detail: e.detail }));
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.effectiveDirective} ${e.blockedURI}`));
});
let page = await browser.context.newPage();
const errors = [];
// Every file the pages fetch: default mode must never load the engine module.
const requests = [];
const engineLoads = () => requests.filter((u) => u.includes('geleit_app_engine'));
const watch = (p) => {
  p.on('request', (r) => requests.push(r.url()));
  p.on('pageerror', (e) => { errors.push(String(e)); console.log(`page error: ${e}`); });
  p.on('console', (m) => { if (m.type() === 'error') console.log(`console: ${m.text()}`); });
};
watch(page);
const shot = (name, p = page) => p.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });

/// Waits for widget `id`'s `geleit-result` about `domain`; returns its detail.
async function result(id, domain, p = page) {
  const handle = await p.waitForFunction(
    ([id, domain]) => window.__results.findLast((r) => r.id === id && r.detail.domain === domain)?.detail,
    [id, domain], { timeout: 20000 });
  return handle.jsonValue();
}
/// Checks `domain` in the full widget through its form.
async function check(domain, p = page) {
  const before = await p.evaluate(() => window.__results.length);
  await p.fill('#check-full input', domain);
  await p.click('#check-full button');
  await p.waitForFunction((n) => window.__results.length > n, before, { timeout: 20000 });
  return result('check-full', domain, p);
}
const hostStates = (p = page) =>
  p.$$eval('#check-full >> css=li.host', (els) => els.map((e) => [e.dataset.host, e.dataset.state]));
const findingCodes = () => page.$$eval('#check-full >> css=.finding', (els) => els.map((e) => e.dataset.code));
/// Decodes a PNG as Chromium writes it (8-bit RGB or RGBA, not interlaced).
function png(buf) {
  let i = 8, w = 0, h = 0, bpp = 4;
  const idat = [];
  while (i < buf.length) {
    const len = buf.readUInt32BE(i);
    const type = buf.toString('ascii', i + 4, i + 8);
    const d = buf.subarray(i + 8, i + 8 + len);
    if (type === 'IHDR') { w = d.readUInt32BE(0); h = d.readUInt32BE(4); bpp = d[9] === 6 ? 4 : 3; }
    if (type === 'IDAT') idat.push(d);
    i += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = w * bpp;
  const px = Buffer.alloc(h * stride);
  for (let y = 0; y < h; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const r = raw[y * (stride + 1) + 1 + x];
      const a = x >= bpp ? px[y * stride + x - bpp] : 0;
      const b = y > 0 ? px[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? px[(y - 1) * stride + x - bpp] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      px[y * stride + x] = (r + [0, a, b, (a + b) >> 1, paeth][filter]) & 255;
    }
  }
  return { w, h, bpp, px };
}

/// Pixels that differ between two screenshots, and the largest channel difference.
function pictureDiff(one, two) {
  const [a, b] = [png(one), png(two)];
  if (a.w !== b.w || a.h !== b.h) return { size: `${a.w}x${a.h} vs ${b.w}x${b.h}`, pixels: a.w * a.h, max: 255 };
  let pixels = 0, max = 0;
  for (let i = 0; i < a.w * a.h; i++) {
    let d = 0;
    for (let k = 0; k < 3; k++) d = Math.max(d, Math.abs(a.px[i * a.bpp + k] - b.px[i * b.bpp + k]));
    if (d > 0) pixels++;
    max = Math.max(max, d);
  }
  return { pixels, max, total: a.w * a.h };
}

const good = 'authenticated';

await t.step('English demo: two widgets, the compact one checks its preset domain', async () => {
  await page.goto(`${base}/demo/en.html`);
  const d = await result('check-compact', 'two-mx.example');
  assertEqual(d.verdict, 'not_authenticated', 'compact verdict');
  assertEqual(await page.getAttribute('#check-compact >> css=p.line', 'data-verdict'), d.verdict, 'compact line');
  assertEqual(await page.getAttribute('#check-compact >> css=a.report', 'href'), `${edge}/check/two-mx.example`, 'report link');
  assertEqual(await page.textContent('#check-compact >> css=a.report'), 'Full report', 'link text');
  assertEqual(await page.locator('#check-compact >> css=form').count(), 0, 'a compact widget with a domain has no form');
  assertEqual(await page.locator('#check-compact >> css=.finding').count(), 0, 'compact: no findings listed');
  assert(d.findings.some((f) => f.code === 'tlsa_no_match' && f.host === 'mx2.two-mx.example'), JSON.stringify(d.findings));
  assertEqual(Object.keys(d), ['domain', 'domain_unicode', 'verdict', 'tone', 'authenticated', 'headline', 'summary', 'lang', 'report', 'findings', 'result'], 'event fields');
  assertEqual(d.tone, 'error', 'tone: the core\'s severity scale');
  assert(d.summary.includes('Affected: mx2.two-mx.example.'), `failing host named: ${d.summary}`);
  // The whole core verdict, as the edge sent it (what `geleit check --json` prints).
  assertEqual(d.result.domain, 'two-mx.example.', 'verdict JSON: domain');
  assertEqual(d.result.verdict, 'not_authenticated', 'verdict JSON: verdict');
  assertEqual(d.result.hosts.map((h) => h.host), ['mx1.two-mx.example.', 'mx2.two-mx.example.'], 'verdict JSON: hosts');
  assertEqual(await page.textContent('#check-full >> css=button'), 'Check', 'full widget form');
});

await t.step('full widget: a good domain is authenticated, the host page gets the event', async () => {
  const d = await check('ee-spki.example');
  assertEqual(d.verdict, good, 'event verdict');
  assertEqual(d.authenticated, true, 'event authenticated');
  assertEqual(d.result.authenticated, true, 'verdict JSON authenticated');
  assertEqual(d.lang, 'en', 'event language');
  assertEqual(await page.getAttribute('#check-full >> css=.result', 'data-verdict'), good, 'shown verdict');
  assertEqual(await hostStates(), [['mx.ee-spki.example.', good]], 'host states');
  assertEqual(await page.textContent('#check-full >> css=.headline'), 'The MX host authenticates', 'headline: one MX host');
  assertEqual(await page.getAttribute('#check-full >> css=.headline', 'class'), 'badge ok headline', 'tone');
  await page.waitForFunction(() => document.getElementById('log').textContent.includes('ee-spki.example: '));
  assert((await page.textContent('#log')).includes(`ee-spki.example: ${good}`), 'host page log');
  // The compact widget kept its own result.
  assertEqual(await page.getAttribute('#check-compact >> css=p.line', 'data-domain'), 'two-mx.example', 'other widget untouched');
  await shot('widget-en-good');
});

await t.step('full widget: a broken DNSSEC scenario shows its finding and fix', async () => {
  const d = await check('bogus-expired.example');
  assertEqual(d.verdict, 'deferred', 'verdict');
  assert(d.findings.some((f) => f.code === 'dnssec_bogus'), JSON.stringify(d.findings));
  assert((await findingCodes()).includes('dnssec_bogus'), 'finding shown');
  const text = await page.textContent('#check-full >> css=.finding[data-code=dnssec_bogus]');
  assert(text.includes('re-sign the zone'), `fix in: ${text}`);
  assert(text.includes('expired'), `failing link in: ${text}`);
  // Bogus DNSSEC is an error (red), never a plain box.
  assertEqual(await page.getAttribute('#check-full >> css=.headline', 'class'), 'badge error headline', 'tone');
  await axe(page, 'widget, DNSSEC bogus');
  await shot('widget-en-bogus-expired');
});

await t.step('full widget: a stale TLSA record (probe by the edge) shows tlsa_no_match', async () => {
  const d = await check('ee-stale.example');
  assertEqual(d.verdict, 'not_authenticated', 'verdict');
  const text = await page.textContent('#check-full >> css=.finding[data-code=tlsa_no_match]');
  assert(text.includes('IN TLSA 3 1 1 '), `suggested record in: ${text}`);
  // The first fix with its record, right under the verdict line.
  const first = await page.textContent('#check-full >> css=.first-fix');
  assert(first.startsWith('Fix this first at mx.ee-stale.example') && first.includes('_25._tcp.mx.ee-stale.example. IN TLSA 3 1 1 '), `first fix: ${first}`);
  await axe(page, 'widget, not authenticated with the first fix');
  assertEqual(engineLoads(), [], 'default mode never loads the engine module');
  assert(requests.some((u) => u.startsWith(`${edge}/api/check?domain=ee-stale.example`)), 'asked the edge');
  assert(!requests.some((u) => u.includes('/dns-query') || u.includes('/api/probe')), 'no DoH or probe requests');
});

await t.step('full widget, default mode: TLSRPT and MTA-STS beside DANE, in the words the edge sent (view=en)', async () => {
  const d = await check('ee-fullcert.example');
  const policy = await page.$$eval('#check-full >> css=.policy .finding', (els) => els.map((e) => e.dataset.code));
  assertEqual(policy.sort(), ['dane_takes_precedence', 'sts_policy_active', 'tls_rpt_published'], 'policy findings');
  assert(requests.some((u) => u.startsWith(`${edge}/api/check?domain=ee-fullcert.example&view=en`)), 'asked the edge for English words');
  assert(d.result.mail_policy && Array.isArray(d.result.mail_policy.findings), 'the verdict JSON in the event carries mail_policy');
  assertEqual(engineLoads(), [], 'default mode never loads the engine module');
  await axe(page, 'widget, mail policy');
});

await t.step('full widget, default mode: one host named directly ([host], no MX lookup) is checked by the edge', async () => {
  const before = await page.evaluate(() => window.__results.length);
  await page.fill('#check-full input', '[mx.ee-spki.example]');
  await page.click('#check-full button');
  await page.waitForFunction((n) => window.__results.length > n, before, { timeout: 20000 });
  const d = await result('check-full', 'mx.ee-spki.example');
  assertEqual(d.verdict, 'authenticated', 'verdict');
  assertEqual(d.result.mx_outcome, 'direct', 'verdict JSON: no MX lookup');
  assertEqual(d.report.endsWith('/check/%5Bmx.ee-spki.example%5D'), true, `report link: ${d.report}`);
  assert(requests.some((u) => u.startsWith(`${edge}/api/check?domain=%5Bmx.ee-spki.example%5D&view=en`)), 'asked the edge for the host');
});

await t.step('full widget: input that is no domain gets a message and no event', async () => {
  const before = await page.evaluate(() => window.__results.length);
  await page.fill('#check-full input', 'not a domain!');
  await page.click('#check-full button');
  await page.waitForSelector('#check-full >> css=.problem');
  assert((await page.textContent('#check-full >> css=.problem')).includes('is not a valid domain name'), 'message');
  assertEqual(await page.evaluate(() => window.__results.length), before, 'no event');
  await page.fill('#check-full input', '127.0.1.1');
  await page.click('#check-full button');
  await page.waitForFunction(() => document.querySelector('#check-full').shadowRoot.querySelector('.problem').textContent.includes('IP address'));
  await axe(page, 'widget, a problem');
});

await t.step('German demo: German words, dark compact widget, auto theme follows the color scheme', async () => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(`${base}/demo/de.html`);
  await result('check-compact', 'two-mx.example');
  assertEqual(await page.textContent('#check-compact >> css=a.report'), 'Ausführlicher Bericht', 'link text');
  assertEqual(await page.textContent('#check-full >> css=button'), 'Prüfen', 'button');
  const d = await check('bogus-tlsa-sig.example');
  assertEqual(d.verdict, 'deferred', 'verdict');
  assertEqual(d.lang, 'de', 'event language');
  assert((await page.textContent('#check-full >> css=.headline')).startsWith('DNSSEC-Fehler'), 'German headline');
  assert((await page.textContent('#check-full >> css=.finding[data-code=dnssec_bogus]')).includes('Abhilfe:'), 'German fix');
  assert(requests.some((u) => u.includes('/api/check?domain=bogus-tlsa-sig.example&view=de')), 'asked the edge for German words');
  const bg = (id) => page.$eval(`#${id} >> css=.w`, (e) => getComputedStyle(e).backgroundColor);
  assertEqual(await bg('check-compact'), 'rgb(13, 17, 23)', 'theme=dark');
  assertEqual(await bg('check-full'), 'rgb(255, 255, 255)', 'theme=auto, light scheme');
  await shot('widget-de-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  assertEqual(await bg('check-full'), 'rgb(13, 17, 23)', 'theme=auto, dark scheme');
  await shot('widget-de-dark');
  await page.emulateMedia({ colorScheme: 'light' });
});

await t.step('host CSS for div, input, button and inherited properties does not change the widget', async () => {
  const props = ['display', 'font-family', 'font-size', 'font-style', 'font-weight', 'line-height', 'color',
    'background-color', 'border-top-style', 'border-top-width', 'border-top-color', 'padding-top', 'padding-left',
    'margin-top', 'margin-bottom', 'width', 'height', 'text-transform', 'letter-spacing', 'word-spacing',
    'text-align', 'text-shadow', 'box-sizing', 'cursor', 'visibility'];
  const look = async (file) => {
    await page.goto(`${isoBase}/${file}`);
    await result('w', 'nsec3-no-tlsa.example');
    const styles = await page.$eval('#w', (host, props) => {
      const all = [host, ...host.shadowRoot.querySelectorAll('*')];
      return all.map((e) => {
        const cs = getComputedStyle(e);
        return [e.tagName.toLowerCase() + (e.className ? `.${e.className}` : ''), ...props.map((p) => cs.getPropertyValue(p))];
      });
    }, props);
    // The widget's own pixels: its box without the rounded corners, where the host page shows through.
    const box = await page.locator('#w').boundingBox();
    const clip = { x: box.x + 8, y: box.y + 8, width: box.width - 16, height: box.height - 16 };
    // The whole page (clip in page coordinates): the hostile page sets the widget lower, and a
    // result with its mail-policy section does not fit the viewport there.
    const picture = await page.screenshot({ clip, fullPage: true, path: path.join(artifacts, `widget-${file.replace('.html', '')}.png`) });
    const hostInput = await page.$eval('#box input', (e) => getComputedStyle(e).backgroundColor);
    return { styles, picture, hostInput };
  };
  const plain = await look('plain.html');
  const hostile = await look('hostile.html');
  assertEqual(hostile.hostInput, 'rgb(255, 255, 0)', 'the hostile CSS applies to the host page');
  assert(plain.styles.length > 10, `widget elements: ${plain.styles.length}`);
  for (let i = 0; i < plain.styles.length; i++) {
    for (let j = 1; j < plain.styles[i].length; j++) {
      if (plain.styles[i][j] !== hostile.styles[i][j]) {
        throw new Error(`${plain.styles[i][0]} ${props[j - 1]}: ${plain.styles[i][j]} without, ${hostile.styles[i][j]} with hostile CSS`);
      }
    }
  }
  assertEqual(hostile.styles.length, plain.styles.length, 'same elements');
  // Equal up to anti-aliasing: the widget sits at another (sub)pixel offset on the hostile page,
  // which shifts the edges of rounded borders by a shade; anything the hostile CSS really
  // changed (colours, fonts, sizes) differs by far more and in far more pixels.
  const diff = pictureDiff(plain.picture, hostile.picture);
  assert(diff.max <= 24 && diff.pixels <= diff.total / 1000,
    `screenshots differ: ${JSON.stringify(diff)} (target/web-artifacts/widget-plain.png, widget-hostile.png)`);
});

await t.step('strict CSP (documented sources only): the demo works, no violation', async () => {
  page = await browser.context.newPage();
  watch(page);
  const response = await page.goto(`${strictBase}/demo/en.html`);
  assert((response.headers()['content-security-policy'] || '').includes("'wasm-unsafe-eval'"), 'served with the CSP');
  const d = await result('check-compact', 'two-mx.example');
  assertEqual(d.verdict, 'not_authenticated', 'compact verdict under CSP');
  const full = await check('ee-spki.example');
  assertEqual(full.verdict, good, 'full widget verdict under CSP');
  assertEqual(engineLoads(), [], 'the demo pages (default mode) never loaded the engine module');
  assertEqual(await page.evaluate(() => window.__csp), [], 'CSP violations');
  await shot('widget-en-csp');
});

/// The verdict JSON without what legitimately differs between two runs: the DNS
/// rounds and query counts (the edge asks a round's queries at once, cached answers).
const comparable = (v) => { const { rounds, queries, ...rest } = v; return rest; };

await t.step('doh + anchor: the engine module is loaded once and gives the same verdict JSON as the edge', async () => {
  const p = await browser.context.newPage();
  watch(p);
  const before = engineLoads().length;
  await p.goto(`${strictIsoBase}/modes.html`);
  const viaEdge = await result('edge-good', 'ee-spki.example', p);
  const inPage = await result('local-good', 'ee-spki.example', p);
  assertEqual(inPage.verdict, 'authenticated', 'in-browser verdict');
  assertEqual(comparable(inPage.result), comparable(viaEdge.result), 'verdict JSON, browser vs edge (ee-spki)');
  const staleEdge = await result('edge-stale', 'ee-stale.example', p);
  const staleLocal = await result('local-stale', 'ee-stale.example', p);
  assertEqual(staleLocal.verdict, 'not_authenticated', 'in-browser verdict (stale)');
  assertEqual(comparable(staleLocal.result), comparable(staleEdge.result), 'verdict JSON, browser vs edge (ee-stale)');
  assertEqual(staleLocal.findings, staleEdge.findings, 'findings in words');
  // The engine asks the edge to probe the addresses it validated, with the SNI; no name to resolve again.
  const probes = requests.map((u) => new URL(u)).filter((u) => u.pathname === '/api/probe');
  assert(probes.length >= 2, `probe requests: ${probes.map((u) => u.search)}`);
  for (const u of probes) {
    const q = u.searchParams;
    assert(q.getAll('addr').length > 0, `expected addr= in ${u.search}`);
    assert(q.getAll('addr').every((a) => /^[0-9.]+$/.test(a) || a.includes(':')), `addresses in ${u.search}`);
    assertEqual([q.get('sni'), q.get('port')], [q.get('host'), '25'], `SNI and port in ${u.search}`);
  }
  const loads = engineLoads().slice(before);
  assertEqual(loads.filter((u) => u.endsWith('.wasm')).length, 1, `engine wasm fetched once: ${loads}`);
  assertEqual(loads.filter((u) => u.endsWith('.js')).length, 1, `engine glue fetched once: ${loads}`);
  // The edge that does not answer: said in words, event with verdict failed.
  const down = await result('down', 'ee-spki.example', p);
  assertEqual([down.verdict, down.result], ['failed', null], 'unreachable edge');
  assertEqual(down.summary, 'The checking service could not be reached. Please try again later.', 'words');
  assertEqual(await p.textContent('#down >> css=.summary'), down.summary, 'shown');
  // A DoH resolver that cannot be reached: the neutral state, never a DNSSEC failure of the domain.
  const dohDown = await result('doh-down', 'ee-spki.example', p);
  assertEqual([dohDown.verdict, dohDown.authenticated, dohDown.result], ['resolver_unreachable', false, null], 'unreachable resolver');
  // What failed, in words: the core's count and the driver's last DoH failure.
  assert(dohDown.summary.startsWith('Geleit could not reach its DNS resolver — this says nothing about ee-spki.example. ')
    && dohDown.summary.includes(' got no answer after 3 attempts each: '), `words: ${dohDown.summary}`);
  assertEqual(dohDown.findings, [], 'no findings about the domain');
  assertEqual(await p.getAttribute('#doh-down >> css=.headline', 'class'), 'badge neutral headline', 'no verdict colour');
  assert(!(await p.textContent('#doh-down >> css=.result')).includes('DNSSEC'), 'no DNSSEC words');
  assertEqual(await p.textContent('#doh-down >> css=button.retry'), 'Try again', 'retry button');
  assertEqual(await p.evaluate(() => window.__csp), [], 'CSP violations (engine under the documented policy)');
  await shot('widget-modes', p);
  await p.close();
});

await t.step('rate limited by the edge: said in words with the seconds from Retry-After', async () => {
  // A second lab edge that allows one probe per client in ten minutes: of two checks, one is refused.
  const port = Number(process.env.GELEIT_LIMITED_EDGE_PORT || 8797);
  const limitedEdge = `http://127.0.0.1:${port}`;
  const child = spawn('edge/run.sh', ['--lab', '--no-build', '--listen', `127.0.0.1:${port}`], {
    env: { ...process.env, GELEIT_PROBE_RATE: '1/600', GELEIT_TARGET_RATE: '1000/60' }, stdio: 'ignore',
  });
  try {
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      up = await fetch(`${limitedEdge}/dns-query?dns=AAABAAABAAAAAAAAAAAGAAE`).then((r) => r.ok, () => false);
      if (!up) await new Promise((r) => setTimeout(r, 200));
    }
    assert(up, `the limited edge answers on ${limitedEdge}`);
    fs.writeFileSync(path.join(iso, 'limited.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8">
<script type="module" src="geleit-check.js"></script></head><body>
<geleit-check id="one" domain="ee-spki.example" edge="${limitedEdge}"></geleit-check>
<geleit-check id="two" domain="ee-spki.example" edge="${limitedEdge}"></geleit-check></body></html>`);
    const p = await browser.context.newPage();
    watch(p);
    await p.goto(`${isoBase}/limited.html`);
    const both = [await result('one', 'ee-spki.example', p), await result('two', 'ee-spki.example', p)];
    const verdicts = both.map((d) => d.verdict).sort();
    assertEqual(verdicts, ['authenticated', 'failed'], 'one check, one refusal');
    const refused = both.find((d) => d.verdict === 'failed');
    assert(/^Too many checks in a short time\. Please try again in \d+ s\.$/.test(refused.summary), `words: ${refused.summary}`);
    assertEqual(refused.result, null, 'no verdict JSON');
    await p.close();
  } finally {
    child.kill();
  }
});

await t.step("default mode: an edge that cannot reach its DNS resolver gives the neutral state, and Retry checks again", async () => {
  // A second lab edge whose DoH upstream is a closed port: /api/check answers dns_unreachable.
  const port = Number(process.env.GELEIT_DNSLESS_EDGE_PORT || 8798);
  const dnsless = `http://127.0.0.1:${port}`;
  const child = spawn('edge/run.sh', ['--lab', '--no-build', '--listen', `127.0.0.1:${port}`], {
    env: { ...process.env, GELEIT_DOH_UPSTREAM: 'http://127.0.0.1:65533/dns-query', GELEIT_PROBE_RATE: '1000/60', GELEIT_TARGET_RATE: '1000/60' },
    stdio: 'ignore',
  });
  try {
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      // Any HTTP answer will do: its own DoH proxy fails, as its upstream does.
      up = await fetch(`${dnsless}/dns-query?dns=AAABAAABAAAAAAAAAAAGAAE`).then(() => true, () => false);
      if (!up) await new Promise((r) => setTimeout(r, 200));
    }
    assert(up, `the edge without DNS answers on ${dnsless}`);
    fs.writeFileSync(path.join(iso, 'dnsless.html'), `<!doctype html><html lang="de"><head><meta charset="utf-8">
<script type="module" src="geleit-check.js"></script></head><body>
<geleit-check id="full" lang="en" domain="ee-spki.example" edge="${dnsless}"></geleit-check>
<geleit-check id="line" compact domain="ee-spki.example" edge="${dnsless}"></geleit-check></body></html>`);
    const p = await browser.context.newPage();
    watch(p);
    await p.goto(`${isoBase}/dnsless.html`);
    const full = await result('full', 'ee-spki.example', p);
    assertEqual([full.verdict, full.result], ['resolver_unreachable', null], 'verdict word, no verdict JSON');
    assertEqual(full.summary, 'Geleit could not reach its DNS resolver — this says nothing about ee-spki.example.', 'English');
    assertEqual(await p.getAttribute('#full >> css=.headline', 'class'), 'badge neutral headline', 'no verdict colour');
    assertEqual(await p.locator('#full >> css=.mx').count(), 0, 'no MX DNSSEC status');
    const line = await result('line', 'ee-spki.example', p);
    assertEqual(line.summary, 'Geleit konnte seinen DNS-Resolver nicht erreichen – das sagt nichts über ee-spki.example aus.', 'German');
    assertEqual(await p.textContent('#line >> css=button.retry'), 'Erneut versuchen', 'compact retry button');
    await shot('widget-resolver-unreachable', p);
    // Retry: the same check again, another event.
    const before = await p.evaluate(() => window.__results.filter((r) => r.id === 'full').length);
    await p.click('#full >> css=button.retry');
    await p.waitForFunction((n) => window.__results.filter((r) => r.id === 'full').length > n, before, { timeout: 20000 });
    assertEqual((await result('full', 'ee-spki.example', p)).verdict, 'resolver_unreachable', 'after Retry');
    await p.close();
  } finally {
    child.kill();
  }
});

await t.step("without 'wasm-unsafe-eval' the widget is blocked and the violation is reported", async () => {
  const p = await browser.context.newPage();
  p.on('pageerror', () => {});
  await p.goto(`${noWasmBase}/demo/en.html`);
  await p.waitForFunction(() => window.__csp.length > 0, null, { timeout: 10000 });
  const v = await p.evaluate(() => window.__csp);
  assert(v.some((x) => x.startsWith('script-src') && x.includes('wasm-eval')), `violations: ${v}`);
  assertEqual(await p.evaluate(() => window.__results.length), 0, 'no results');
  await p.close();
});

await t.step('no page errors, no globals besides the element', async () => {
  assertEqual(errors, [], 'page errors');
  const globals = await page.evaluate(() => {
    const f = document.createElement('iframe');
    document.body.append(f);
    const clean = new Set(Object.getOwnPropertyNames(f.contentWindow));
    f.remove();
    return Object.getOwnPropertyNames(window).filter((n) => !clean.has(n) && !n.startsWith('__'));
  });
  assertEqual(globals, [], 'new globals');
  assert(await page.evaluate(() => customElements.get('geleit-check') !== undefined), 'element defined');
});

await browser.close();
for (const s of [server, isoServer, strictServer, noWasmServer, strictIsoServer]) s.close();
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(t.finish());
