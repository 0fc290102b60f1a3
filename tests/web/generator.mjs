// Browser test: the generator and matcher, with the browser's network off.
// The page must produce exactly the record lines `geleit tlsa gen` prints.
//
// Usage: node tests/web/generator.mjs DIST GELEIT_BIN ARTIFACT_DIR
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve } from './serve.mjs';
import { launch, runner, assert, assertEqual, axe } from './browser.mjs';

const [dist = 'dist', geleit = 'target/debug/geleit', artifacts = 'target/web-artifacts'] = process.argv.slice(2);
fs.mkdirSync(artifacts, { recursive: true });

// A fresh chain (leaf + CA) and a lone public key, made with openssl.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'geleit-web-gen-'));
const sh = (cmd) => execFileSync('bash', ['-c', cmd], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
sh(`openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj "/CN=Web Test CA" \
      -addext basicConstraints=critical,CA:TRUE -keyout ca.key -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=mx.web.example" -keyout leaf.key -out leaf.csr 2>/dev/null
    printf 'subjectAltName=DNS:mx.web.example,DNS:*.web.example\\n' > ext
    openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 90 -extfile ext -out leaf.pem 2>/dev/null
    cat leaf.pem ca.pem > fullchain.pem
    openssl pkey -in leaf.key -pubout -out leaf.pub`);
const read = (f) => fs.readFileSync(path.join(tmp, f), 'utf8');
const recordLines = (text) => text.split('\n').filter((l) => l && !l.startsWith(';'));
const cli = (...args) => execFileSync(geleit, ['tlsa', 'gen', ...args]).toString();

const server = await serve(dist, 0, '127.0.0.1');
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await launch();
const page = await browser.context.newPage();
const t = runner();
page.on('pageerror', (e) => console.log(`page error: ${e}`));

async function fill(selector, value) {
  await page.fill(selector, value);
}
async function zoneText() {
  await page.waitForSelector('#gen-zone', { timeout: 10000 });
  return page.textContent('#gen-zone');
}
/// Every record line the page shows: the block to paste, then the collapsed others.
async function allLines() {
  const zone = recordLines(await zoneText());
  return zone.concat(recordLines(await page.textContent('#gen-others-zone')));
}

await t.step('generator page loads, then the network is switched off', async () => {
  await page.goto(`${base}/generate`);
  await page.waitForSelector('#gen-input');
  await axe(page, 'generator, empty');
  await browser.context.setOffline(true);
  await page.evaluate(() => fetch('/index.html').then(() => 'online', () => 'offline')).then((r) => assertEqual(r, 'offline', 'fetch while offline'));
});

await t.step('chain: same records as `geleit tlsa gen` (host from the certificate)', async () => {
  await fill('#gen-input', read('fullchain.pem'));
  // The block to paste holds the recommended records only; the others are collapsed, apart.
  assertEqual(recordLines(await zoneText()), recordLines(cli('--recommended', path.join(tmp, 'fullchain.pem'))), 'recommended block vs CLI --recommended');
  assertEqual(recordLines(await zoneText()).length, 2, 'two records to paste');
  assertEqual(await page.getAttribute('#gen-others', 'open'), null, 'other records collapsed');
  const page_lines = await allLines();
  const cli_lines = recordLines(cli(path.join(tmp, 'fullchain.pem')));
  assertEqual(page_lines.length, 12, 'record lines');
  assertEqual(page_lines, cli_lines, 'page vs CLI record lines');
  assertEqual(await page.textContent('#gen-owner'), '_25._tcp.mx.web.example.', 'owner');
  await axe(page, 'generator, records');
  await page.screenshot({ path: path.join(artifacts, 'generator-en.png'), fullPage: true });
});

await t.step('host, port and TTL options: same as the CLI with --host --port --ttl', async () => {
  await fill('#gen-host', 'smtp.web.example');
  await fill('#gen-port', '465');
  await fill('#gen-ttl', '300');
  const page_lines = await allLines();
  assertEqual(page_lines, recordLines(cli('--host', 'smtp.web.example', '--port', '465', '--ttl', '300', path.join(tmp, 'fullchain.pem'))), 'records');
});

await t.step('public key and CSR: same as the CLI', async () => {
  await fill('#gen-input', read('leaf.pub'));
  assertEqual(await allLines(), recordLines(cli('--host', 'smtp.web.example', '--port', '465', '--ttl', '300', path.join(tmp, 'leaf.pub'))), 'public key');
  await fill('#gen-input', read('leaf.csr'));
  assertEqual(await allLines(), recordLines(cli('--host', 'smtp.web.example', '--port', '465', '--ttl', '300', path.join(tmp, 'leaf.csr'))), 'csr');
});

await t.step('a CSR whose CN names the host fills the owner name by itself', async () => {
  await fill('#gen-host', '');
  await fill('#gen-input', read('leaf.csr'));
  await page.waitForSelector('#gen-owner');
  assertEqual(await page.textContent('#gen-owner'), '_465._tcp.mx.web.example.', 'owner from the CSR');
  await fill('#gen-host', 'smtp.web.example');
});

await t.step('a private key is refused, in German after switching the language', async () => {
  await page.selectOption('#lang', 'de');
  await fill('#gen-input', read('leaf.key'));
  const alert = await page.waitForSelector('#gen-key-refused');
  const text = await alert.textContent();
  assert(text.includes('privater Schlüssel'), `expected the German refusal, found ${text}`);
  assertEqual(await page.inputValue('#gen-input'), '', 'the refused key is taken out of the field');
  await axe(page, 'generator, private key refused (German)');
  assertEqual(await page.getAttribute('html', 'lang'), 'de', '<html lang>');
  await page.screenshot({ path: path.join(artifacts, 'generator-private-key-de.png'), fullPage: true });
  await page.selectOption('#lang', 'en');
});

await t.step('a DER file chosen with the file picker gives the same records', async () => {
  const der = path.join(tmp, 'leaf.der');
  sh('openssl x509 -in leaf.pem -outform DER -out leaf.der');
  await fill('#gen-input', '');
  await fill('#gen-host', '');
  await fill('#gen-port', '25');
  await fill('#gen-ttl', '3600');
  await page.setInputFiles('#gen-file', der);
  assertEqual(await allLines(), recordLines(cli(der)), 'DER file');
});

await t.step('matcher: the recommended 3 1 1 authenticates; a wrong one does not, with a fix', async () => {
  await page.click('nav a[href="/match"]');
  await fill('#match-chain', read('fullchain.pem'));
  const rec = recordLines(cli('--recommended', '--format', 'rdata', path.join(tmp, 'fullchain.pem')))[0];
  await fill('#match-records', `_25._tcp.mx.web.example. 3600 IN TLSA ${rec}`);
  await page.waitForSelector('#match-verdict[data-verdict=authenticated]');
  assertEqual(await page.inputValue('#match-host'), 'mx.web.example', 'the pasted owner name sets the host');
  await axe(page, 'matcher, authenticated');
  await page.screenshot({ path: path.join(artifacts, 'matcher-authenticated.png'), fullPage: true });
  const wrong = rec.slice(0, -4) + (rec.endsWith('0000') ? '1111' : '0000');
  await fill('#match-records', wrong);
  await page.waitForSelector('#match-verdict[data-verdict=not_authenticated]');
  assert((await page.textContent('#match-verdict .fix')).includes('3 1 1'), 'fix names 3 1 1');
});

await t.step('matcher: a 2 1 1 record with a wrong host name matches; the name check is its own finding', async () => {
  await page.selectOption('#lang', 'en');
  const ta = recordLines(cli('--recommended', '--format', 'rdata', path.join(tmp, 'fullchain.pem')))[1];
  assert(ta.startsWith('2 1 1 '), ta);
  await fill('#match-host', 'mx.other.example');
  await fill('#match-records', ta);
  await page.waitForSelector('#match-verdict[data-verdict=not_authenticated]');
  assertEqual(await page.getAttribute('#match-result .record', 'data-outcome'), 'matches', 'the record matches');
  const name = await page.textContent('#match-name');
  assert(name.includes('does not carry mx.other.example'), `name finding: ${name}`);
  assert(!(await page.textContent('#match-result')).includes('none matches'), 'not "none matches"');
  await axe(page, 'matcher, name check failed');
});

await t.step('settings: no accessibility violation', async () => {
  await page.click('nav a[href="/settings"]');
  await page.waitForSelector('#set-doh');
  await axe(page, 'settings');
});

await browser.close();
server.close();
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(t.finish());
