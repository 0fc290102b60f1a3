// `make bench`, phone figures: the time from navigation to a rendered verdict
// for a lab domain in headless Chromium, with network and CPU throttled like a
// mid-range phone (CDP), cold (fresh profile, no service worker) and with a
// warm service worker (a first visit installed it; a second navigation in the
// same profile). Run inside the lab (tests/lab/in), which sets GELEIT_DOH and
// GELEIT_TRUST_ANCHOR; with GELEIT_EDGE (a running lab edge) the verdict
// includes the probes, as on the real site. See bench/phone.sh.
//
// Two moments per navigation, both the page's own signals, read in the page
// with performance.now() (0 = the navigation's start):
//   - app usable: `#check-input` is in the DOM (the wasm app has loaded, started
//     and rendered its form, handlers bound);
//   - verdict rendered: `#check-verdict[data-domain=DOMAIN]` carries a verdict
//     other than `pending` (what tests/web/checker.mjs waits on).
//
// Usage: node bench/phone.mjs DIST RECORDS RUNS DOMAIN [--smoke]
//   --smoke: one run, no warm-up, no throttling, nothing written unless RECORDS
//            is given (a quick check that the page and the signals work).
// Writes one record per (navigation kind, moment) as a JSON line to RECORDS
// (the geleit-bench record format: section "phone", runs_ms, fields).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve } from '../tests/web/serve.mjs';
import { chromium } from 'playwright-core';
import { CHROMIUM } from '../tests/web/browser.mjs';

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const [dist = 'dist', records = '', runsArg = '5', domain = 'ee-spki.example'] = args.filter((a) => a !== '--smoke');
const runs = smoke ? 1 : Math.max(1, Number(runsArg) || 5);
const warmup = smoke ? 0 : 1;
const doh = process.env.GELEIT_DOH;
const anchorFile = process.env.GELEIT_TRUST_ANCHOR;
if (!doh || !anchorFile) {
  console.error('phone.mjs: run inside the lab (tests/lab/in), which sets GELEIT_DOH and GELEIT_TRUST_ANCHOR');
  process.exit(2);
}
const edge = process.env.GELEIT_EDGE || '';

// A mid-range phone on a slow mobile link (issue 14): 150 ms RTT, 1.6 Mbit/s
// down, 750 kbit/s up, CPU 4× slower (CDP; Chrome DevTools' "Slow 4G"-like profile).
export const THROTTLE = {
  network: { offline: false, latency: 150, downloadThroughput: 200_000, uploadThroughput: 93_750 },
  cpuRate: 4,
};
const throttleText = smoke
  ? 'none (smoke run)'
  : `CDP Network.emulateNetworkConditions latency ${THROTTLE.network.latency} ms, down ${THROTTLE.network.downloadThroughput} B/s (1.6 Mbit/s), up ${THROTTLE.network.uploadThroughput} B/s (750 kbit/s); Emulation.setCPUThrottlingRate ${THROTTLE.cpuRate}`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'geleit-bench-phone-'));
const config = path.join(tmp, 'geleit-config.json');
fs.writeFileSync(config, JSON.stringify({ doh, edge, anchor: fs.readFileSync(anchorFile, 'utf8') }));
// Compressed as a release's reverse proxy sends it (hosting/nginx.conf, Caddyfile): gzip.
const server = await serve(dist, 0, '127.0.0.1', config, undefined, {}, { gzip: true });
const base = `http://127.0.0.1:${server.address().port}`;
const url = `${base}/check/${domain}`;
// How many files the service worker precaches (dist/sw.js, written by scripts/web-build.sh).
const precached = JSON.parse(fs.readFileSync(path.join(dist, 'sw.js'), 'utf8').match(/const PRECACHE = (\[.*\]);/)[1]).length;

// Records the two moments in the page itself, from the first script on.
const probeScript = (want) => {
  const b = { usable: null, verdict: null, value: null };
  window.__geleitBench = b;
  const look = () => {
    if (b.usable === null && document.getElementById('check-input')) b.usable = performance.now();
    const v = document.getElementById('check-verdict');
    if (b.verdict === null && v && v.dataset.domain === want && v.dataset.verdict && v.dataset.verdict !== 'pending') {
      b.verdict = performance.now();
      b.value = v.dataset.verdict;
    }
    if (b.usable !== null && b.verdict !== null) obs.disconnect();
  };
  const obs = new MutationObserver(look);
  obs.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-verdict', 'data-domain'] });
};

// Page-level emulation: the page's own requests. The service worker's fetches
// (the network-first page on the warm navigation, the precache on install)
// run unthrottled: Chromium emulates per target, and throttling the worker's
// own target (a browser-level CDP session) made Chromium skip the worker on
// most warm navigations, which would measure a cold load instead.
async function throttle(page) {
  const cdp = await page.context().newCDPSession(page);
  if (!smoke) {
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', THROTTLE.network);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE.cpuRate });
  }
  return cdp;
}

/// One navigation in `context`: the two moments, the verdict, and where the app's files came from.
async function navigate(context, { awaitWorker = false } = {}) {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`phone.mjs: page error: ${e}`));
  await throttle(page);
  await page.addInitScript(probeScript, domain);
  const response = await page.goto(url, { waitUntil: 'commit', timeout: 120_000 });
  await page.waitForFunction(() => window.__geleitBench && window.__geleitBench.verdict !== null, null, { timeout: 180_000, polling: 100 });
  const m = await page.evaluate(() => {
    const res = performance.getEntriesByType('resource');
    const app = res.filter((r) => /\.(wasm|js)$/.test(new URL(r.name).pathname));
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      ...window.__geleitBench,
      pageResponseEnd: nav ? nav.responseEnd : null,
      // The app's wasm modules: when each had arrived (ms after navigation start).
      modules: app.filter((r) => r.name.endsWith('.wasm')).map((r) => ({ file: new URL(r.name).pathname, end: r.responseEnd })),
      // Files answered by the service worker (workerStart > 0) vs the network.
      fromWorker: app.filter((r) => r.workerStart > 0).length,
      appFiles: app.length,
      dnsQueries: res.filter((r) => new URL(r.name).pathname.endsWith('/dns-query')).length,
    };
  });
  m.navigationFromWorker = response ? response.fromServiceWorker() : false;
  // The first visit: its service worker installs (precaching the build) and takes over.
  if (awaitWorker) await waitForWorker(page);
  await page.close();
  return m;
}

/// Waits until the service worker controls the page and has cached the build.
async function waitForWorker(page) {
  await page.waitForFunction(async (want) => {
    const reg = await navigator.serviceWorker.getRegistration();
    if (!navigator.serviceWorker.controller || !reg || !reg.active || reg.active.state !== 'activated' || reg.installing || reg.waiting) return false;
    const names = (await caches.keys()).filter((n) => n.startsWith('geleit-'));
    return names.length === 1 && (await (await caches.open(names[0])).keys()).length === want;
  }, precached, { timeout: 120_000, polling: 200 });
}

const samples = { cold: [], warm: [] };
for (let i = 0; i < warmup + runs; i++) {
  // A fresh browser and profile each run (a new temporary directory: no HTTP
  // cache, no service worker; both persist across the run's two navigations).
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'geleit-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    ...CHROMIUM,
    // A phone's screen (412×915 CSS px, as DevTools' mid-range Android presets).
    viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2.625,
  });
  try {
    const cold = await navigate(context, { awaitWorker: true });
    const warm = await navigate(context);
    const tag = i < warmup ? 'warm-up' : `run ${i - warmup + 1}/${runs}`;
    console.error(`phone.mjs: ${tag}: cold usable ${cold.usable.toFixed(0)} ms, verdict ${cold.verdict.toFixed(0)} ms (${cold.value}); ` +
      `warm usable ${warm.usable.toFixed(0)} ms, verdict ${warm.verdict.toFixed(0)} ms (${warm.value}); ` +
      `warm: ${warm.fromWorker}/${warm.appFiles} app files from the service worker, page ${warm.navigationFromWorker ? 'from' : 'not from'} it; ` +
      `page arrived cold ${cold.pageResponseEnd.toFixed(0)} ms, warm ${warm.pageResponseEnd.toFixed(0)} ms; ` +
      `modules cold ${cold.modules.map((x) => x.end.toFixed(0)).join('/')} ms, warm ${warm.modules.map((x) => x.end.toFixed(0)).join('/')} ms`);
    if (i >= warmup) {
      samples.cold.push(cold);
      samples.warm.push(warm);
    }
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}
server.close();
fs.rmSync(tmp, { recursive: true, force: true });

if (records) {
  const chromium = (() => {
    try { return execFileSync(process.env.CHROMIUM || '/usr/bin/chromium', ['--version']).toString().trim(); } catch { return 'chromium'; }
  })();
  const commit = (() => {
    try {
      const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD']).toString().trim();
      const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench/report.md', ':!bench/report.json']).toString().trim();
      return dirty ? `${head} (with uncommitted changes)` : head;
    } catch { return '?'; }
  })();
  const verdictKind = edge ? 'full verdict (DNS, then probes through the lab edge on workerd)' : 'DNS-only verdict (no edge: hosts not probed)';
  const kinds = [
    ['cold', 'cold (fresh profile, no service worker)'],
    ['warm', 'warm service worker (second navigation, same profile)'],
  ];
  const lines = [];
  for (const [key, kind] of kinds) {
    const ms = samples[key];
    const uniq = (xs) => [...new Set(xs)];
    const common = {
      navigation: kind,
      throttling: throttleText,
      verdict: uniq(ms.map((m) => m.value)).join(', '),
      verdict_kind: verdictKind,
      app_files_from_service_worker: uniq(ms.map((m) => `${m.fromWorker} of ${m.appFiles}`)).join(', '),
      page_from_service_worker: uniq(ms.map((m) => m.navigationFromWorker)).join(', '),
      dns_queries: uniq(ms.map((m) => m.dnsQueries)).join(', '),
      browser: chromium,
      // This part may run alone (bench/phone.sh): its own date, commit and machine load.
      measured: `${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} at ${commit}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
    };
    const rec = (moment, runsMs, extra = {}) =>
      lines.push({ section: 'phone', subject: domain, tool: `${moment}, ${kind}`, runs_ms: runsMs, fields: { ...common, moment, ...extra } });
    // The first wasm module in (today the app is one module; issue 14 splits off the engine).
    rec('first wasm module arrived', ms.map((m) => Math.min(...m.modules.map((x) => x.end))).filter(Number.isFinite),
      { modules: uniq(ms.flatMap((m) => m.modules.map((x) => x.file))).join(', ') });
    rec('app usable', ms.map((m) => m.usable));
    rec('verdict rendered', ms.map((m) => m.verdict));
  }
  fs.appendFileSync(records, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}
process.exit(0);
