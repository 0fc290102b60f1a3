// Browser test of the checker against the lab: run inside the lab namespace
// (tests/lab/in), which exports GELEIT_DOH and GELEIT_TRUST_ANCHOR. The page
// is served with those as its preset settings (/geleit-config.json). With
// GELEIT_EDGE set (a running edge), the probe assertions run too; without it
// the checker is DNS-only and says so.
//
// Usage: tests/lab/in node tests/web/checker.mjs DIST ARTIFACT_DIR
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve } from './serve.mjs';
import { launch, runner, assert, assertEqual } from './browser.mjs';

const [dist = 'dist', artifacts = 'target/web-artifacts'] = process.argv.slice(2);
fs.mkdirSync(artifacts, { recursive: true });
const doh = process.env.GELEIT_DOH;
const anchorFile = process.env.GELEIT_TRUST_ANCHOR;
if (!doh || !anchorFile) {
  console.error('checker.mjs: run inside the lab (tests/lab/in), which sets GELEIT_DOH and GELEIT_TRUST_ANCHOR');
  process.exit(2);
}
const edge = process.env.GELEIT_EDGE || '';
const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'geleit-web-')), 'geleit-config.json');
fs.writeFileSync(config, JSON.stringify({ doh, edge, anchor: fs.readFileSync(anchorFile, 'utf8') }));

const server = await serve(dist, 0, '127.0.0.1', config);
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await launch();
const page = await browser.context.newPage();
page.on('pageerror', (e) => console.log(`page error: ${e}`));
const t = runner();

/// Checks `domain` through the form and waits for the final verdict.
async function check(domain, ascii = domain.toLowerCase()) {
  await page.fill('#check-input', domain);
  await page.click('#check-button');
  await page.waitForSelector(`#check-verdict[data-domain="${ascii}"]:not([data-verdict=pending])`, { timeout: 20000 });
  await page.waitForSelector('#check-button:not([disabled])', { timeout: 20000 });
}
const verdict = () => page.getAttribute('#check-verdict', 'data-verdict');
const hostStates = () => page.$$eval('section.host', (els) => els.map((e) => [e.dataset.host, e.dataset.state]));
const findingCodes = () => page.$$eval('#check-result .finding', (els) => els.map((e) => e.dataset.code));
const shot = (name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });

await t.step('page loads with the lab preset', async () => {
  await page.goto(`${base}/`);
  await page.waitForSelector('#check-input');
});

await t.step('good domain: MX secure, every MX host DANE-ready', async () => {
  await check('ee-spki.example');
  assertEqual(await page.getAttribute('#mx-status', 'data-status'), 'ok', 'MX DNSSEC status');
  const expected = edge ? 'authenticated' : 'dns_only';
  assertEqual(await hostStates(), [['mx.ee-spki.example.', expected]], 'host states');
  assertEqual(await verdict(), edge ? 'ready' : 'dns_ready', 'domain verdict');
  assertEqual(new URL(page.url()).pathname, '/check/ee-spki.example', 'shareable address');
  await shot('checker-good');
});

await t.step('two MX hosts, both secure in DNS', async () => {
  await check('two-mx.example');
  const states = await hostStates();
  assertEqual(states.map(([h]) => h), ['mx1.two-mx.example.', 'mx2.two-mx.example.'], 'hosts in preference order');
  if (edge) {
    assertEqual(states.map(([, s]) => s), ['authenticated', 'not_authenticated'], 'mx2 has a stale record');
    assertEqual(await verdict(), 'not_ready', 'one broken MX breaks the domain');
  } else {
    assertEqual(states.map(([, s]) => s), ['dns_only', 'dns_only'], 'DNS-only states');
  }
});

await t.step('JSON export and copy buttons', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Download JSON')]);
  const file = await download.path();
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  assertEqual(json.domain, 'two-mx.example', 'exported domain');
  assertEqual(json.dns.domain, 'two-mx.example.', 'exported DNS report');
  assertEqual(json.view.hosts.length, 2, 'exported hosts');
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const record = (await page.textContent('section.host .rdata')).trim();
  await page.click('section.host .record-head button.copy');
  await page.waitForFunction(() => document.querySelector('[role=status]').textContent.includes('Copied'));
  assertEqual(await page.evaluate(() => navigator.clipboard.readText()), record, 'copied record');
});

const broken = [
  ['bogus-expired.example', 'mx_dnssec', 'Re-sign the zone now', 'expired'],
  ['bogus-ds.example', 'mx_dnssec', 'The DS record at the parent matches no DNSKEY', null],
  ['bogus-tlsa-sig.example', 'tlsa_dnssec', 'signature does not verify', null],
  ['pkix-only.example', 'no_usable_tlsa', 'Replace the records by 3 1 1', null],
  ['bad-length.example', 'no_usable_tlsa', 'Replace the records by 3 1 1', null],
  ['nsec3-no-tlsa.example', 'no_tlsa', 'Publish a TLSA record for the host', null],
  ['insecure.example', 'mx_insecure', 'Sign the zone with DNSSEC', null],
  ['insecure-host.example', 'host_insecure', 'Sign the zone with DNSSEC', null],
  ['null-mx.example', 'null_mx', 'Nothing to do if the domain should receive no mail', null],
  ['nx-mx.example', 'no_address', 'Publish A and/or AAAA records', null],
];
for (const [domain, code, fix, detail] of broken) {
  await t.step(`${domain}: finding ${code} with its fix`, async () => {
    await check(domain);
    assert(['not_ready', 'no_dane'].includes(await verdict()), `verdict ${await verdict()}`);
    const codes = await findingCodes();
    assert(codes.includes(code), `expected finding ${code}, found ${codes}`);
    const finding = page.locator(`#check-result .finding[data-code=${code}]`).first();
    const text = await finding.textContent();
    assert(text.includes(fix), `expected the fix "${fix}" in: ${text}`);
    if (detail) assert(text.includes(detail), `expected "${detail}" in the failing link: ${text}`);
    if (domain === 'bogus-expired.example') await shot('checker-bogus-expired');
    if (domain === 'pkix-only.example') await shot('checker-pkix-only');
  });
}

if (edge) {
  for (const [domain, code] of [['ee-stale.example', 'not_authenticated'], ['no-starttls.example', 'no_starttls'], ['ta-expired.example', 'not_authenticated']]) {
    await t.step(`${domain}: probe finding ${code}`, async () => {
      await check(domain);
      assertEqual(await verdict(), 'not_ready', 'verdict');
      assert((await findingCodes()).includes(code), `expected ${code}`);
    });
  }
}

await t.step('shareable address /check/<domain> runs the check on load, in German', async () => {
  await page.selectOption('#lang', 'de');
  await page.goto(`${base}/check/bogus-tlsa-sig.example`);
  await page.waitForSelector('#check-verdict:not([data-verdict=pending])', { timeout: 20000 });
  assertEqual(await verdict(), 'not_ready', 'verdict');
  assert((await page.textContent('#check-verdict .headline')).startsWith('Nicht DANE-fähig'), 'German headline');
  const states = await hostStates();
  assertEqual(states, [['mx.bogus-tlsa-sig.example.', 'deferred']], 'deferred host');
  await shot('checker-bogus-tlsa-de');
  await page.selectOption('#lang', 'en');
});

await t.step('IDN input is shown both ways', async () => {
  await check('Bücher.example', 'xn--bcher-kva.example');
  const idn = await page.textContent('#check-idn');
  assertEqual(idn, 'bücher.example is written xn--bcher-kva.example in DNS.', 'IDN line');
  assertEqual(new URL(page.url()).pathname, '/check/xn--bcher-kva.example', 'address uses the A-label');
});

await t.step('the status region announces the result', async () => {
  await check('ee-spki.example');
  const status = await page.textContent('[role=status]');
  assert(status.includes('ee-spki') || status.length > 10, `status: ${status}`);
});

await t.step('phone width: the result is readable without horizontal scrolling', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await check('two-mx.example');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert(overflow <= 0, `page is ${overflow}px wider than the phone`);
  await shot('checker-phone');
});

await browser.close();
server.close();
process.exit(t.finish());
