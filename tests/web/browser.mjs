// Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven
// by playwright-core (its own browser download does not work here), with the
// flags that keep it quiet on a closed network (NOTES-toolchain.md).
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/// The browser and flags every launch uses (bench/phone.mjs launches with them too).
export const CHROMIUM = {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
};

/// `options`: more context options (tests/web/engine.mjs: `serviceWorkers: 'block'`,
/// so that its routes see every request).
export async function launch(options = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'geleit-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    ...CHROMIUM,
    viewport: { width: 1100, height: 900 },
    ...options,
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/// A tiny test runner: named steps, each may fail; a summary and exit code at the end.
export function runner() {
  const results = [];
  return {
    async step(name, fn) {
      try {
        await fn();
        results.push([name, null]);
        console.log(`ok   ${name}`);
      } catch (e) {
        results.push([name, e]);
        console.log(`FAIL ${name}\n     ${String(e && e.stack || e).split('\n').slice(0, 6).join('\n     ')}`);
      }
    },
    finish() {
      const failed = results.filter(([, e]) => e);
      console.log(`\n${results.length - failed.length} passed, ${failed.length} failed`);
      return failed.length === 0 ? 0 : 1;
    },
  };
}

export function assertEqual(actual, expected, what) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}`);
  }
}

export function assert(cond, what) {
  if (!cond) throw new Error(what);
}

// axe-core (npm, package.json) checks the page against WCAG 2.2 A/AA rules:
// contrast (the focus ring included where shown), names, roles, landmarks.
const axeSource = fs.readFileSync(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/// Runs axe-core on the page (shadow roots included) and fails with every
/// violation, its rule, impact and the elements, for page state `what`.
export async function axe(page, what) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(axeSource);
  }
  const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), AXE_TAGS);
  const violations = result.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help}\n       ${v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}${n.failureSummary ? ' — ' + n.failureSummary.split('\n').slice(1, 2).join('').trim() : ''}`).join('\n       ')}`);
  if (violations.length) throw new Error(`axe, ${what}: ${violations.length} violation(s)\n     ${violations.join('\n     ')}`);
  return result.passes.length;
}
