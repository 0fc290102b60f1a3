//! The engine module (frontend/engine/: the checker's machinery, see
//! `geleit_web::engine`), from the first module's side: fetched with
//! `import()` as the page starts (not before: fetched in parallel with this
//! module it took its bandwidth, and both the page and the verdict came
//! later on the phone profile, bench/phone.sh), then asked for checks. Only
//! bytes move here: the requests and updates are the web layer's, as JSON.
//!
//! index.html names the files: `<meta id="geleit-engine" content=…>` (its
//! wasm-bindgen glue) and `<meta id="geleit-engine-wasm" content=…>` (its
//! wasm); scripts/web-build.sh puts in their hashed names.

use std::cell::RefCell;

use geleit_web::engine::{Request, Update};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(inline_js = "export function geleit_import_engine(js, wasm) {
  return import(js).then(async (m) => { await m.default({ module_or_path: wasm }); return m; });
}")]
extern "C" {
    /// `import()`s the glue at `js` and instantiates the wasm at `wasm`; resolves to the module.
    #[wasm_bindgen(catch)]
    fn geleit_import_engine(js: &str, wasm: &str) -> Result<js_sys::Promise, JsValue>;
}

thread_local! {
    /// The loaded engine module (its exports), once it arrived.
    static MODULE: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// The engine's two files as index.html names them.
fn urls() -> Option<(String, String)> {
    let doc = web_sys::window()?.document()?;
    let href = |id: &str| doc.get_element_by_id(id)?.get_attribute("content").filter(|h| !h.is_empty());
    Some((href("geleit-engine")?, href("geleit-engine-wasm")?))
}

/// Fetches and starts the engine module; `false` when it did not arrive.
/// A later `attempt` asks past any failure the browser remembers for the
/// first URL (a fresh query string).
pub async fn load(attempt: u32) -> bool {
    let Some((js, wasm)) = urls() else { return false };
    let (js, wasm) = if attempt == 0 {
        (js, wasm)
    } else {
        (format!("{js}?attempt={attempt}"), format!("{wasm}?attempt={attempt}"))
    };
    let Ok(promise) = geleit_import_engine(&js, &wasm) else { return false };
    match JsFuture::from(promise).await {
        Ok(module) => {
            MODULE.with(|m| *m.borrow_mut() = Some(module));
            true
        }
        Err(_) => false,
    }
}

/// One of the engine module's exports.
fn export(name: &str) -> Result<js_sys::Function, String> {
    let module = MODULE.with(|m| m.borrow().clone()).ok_or("the engine module is not loaded")?;
    js_sys::Reflect::get(&module, &JsValue::from_str(name))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| format!("the engine module has no {name}()"))
}

/// Words for a JavaScript error value.
fn words(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.to_string())))
        .unwrap_or_else(|| "the engine module failed".to_owned())
}

/// Runs `request` in the engine: each update (or why one could not be
/// read) goes to `on_update` as it comes; resolves when the run is over.
///
/// # Errors
/// The engine is not loaded, or it broke off the run (a crash), in words.
pub async fn check(
    request: &Request,
    mut on_update: impl FnMut(Result<Update, String>) + 'static,
) -> Result<(), String> {
    let check = export("check")?;
    let callback = Closure::<dyn FnMut(String)>::new(move |text: String| on_update(Update::from_json(&text)));
    let promise = check
        .call2(&JsValue::NULL, &JsValue::from_str(&request.to_json()), callback.as_ref())
        .map_err(|e| words(&e))?;
    let result = JsFuture::from(js_sys::Promise::resolve(&promise)).await.map(drop).map_err(|e| words(&e));
    drop(callback);
    result
}

/// Run `id`'s latest update in `lang`'s words (the language was switched),
/// if the engine still holds that run.
#[must_use]
pub fn reword(id: u32, lang: geleit_web::i18n::Lang) -> Option<Update> {
    let reword = export("reword").ok()?;
    let text = reword.call2(&JsValue::NULL, &JsValue::from(id), &JsValue::from_str(lang.code())).ok()?.as_string()?;
    Update::from_json(&text).ok()
}
