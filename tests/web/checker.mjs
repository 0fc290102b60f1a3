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
import { launch, runner, assert, assertEqual, axe } from './browser.mjs';

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
const tone = () => page.getAttribute('#check-verdict', 'data-tone');
const top = (selector) => page.locator(selector).first().evaluate((e) => e.getBoundingClientRect().top + window.scrollY);

await t.step('page loads with the lab preset; no accessibility violation (axe-core)', async () => {
  await page.goto(`${base}/`);
  await page.waitForSelector('#check-input');
  await axe(page, 'checker, empty');
});

await t.step('good domain: MX secure, every MX host DANE-ready', async () => {
  await check('ee-spki.example');
  assertEqual(await page.getAttribute('#mx-status', 'data-status'), 'ok', 'MX DNSSEC status');
  const expected = edge ? 'authenticated' : 'not_probed';
  assertEqual(await hostStates(), [['mx.ee-spki.example.', expected]], 'host states');
  assertEqual(await verdict(), expected, 'domain verdict');
  assertEqual(new URL(page.url()).pathname, '/check/ee-spki.example', 'shareable address');
  if (edge) {
    // One MX host: not "every MX host"; the host's badge is a word, not a sentence.
    assertEqual(await page.textContent('#check-verdict .headline'), 'The MX host authenticates — ee-spki.example', 'headline');
    assertEqual(await page.textContent('section.host h4 .badge'), 'Authenticated', 'host badge');
    assertEqual(await tone(), 'ok', 'tone');
    // The RSA handshake the server refused: words first, the raw TLS error behind a toggle.
    const text = await page.textContent('section.host');
    assert(text.includes('The server has no RSA certificate') && text.includes('the ECDSA handshake completed'), `words for the missing RSA chain: ${text}`);
    assertEqual(await page.locator('text=/HandshakeFailure/').first().isVisible().catch(() => false), false, 'raw TLS error hidden');
    assert((await page.locator('section.host details.detail').count()) >= 1, 'raw text behind a details toggle');
    assertEqual(await page.locator('#check-first-fix').count(), 0, 'nothing to fix first: the rollover note is no fix');
  }
  await axe(page, 'checker, authenticated');
  await shot('checker-good');
});

await t.step('two MX hosts, both secure in DNS', async () => {
  await check('two-mx.example');
  const states = await hostStates();
  if (edge) {
    // The failing host first, named in the verdict; its fix with the record right under the verdict.
    assertEqual(states, [['mx2.two-mx.example.', 'not_authenticated'], ['mx1.two-mx.example.', 'authenticated']], 'failing host first');
    assertEqual(await verdict(), 'not_authenticated', 'one broken MX breaks the domain');
    assertEqual(await tone(), 'error', 'tone');
    const summary = await page.textContent('#check-summary');
    assert(summary.includes('Affected: mx2.two-mx.example.'), `failing host named: ${summary}`);
    assertEqual(await page.getAttribute('#check-first-fix', 'data-host'), 'mx2.two-mx.example', 'first fix host');
    const record = await page.textContent('#check-first-fix .fix-record .rdata');
    assert(record.startsWith('_25._tcp.mx2.two-mx.example. IN TLSA 3 1 1 '), `record to copy: ${record}`);
    assert((await page.locator('#check-first-fix .fix-record button.copy').count()) === 1, 'copy button');
    const [v, f, h] = [await top('#check-verdict'), await top('#check-first-fix'), await top('section.host')];
    assert(v < f && f < h && f - v < 400, `the fix right under the verdict: verdict ${v}, fix ${f}, first host ${h}`);
    await axe(page, 'checker, not authenticated with the first fix');
    await shot('checker-two-mx');
  } else {
    assertEqual(states.map(([h]) => h), ['mx1.two-mx.example.', 'mx2.two-mx.example.'], 'hosts in preference order');
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

// [domain, finding code, words of its fix (null: none without a probe), words of the failing link, tone with the edge]
const broken = [
  ['bogus-expired.example', 'dnssec_bogus', 're-sign the zone', 'expired', 'error'],
  ['bogus-ds.example', 'dnssec_bogus', 'publish the DS of the current key at the registrar', null, 'error'],
  ['bogus-tlsa-sig.example', 'dnssec_bogus', 'the signatures do not verify', 'RRSIG over TLSA', 'error'],
  ['pkix-only.example', 'only_unusable_records', null, null, 'error'],
  ['bad-length.example', 'only_unusable_records', null, null, 'error'],
  ['nsec3-no-tlsa.example', 'no_tlsa', null, null, 'warning'],
  ['insecure.example', 'mx_insecure', 'with DNSSEC', null, 'warning'],
  ['insecure-host.example', 'insecure_no_dane', null, null, 'warning'],
  ['null-mx.example', 'null_mx', null, null, 'info'],
  ['nx-mx.example', 'no_address', null, null, 'error'],
];
for (const [domain, code, fix, detail, want] of broken) {
  await t.step(`${domain}: finding ${code}${fix ? ' with its fix' : ''}, ${want} colour`, async () => {
    await check(domain);
    assert((await verdict()) !== 'authenticated', `verdict ${await verdict()}`);
    // One severity scale: bogus DNSSEC, no address, unusable records red; no DANE amber; null MX information.
    if (edge || want !== 'error' || code.startsWith('dnssec') || code === 'no_address') assertEqual(await tone(), want, 'tone');
    const codes = await findingCodes();
    assert(codes.includes(code), `expected finding ${code}, found ${codes}`);
    const finding = page.locator(`#check-result .finding[data-code=${code}]`).first();
    const text = await finding.textContent();
    if (fix) assert(text.includes(fix), `expected the fix "${fix}" in: ${text}`);
    if (detail) assert(text.includes(detail), `expected "${detail}" in the failing link: ${text}`);
    if (domain === 'bogus-expired.example') {
      await axe(page, 'checker, DNSSEC bogus');
      await shot('checker-bogus-expired');
    }
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
    ['dual-rsa-pinned.example', 'not_authenticated', 'tlsa_no_match', 'in addition to'],
  ];
  for (const [domain, want, code, fix] of probed) {
    await t.step(`${domain}: probe finding ${code} with its fix`, async () => {
      await check(domain);
      assertEqual(await verdict(), want, 'verdict');
      const codes = await findingCodes();
      assert(codes.includes(code), `expected ${code}, found ${codes}`);
      const text = await page.locator(`#check-result .finding[data-code=${code}]`).first().textContent();
      assert(text.toLowerCase().includes(fix.toLowerCase()), `expected the fix "${fix}" in: ${text}`);
      assertEqual(await tone(), 'error', 'tone');
      const result = await page.textContent('#check-result');
      // The record matches at ta-wrong-name; only the name is wrong.
      if (domain === 'ta-wrong-name.example') assert(!result.includes('do not match'), `no "do not match": ${result}`);
      // No handshake at all: nothing about "another handshake completed".
      if (domain === 'no-starttls.example') {
        assert(!result.includes('handshake completed'), `no handshake completed: ${result}`);
        assertEqual(await page.locator('#check-result .algorithm').count(), 0, 'no per-algorithm lines without a handshake');
      }
      if (domain === 'ee-stale.example') await shot('checker-ee-stale');
    });
  }

  await t.step('an MX host that is an alias says so, where its TLSA records are looked up', async () => {
    await check('cname-mx-expanded.example');
    const alias = await page.textContent('section.host .alias');
    assert(alias.includes('is an alias (CNAME) of'), `alias note: ${alias}`);
  });

  await t.step('reload and Back show the kept result: no new DNS query, no probe, same verdict', async () => {
    await check('two-mx.example');
    await check('ee-spki.example');
    const before = requests.length;
    await page.reload();
    await page.waitForSelector('#check-verdict[data-domain="ee-spki.example"]:not([data-verdict=pending])', { timeout: 20000 });
    assertEqual(await verdict(), 'authenticated', 'verdict after reload');
    await page.goBack();
    await page.waitForSelector('#check-verdict[data-domain="two-mx.example"]:not([data-verdict=pending])', { timeout: 20000 });
    assertEqual(await verdict(), 'not_authenticated', 'verdict after Back (not "certificates not checked")');
    const asked = requests.slice(before).filter((u) => u.includes('/api/probe') || u.includes('dns-query'));
    assertEqual(asked, [], 'nothing asked of the network');
  });

  await t.step('the edge answers 429: a countdown, then the probe is asked again by itself', async () => {
    let refused = 0;
    await page.route('**/api/probe?*', async (route) => {
      if (refused++ === 0) {
        await route.fulfill({ status: 429, headers: { 'retry-after': '2', 'content-type': 'application/json' },
          body: JSON.stringify({ error: { code: 'rate_limited', message: 'too many probes' } }) });
      } else {
        await route.continue();
      }
    });
    await page.fill('#check-input', 'ee-stale.example');
    await page.click('#check-button');
    await page.waitForSelector('text=/asking again in [12] s/', { timeout: 20000 });
    await page.waitForSelector('#check-verdict[data-domain="ee-stale.example"]:not([data-verdict=pending])', { timeout: 30000 });
    assertEqual(await verdict(), 'not_authenticated', 'verdict after the wait');
    assert(refused >= 2, `asked again: ${refused}`);
    await page.unroute('**/api/probe?*');
  });
}

await t.step('input: a web address, an e-mail address and [host] are checked; an IP address is refused with the reason', async () => {
  await check('https://ee-spki.example/', 'ee-spki.example');
  assertEqual(new URL(page.url()).pathname, '/check/ee-spki.example', 'address');
  await check('postmaster@ee-spki.example', 'ee-spki.example');
  await check('[mx.ee-spki.example]', 'mx.ee-spki.example');
  assertEqual(decodeURIComponent(new URL(page.url()).pathname), '/check/[mx.ee-spki.example]', 'direct host address');
  if (edge) assertEqual(await page.textContent('#check-verdict .headline'), 'The host authenticates — mx.ee-spki.example', 'direct headline');
  await page.fill('#check-input', '127.0.1.1');
  await page.click('#check-button');
  const problem = await page.textContent('#check-problem');
  assert(problem.includes('is an IP address'), `IP address refused: ${problem}`);
});

await t.step('a bad input sits above the previous verdict, its text cut', async () => {
  await check('ee-spki.example');
  await page.fill('#check-input', `${'x'.repeat(3000)} y`);
  await page.click('#check-button');
  await page.waitForSelector('#check-problem');
  const problem = await page.textContent('#check-problem');
  assert(problem.length < 300, `long input cut: ${problem.length} characters`);
  assertEqual(await page.getAttribute('#check-verdict', 'data-domain'), 'ee-spki.example', 'previous verdict still shown');
  assert((await top('#check-problem')) < (await top('#check-verdict')), 'the problem above the verdict');
  await axe(page, 'checker, a problem above a verdict');
});

await t.step('a nonexistent domain: "DNSSEC proves" only next to a secure MX status', async () => {
  await check('does-not-exist-here.example');
  assertEqual(await verdict(), 'nx_domain', 'verdict');
  const summary = await page.textContent('#check-summary');
  const status = await page.getAttribute('#mx-status', 'data-status');
  if (status === 'ok') {
    assert(summary.includes('DNSSEC proves'), summary);
  } else {
    assert(!summary.includes('DNSSEC proves') && summary.includes('not signed'), `the MX status is ${status}: ${summary}`);
  }
  assertEqual(await tone(), 'error', 'tone');
});

await t.step('shareable address /check/<domain> runs the check on load, in German', async () => {
  await page.selectOption('#lang', 'de');
  await page.goto(`${base}/check/bogus-tlsa-sig.example`);
  await page.waitForSelector('#check-verdict:not([data-verdict=pending])', { timeout: 20000 });
  assertEqual(await verdict(), 'deferred', 'verdict');
  assert((await page.textContent('#check-verdict .headline')).startsWith('DNSSEC-Fehler'), 'German headline');
  await axe(page, 'checker, German');
  const states = await hostStates();
  assertEqual(states, [['mx.bogus-tlsa-sig.example.', 'deferred']], 'deferred host');
  await shot('checker-bogus-tlsa-de');
  await page.selectOption('#lang', 'en');
});

await t.step('TLSRPT and MTA-STS beside DANE: the policy fetched through the edge (a page cannot, CORS)', async () => {
  await check('ee-fullcert.example');
  const policy = () => page.$$eval('#check-policy .finding', (els) => els.map((e) => e.dataset.code));
  if (edge) {
    // The page's core handed its fetch to the edge's /api/sts-policy with the validated address.
    assert(requests.some((u) => u.includes('/api/sts-policy?') && u.includes('domain=ee-fullcert.example') && u.includes('addr=')),
      `policy asked of the edge: ${requests.filter((u) => u.includes('sts')).join(' ')}`);
    assertEqual((await policy()).sort(), ['dane_takes_precedence', 'sts_policy_active', 'tls_rpt_published'], 'policy findings');
    assertEqual(await verdict(), 'authenticated', 'DANE stays the headline');
  } else {
    assert((await policy()).includes('sts_not_fetched'), 'without an edge the policy is said not fetched');
  }
  await axe(page, 'checker, mail policy');
  if (edge) {
    // The edge's limits cover the policy fetch too: after its 429 the page waits and asks again,
    // as for a probe, instead of saying the policy was not fetched.
    let refused = 0;
    await page.route('**/api/sts-policy?*', async (route) => {
      if (refused++ === 0) {
        await route.fulfill({ status: 429, headers: { 'retry-after': '1', 'content-type': 'application/json' },
          body: JSON.stringify({ error: { code: 'rate_limited', message: 'too many requests' } }) });
      } else {
        await route.continue();
      }
    });
    await page.fill('#check-input', 'ee-fullcert.example');
    await page.click('#check-button');
    // The same domain again: wait for the second fetch before reading the (new) result.
    for (let waited = 0; refused < 2 && waited < 30000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    assertEqual(refused, 2, 'the policy fetch asked again after the wait');
    await page.waitForSelector('#check-verdict[data-domain="ee-fullcert.example"]:not([data-verdict=pending])', { timeout: 30000 });
    assertEqual((await policy()).sort(), ['dane_takes_precedence', 'sts_policy_active', 'tls_rpt_published'], 'policy findings after a 429');
    await page.unroute('**/api/sts-policy?*');
  }
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
  // What failed, in words: the core's count and the driver's last DoH failure (no answer from a closed port).
  const unreachable = await page.textContent('#check-summary');
  assert(unreachable.startsWith('Geleit could not reach its DNS resolver — this says nothing about ee-stale.example. ')
    && unreachable.includes(' got no answer after 3 attempts each: no answer from http://127.0.0.1:65533/dns-query'),
  `summary: ${unreachable}`);
  const text = await page.textContent('#check-result');
  assert(!text.includes('DNSSEC'), `no DNSSEC words about the domain: ${text}`);
  assertEqual(await page.locator('#check-result section.host').count(), 0, 'no MX hosts');
  assertEqual(await page.locator('#mx-status').count(), 0, 'no MX DNSSEC status');
  assert(text.includes('127.0.0.1:65533'), `what failed is named: ${text}`);
  const status = await page.textContent('[role=status]');
  assert(status.includes('says nothing about ee-stale.example') && !status.includes('DNSSEC'), `status: ${status}`);
  assertEqual(await tone(), 'neutral', 'no verdict colour');
  await axe(page, 'checker, resolver unreachable');
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
  // The focus ring: at least 3:1 against the page (WCAG 2.2, 1.4.11).
  await page.focus('#check-input');
  await page.keyboard.press('Tab');
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineColor);
  const lum = (rgb) => {
    const [r, g, b] = rgb.match(/\d+/g).slice(0, 3).map((c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (lum('rgb(255, 255, 255)') + 0.05) / (lum(ring) + 0.05);
  assert(ratio >= 3, `focus ring ${ring} has ${ratio.toFixed(2)}:1 against white`);
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
