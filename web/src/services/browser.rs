//! Browser services: clock, language preferences, history, clipboard,
//! local storage, reading files, downloads.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::Lang;
use crate::route::Route;
use crate::state::Settings;

const SETTINGS_KEY: &str = "geleit.settings";
const LANG_KEY: &str = "geleit.lang";

/// Unix seconds now, from the browser's clock.
#[must_use]
pub fn now() -> i64 {
    // Milliseconds since the epoch fit an f64 exactly until the year 287396.
    #[allow(clippy::cast_possible_truncation)]
    let secs = (js_sys::Date::now() / 1000.0) as i64;
    secs
}

/// The language chosen before (local storage), else the browser's preference.
#[must_use]
pub fn initial_lang() -> Lang {
    if let Some(lang) = storage().and_then(|s| s.get_item(LANG_KEY).ok().flatten()).and_then(|t| Lang::from_tag(&t)) {
        return lang;
    }
    let tags: Vec<String> = web_sys::window()
        .map(|w| w.navigator().languages().iter().filter_map(|v| v.as_string()).collect())
        .unwrap_or_default();
    Lang::from_preferences(&tags)
}

/// Remembers the chosen language and sets `<html lang>`.
pub fn set_lang(lang: Lang) {
    if let Some(s) = storage() {
        let _ = s.set_item(LANG_KEY, lang.code());
    }
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang.code());
    }
}

/// Sets the document title.
pub fn set_title(title: &str) {
    if let Some(d) = web_sys::window().and_then(|w| w.document()) {
        d.set_title(title);
    }
}

/// The route of the current address.
#[must_use]
pub fn current_route() -> Route {
    let path = web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_default();
    Route::from_path(&path)
}

/// Pushes a route onto the history (no reload).
pub fn push_route(route: &Route) {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&route.to_path()));
    }
}

/// Keeps a finished check in the current history entry (`history.state`),
/// if the address still shows `route`: a reload, Back or Forward shows it
/// again without asking the network. `kept` is its record as JSON
/// ([`crate::drive::Recorded::to_json`], as the engine module sends it).
pub fn keep_check(kept: &str, route: &Route) {
    if current_route() != *route {
        return;
    }
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state(&wasm_bindgen::JsValue::from_str(kept), "");
    }
}

/// The check kept in the current history entry, if any.
#[must_use]
pub fn kept_check() -> Option<crate::engine::Kept> {
    let state = web_sys::window()?.history().ok()?.state().ok()?;
    crate::engine::Kept::from_json(&state.as_string()?)
}

/// Settings saved in this browser.
#[must_use]
pub fn saved_settings() -> Option<Settings> {
    let text = storage()?.get_item(SETTINGS_KEY).ok()??;
    Settings::from_json(&text)
}

/// Saves settings in this browser; `None` forgets them.
pub fn save_settings(settings: Option<&Settings>) {
    if let Some(s) = storage() {
        let _ = match settings {
            Some(v) => s.set_item(SETTINGS_KEY, &v.to_json()),
            None => s.remove_item(SETTINGS_KEY),
        };
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Copies text to the clipboard.
pub async fn copy(text: &str) -> bool {
    let Some(w) = web_sys::window() else { return false };
    JsFuture::from(w.navigator().clipboard().write_text(text)).await.is_ok()
}

/// Reads a chosen or dropped file.
pub async fn read_file(file: &web_sys::File) -> Option<Vec<u8>> {
    let buf = JsFuture::from(file.array_buffer()).await.ok()?;
    Some(js_sys::Uint8Array::new(&buf).to_vec())
}

/// Offers text as a file download.
pub fn download(name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let bag = web_sys::BlobPropertyBag::new();
    bag.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &bag) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Some(a) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Whether the browser has a network (`navigator.onLine`; `true` when it cannot tell).
#[must_use]
pub fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Registers the service worker `/sw.js` (scope `/`) that precaches the app
/// for offline use. It exists only in a `scripts/web-build.sh` build; without
/// it (`trunk serve`), or where the browser has no service workers (not a
/// secure context), the registration fails quietly and the page works online.
pub fn register_service_worker() {
    let Some(window) = web_sys::window() else { return };
    let navigator = window.navigator();
    // `navigator.serviceWorker` is missing outside secure contexts: check before touching it.
    if !js_sys::Reflect::has(&navigator, &wasm_bindgen::JsValue::from_str("serviceWorker")).unwrap_or(false) {
        return;
    }
    let promise = navigator.service_worker().register("/sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        let _ = JsFuture::from(promise).await;
    });
}

/// Moves keyboard focus to the element with this id (it needs `tabindex`).
pub fn focus(id: &str) {
    if let Some(e) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = e.focus();
    }
}
