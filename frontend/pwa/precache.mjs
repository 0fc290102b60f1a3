// Writes DIST/sw.js from frontend/pwa/sw.js for the build in DIST: the list
// of every file there (whatever Trunk emitted: hashed wasm/js/css, one bundle
// or several, the manifest and icons) and a build id hashed from their names
// and contents (and the service worker's code). Run by scripts/web-build.sh after `trunk build`.
//
// Usage: node frontend/pwa/precache.mjs [DIST]   (prints the build id and the file count)
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(process.argv[2] || 'dist');
const template = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sw.js');

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.')) return [];
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full) : [full];
  });
}

const files = walk(dist)
  .map((f) => path.relative(dist, f).split(path.sep).join('/'))
  .filter((f) => f !== 'sw.js')
  .sort();
if (!files.includes('index.html')) {
  console.error(`precache: ${dist} has no index.html (run trunk build first)`);
  process.exit(1);
}

let sw = fs.readFileSync(template, 'utf8');
// The id covers the service worker's own code too: a change there alone also
// gets a fresh cache.
const hash = crypto.createHash('sha256').update(sw).update('\0');
for (const f of files) {
  hash.update(`${f}\0`);
  hash.update(fs.readFileSync(path.join(dist, f)));
  hash.update('\0');
}
const build = hash.digest('hex').slice(0, 16);
// index.html is the app shell for every route: cached as `/` (the page's own
// fetches of /index.html, if any, stay on the network).
const urls = files.map((f) => (f === 'index.html' ? '/' : `/${f.split('/').map(encodeURIComponent).join('/')}`));

for (const [placeholder, value] of [["'__GELEIT_BUILD__'", JSON.stringify(build)], ["['__GELEIT_PRECACHE__']", JSON.stringify(urls)]]) {
  if (!sw.includes(placeholder)) {
    console.error(`precache: ${template} lacks ${placeholder}`);
    process.exit(1);
  }
  sw = sw.replace(placeholder, () => value);
}
fs.writeFileSync(path.join(dist, 'sw.js'), sw);
console.log(`service worker: build ${build}, ${urls.length} files precached`);
