// Entry module of the Geleit edge worker (what worker-build would generate):
// instantiates the wasm-bindgen output once per isolate and exports the
// `fetch` handler. build.sh bundles this with the glue into build/worker.mjs;
// the .wasm stays a separate module (Workers compile it ahead of time and
// forbid compiling code from bytes at run time).
import wasmModule from "./index_bg.wasm";
import { initSync, fetch } from "./index.js";

initSync({ module: wasmModule });

export default { fetch };
