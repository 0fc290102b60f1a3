// Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven
// by playwright-core (its own browser download does not work here), with the
// flags that keep it quiet on a closed network (NOTES-toolchain.md).
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export async function launch() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'geleit-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1100, height: 900 },
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
