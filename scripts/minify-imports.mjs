// Shortens the names of a wasm-bindgen module's imports from its glue
// (module "./<name>_bg.js": `__wbg_addEventListener_775911544ac9d643` and the like)
// to a few characters, in the wasm's import section and in the glue alike,
// as Emscripten minifies its imports. The names carry a 16-digit hash each
// that gzip cannot compress, twice (wasm and JS): about 1.5 KB gzip of the
// web app's first module (issue 14). Nothing else changes: the other
// sections are copied byte for byte, and every name must occur in the glue
// (else the script fails and writes nothing).
//
//   node scripts/minify-imports.mjs MODULE_bg.wasm GLUE.js
import fs from 'node:fs';

const [wasmPath, jsPath] = process.argv.slice(2);
if (!wasmPath || !jsPath) {
  console.error('usage: node scripts/minify-imports.mjs MODULE_bg.wasm GLUE.js');
  process.exit(2);
}
const wasm = fs.readFileSync(wasmPath);
let js = fs.readFileSync(jsPath, 'utf8');
const fail = (why) => {
  console.error(`minify-imports: ${wasmPath}: ${why}`);
  process.exit(1);
};

function leb(buf, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (at >= buf.length) fail('truncated LEB128');
    const b = buf[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}
function encodeLeb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}
const name = (s) => Buffer.concat([encodeLeb(Buffer.byteLength(s)), Buffer.from(s)]);

if (wasm.readUInt32LE(0) !== 0x6d736100) fail('not a wasm module');
// Short names: a letter or `$`/`_` first, then letters and digits; never a
// name the glue already uses (checked below).
const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const short = (i) => {
  let s = '';
  do {
    s += alphabet[i % alphabet.length];
    i = Math.floor(i / alphabet.length);
  } while (i > 0);
  return `_${s}`;
};

const parts = [wasm.subarray(0, 8)];
const renames = new Map();
let at = 8;
while (at < wasm.length) {
  const start = at;
  const id = wasm[at++];
  let size;
  [size, at] = leb(wasm, at);
  const end = at + size;
  if (id !== 2) {
    parts.push(wasm.subarray(start, end));
    at = end;
    continue;
  }
  // The import section (id 2): count, then (module, field, kind, type) each.
  let count;
  let p = at;
  [count, p] = leb(wasm, p);
  const entries = [encodeLeb(count)];
  for (let i = 0; i < count; i++) {
    let len;
    [len, p] = leb(wasm, p);
    const module = wasm.subarray(p, p + len).toString();
    p += len;
    [len, p] = leb(wasm, p);
    const field = wasm.subarray(p, p + len).toString();
    p += len;
    const descStart = p;
    const kind = wasm[p++];
    if (kind === 0) [, p] = leb(wasm, p); // function: type index
    else if (kind === 1) { p++; let flags; [flags, p] = leb(wasm, p); [, p] = leb(wasm, p); if (flags & 1) [, p] = leb(wasm, p); } // table
    else if (kind === 2) { let flags; [flags, p] = leb(wasm, p); [, p] = leb(wasm, p); if (flags & 1) [, p] = leb(wasm, p); } // memory
    else if (kind === 3) p += 2; // global: type, mutability
    else if (kind === 4) { p++; [, p] = leb(wasm, p); } // tag
    else fail(`import kind ${kind} unknown`);
    let renamed = field;
    if (module.endsWith('_bg.js') && /^__wbg_|^__wbindgen_/.test(field)) {
      if (!renames.has(field)) renames.set(field, short(renames.size));
      renamed = renames.get(field);
    }
    entries.push(name(module), name(renamed), wasm.subarray(descStart, p));
  }
  if (p !== end) fail('the import section does not end where its size says');
  const body = Buffer.concat(entries);
  parts.push(Buffer.from([2]), encodeLeb(body.length), body);
  at = end;
}

for (const [from, to] of renames) {
  if (new RegExp(`\\b${to}\\b`).test(js)) fail(`the glue already uses the name ${to}`);
  const pattern = new RegExp(`\\b${from}\\b`, 'g');
  const n = (js.match(pattern) || []).length;
  if (n === 0) fail(`the glue does not name the import ${from}`);
  js = js.replace(pattern, to);
}
fs.writeFileSync(wasmPath, Buffer.concat(parts));
fs.writeFileSync(jsPath, js);
console.log(`minify-imports: ${renames.size} imports renamed in ${wasmPath}`);
