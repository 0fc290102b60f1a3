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
// Every URL the page asks for (the probe requests are checked below).
const requests = [];
page.on('request', (r) => requests.push(r.url()));
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
  const expected = edge ? 'authenticated' : 'not_probed';
  assertEqual(await hostStates(), [['mx.ee-spki.example.', expected]], 'host states');
  assertEqual(await verdict(), expected, 'domain verdict');
  assertEqual(new URL(page.url()).pathname, '/check/ee-spki.example', 'shareable address');
  await shot('checker-good');
});

await t.step('two MX hosts, both secure in DNS', async () => {
  await check('two-mx.example');
  const states = await hostStates();
  assertEqual(states.map(([h]) => h), ['mx1.two-mx.example.', 'mx2.two-mx.example.'], 'hosts in preference order');
  if (edge) {
    assertEqual(states.map(([, s]) => s), ['authenticated', 'not_authenticated'], 'mx2 has a stale record');
    assertEqual(await verdict(), 'not_authenticated', 'one broken MX breaks the domain');
  } else {
    assertEqual(states.map(([, s]) => s), ['not_probed', 'not_probed'], 'DNS-only states');
  }
});

await t.step('probes ask the edge for the validated addresses and the SNI, not a name to resolve again', async () => {
  const before = requests.length;
  await check('two-mx.example');
  const probes = requests.slice(before).map((u) => new URL(u)).filter((u) => u.pathname === '/api/probe');
  const hosts = probes.map((u) => u.searchParams.get('host'));
  assertEqual(hosts.slice().sort(), ['mx1.two-mx.example', 'mx2.two-mx.example'], 'one probe request per MX host');
  // The addresses the page shows as validated for that host (DNSSEC secure).
  const shown = Object.fromEntries(await page.$$eval('section.host', (els) => els.map((e) => [e.dataset.host.replace(/\.$/, ''), e.textContent])));
  for (const u of probes) {
    const q = u.searchParams;
    const addrs = q.getAll('addr');
    assert(addrs.length > 0, `expected addr= in ${u.search}`);
    for (const a of addrs) {
      assert(/^[0-9.]+$/.test(a) || a.includes(':'), `expected an IP address, found addr=${a}`);
      assert(shown[q.get('host')].includes(a), `addr=${a} is an address shown for ${q.get('host')}: ${shown[q.get('host')]}`);
    }
    assertEqual(q.get('sni'), q.get('host'), 'SNI: the TLSA base domain, here the MX host (RFC 7672 §8.1)');
    assertEqual(q.get('port'), '25', 'port');
  }
});

await t.step('JSON export and copy buttons', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Download JSON')]);
  const file = await download.path();
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  assertEqual(json.domain, 'two-mx.example', 'exported domain');
  assertEqual(json.dns.domain, 'two-mx.example.', 'exported DNS report');
  assertEqual(json.result.hosts.length, 2, 'exported verdict per host');
  assertEqual(json.page.hosts.length, 2, 'exported page view');
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const record = (await page.textContent('section.host .rdata')).trim();
  await page.click('section.host .record-head button.copy');
  await page.waitForFunction(() => document.querySelector('[role=status]').textContent.includes('Copied'));
  assertEqual(await page.evaluate(() => navigator.clipboard.readText()), record, 'copied record');
});

// [domain, finding code, words of its fix (null: none without a probe), words of the failing link]
const broken = [
  ['bogus-expired.example', 'dnssec_bogus', 're-sign the zone', 'expired'],
  ['bogus-ds.example', 'dnssec_bogus', 'publish the DS of the current key at the registrar', null],
  ['bogus-tlsa-sig.example', 'dnssec_bogus', 'the signatures do not verify', 'RRSIG over TLSA'],
  ['pkix-only.example', 'only_unusable_records', null, null],
  ['bad-length.example', 'only_unusable_records', null, null],
  ['nsec3-no-tlsa.example', 'no_tlsa', null, null],
  ['insecure.example', 'mx_insecure', 'with DNSSEC', null],
  ['insecure-host.example', 'insecure_no_dane', null, null],
  ['null-mx.example', 'null_mx', null, null],
  ['nx-mx.example', 'no_address', null, null],
];
for (const [domain, code, fix, detail] of broken) {
  await t.step(`${domain}: finding ${code}${fix ? ' with its fix' : ''}`, async () => {
    await check(domain);
    assert((await verdict()) !== 'authenticated', `verdict ${await verdict()}`);
    const codes = await findingCodes();
    assert(codes.includes(code), `expected finding ${code}, found ${codes}`);
    const finding = page.locator(`#check-result .finding[data-code=${code}]`).first();
    const text = await finding.textContent();
    if (fix) assert(text.includes(fix), `expected the fix "${fix}" in: ${text}`);
    if (detail) assert(text.includes(detail), `expected "${detail}" in the failing link: ${text}`);
    if (domain === 'bogus-expired.example') await shot('checker-bogus-expired');
    if (domain === 'pkix-only.example') await shot('checker-pkix-only');
  });
}

if (edge) {
  const probed = [
    ['ee-stale.example', 'not_authenticated', 'tlsa_no_match', 'IN TLSA 3 1 1 '],
    ['no-starttls.example', 'no_starttls', 'starttls_missing', 'smtpd_tls_security_level'],
    ['ta-expired.example', 'not_authenticated', 'chain_expired_under_dane_ta', 'renew the certificate'],
    ['ta-omitted.example', 'not_authenticated', 'ta_not_sent', 'serve the full chain'],
    ['ta-wrong-name.example', 'not_authenticated', 'name_mismatch', 'subjectAltName'],
  ];
  for (const [domain, want, code, fix] of probed) {
    await t.step(`${domain}: probe finding ${code} with its fix`, async () => {
      await check(domain);
      assertEqual(await verdict(), want, 'verdict');
      const codes = await findingCodes();
      assert(codes.includes(code), `expected ${code}, found ${codes}`);
      const text = await page.locator(`#check-result .finding[data-code=${code}]`).first().textContent();
      assert(text.toLowerCase().includes(fix.toLowerCase()), `expected the fix "${fix}" in: ${text}`);
      if (domain === 'ee-stale.example') await shot('checker-ee-stale');
    });
  }
}

await t.step('shareable address /check/<domain> runs the check on load, in German', async () => {
  await page.selectOption('#lang', 'de');
  await page.goto(`${base}/check/bogus-tlsa-sig.example`);
  await page.waitForSelector('#check-verdict:not([data-verdict=pending])', { timeout: 20000 });
  assertEqual(await verdict(), 'deferred', 'verdict');
  assert((await page.textContent('#check-verdict .headline')).startsWith('DNSSEC-Fehler'), 'German headline');
  const states = await hostStates();
  assertEqual(states, [['mx.bogus-tlsa-sig.example.', 'deferred']], 'deferred host');
  await shot('checker-bogus-tlsa-de');
  await page.selectOption('#lang', 'en');
});

await t.step('DoH unreachable: a neutral state that says nothing about the domain, with Retry and Settings', async () => {
  // Settings: a DoH endpoint on a closed port (every query fails on the transport).
  await page.click('nav >> text=Settings');
  await page.waitForSelector('#set-doh');
  const saved = await page.inputValue('#set-doh');
  await page.fill('#set-doh', 'http://127.0.0.1:65533/dns-query');
  await page.press('#set-doh', 'Tab');
  await page.waitForFunction(() => document.querySelector('[role=status]').textContent.includes('Saved'));
  await page.click('nav >> text=Check a domain');
  await page.fill('#check-input', 'ee-stale.example');
  await page.click('#check-button');
  await page.waitForSelector('#check-verdict[data-domain="ee-stale.example"][data-verdict=resolver_unreachable]', { timeout: 30000 });
  assertEqual(await page.textContent('#check-verdict .headline'), 'DNS resolver not reached', 'headline');
  assertEqual(await page.textContent('#check-summary'),
    'Geleit could not reach its DNS resolver — this says nothing about ee-stale.example.', 'summary');
  const text = await page.textContent('#check-result');
  assert(!text.includes('DNSSEC'), `no DNSSEC words about the domain: ${text}`);
  assertEqual(await page.locator('#check-result section.host').count(), 0, 'no MX hosts');
  assertEqual(await page.locator('#mx-status').count(), 0, 'no MX DNSSEC status');
  assert(text.includes('127.0.0.1:65533'), `what failed is named: ${text}`);
  const status = await page.textContent('[role=status]');
  assert(status.includes('says nothing about ee-stale.example') && !status.includes('DNSSEC'), `status: ${status}`);
  await shot('checker-resolver-unreachable');
  // The settings link, then back with the resolver restored, and Retry.
  await page.click('#check-settings');
  await page.waitForSelector('#set-doh');
  assertEqual(new URL(page.url()).pathname, '/settings', 'settings link');
  await page.fill('#set-doh', saved);
  await page.press('#set-doh', 'Tab');
  await page.click('nav >> text=Check a domain');
  await page.click('#check-retry');
  await page.waitForSelector('#check-verdict[data-domain="ee-stale.example"]:not([data-verdict=pending]):not([data-verdict=resolver_unreachable])', { timeout: 20000 });
  assertEqual(await verdict(), edge ? 'not_authenticated' : 'not_probed', 'verdict after Retry');
});

await t.step('IDN input is shown both ways', async () => {
  await check('Bücher.example', 'xn--bcher-kva.example');
  const idn = await page.textContent('#check-idn');
  assertEqual(idn, 'bücher.example is written xn--bcher-kva.example in DNS.', 'IDN line');
  assertEqual(new URL(page.url()).pathname, '/check/xn--bcher-kva.example', 'address uses the A-label');
});

await t.step('keyboard only: skip link, type a domain, Enter checks it', async () => {
  await page.goto(`${base}/`);
  await page.waitForSelector('#check-input');
  await page.keyboard.press('Tab');
  assertEqual(await page.evaluate(() => document.activeElement.className), 'skip', 'first Tab reaches the skip link');
  await page.focus('#check-input');
  await page.keyboard.type('ee-spki.example');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#check-verdict[data-domain="ee-spki.example"]:not([data-verdict=pending])', { timeout: 20000 });
  assertEqual(await page.getAttribute('#check-input', 'id'), 'check-input', 'form still there');
  const labelled = await page.$$eval('input, textarea, select', (els) => els.filter((e) => e.type !== 'hidden' && !(e.labels && e.labels.length)).map((e) => e.id));
  assertEqual(labelled, [], 'every form control has a label');
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
