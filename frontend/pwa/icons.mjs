// Renders frontend/pwa/icon.svg to the committed icon-192.png and icon-512.png
// with headless Chromium (no image tools needed). Run after changing the SVG:
//   node frontend/pwa/icons.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../../tests/web/browser.mjs';

const dir = path.dirname(fileURLToPath(import.meta.url));
const svg = fs.readFileSync(path.join(dir, 'icon.svg'), 'utf8');
const browser = await launch();
const page = await browser.context.newPage();
for (const size of [192, 512]) {
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(`<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`);
  await page.screenshot({ path: path.join(dir, `icon-${size}.png`), omitBackground: true });
}
await browser.close();
