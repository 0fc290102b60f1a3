//! The default module's exports (wasm only): draw the frame, say which mode
//! a widget runs in, and in default mode turn the edge's `/api/check` answer
//! into the result and the event detail. The request itself is one `fetch`
//! on the JS side (widget/geleit-check.js). In-browser mode (`doh` set):
//! the JS side runs the app's engine module (frontend/engine/) with the
//! request [`request`] writes and hands each of its updates to [`update`],
//! which draws it and, at the end, gives the event detail.

use geleit_web::domain::Domain;
use wasm_bindgen::prelude::*;

use crate::dom::{self, domain_or_problem, options};
use crate::edge::{self, Answer};
use crate::engine;
use crate::options::{Mode, Options};
use crate::{event, view};

/// Draws a widget's frame (form, status line, result area) into its shadow root.
#[wasm_bindgen]
pub fn mount(root: &web_sys::ShadowRoot, attrs: &JsValue) {
    dom::replace(root, Some(&view::frame(&options(attrs))));
}

/// Whether the widget checks in the browser (`doh` set: load the engine
/// module) rather than asking its edge.
#[wasm_bindgen]
pub fn in_browser(attrs: &JsValue) -> bool {
    options(attrs).mode() == Mode::Browser
}

/// Default mode, step one: the URL of the edge's check of `input`, after
/// drawing the "checking" status; `undefined` (and the reason drawn) when
/// the input is no domain.
#[wasm_bindgen]
pub fn start(root: &web_sys::ShadowRoot, attrs: &JsValue, input: &str) -> Option<String> {
    let o = options(attrs);
    let d = checking(root, &o, input)?;
    Some(o.check_url(&d.ascii, d.direct))
}

/// `input` as a domain, after drawing the "checking" status; `None` (and
/// the reason drawn) when it is none.
fn checking(root: &web_sys::ShadowRoot, o: &Options, input: &str) -> Option<Domain> {
    let d = domain_or_problem(root, o, input)?;
    if let Some(out) = root.get_element_by_id("out") {
        dom::replace(&out, None);
    }
    if let Some(status) = root.get_element_by_id("status") {
        let shown = if d.unicode.is_empty() { &d.ascii } else { &d.unicode };
        status.set_text_content(Some(&view::checking(o.lang, shown)));
    }
    Some(d)
}

/// In-browser mode, step one: the engine module's request (JSON,
/// `geleit_web::engine::Request`) to check `input` as run `id` with the
/// widget's `doh`, `anchor` and `edge`, after drawing the "checking"
/// status; `undefined` (and the reason drawn) when the input is no domain.
#[wasm_bindgen]
pub fn request(root: &web_sys::ShadowRoot, attrs: &JsValue, input: &str, id: u32) -> Option<String> {
    let o = options(attrs);
    let d = checking(root, &o, input)?;
    // Milliseconds since the epoch fit an f64 exactly until the year 287396.
    #[allow(clippy::cast_possible_truncation)]
    let now = (js_sys::Date::now() / 1000.0) as i64;
    Some(engine::request(&d, &o, id, now))
}

/// In-browser mode, step two, for each update the engine sends (JSON,
/// `geleit_web::engine::Update`): draws its view; the last one (`done`)
/// returns the `geleit-result` detail (JSON text, with the core verdict's
/// JSON from the engine's export), the others `undefined`. An update that
/// cannot be read ends the check as `failed`, saying why.
#[wasm_bindgen]
pub fn update(root: &web_sys::ShadowRoot, attrs: &JsValue, input: &str, update: &str) -> Option<String> {
    let o = options(attrs);
    let d = domain_or_problem(root, &o, input)?;
    let (v, done, authenticated, result) = match engine::read(update) {
        Ok(p) => (p.view, p.done, p.authenticated, p.result),
        Err(why) => (edge::view(&d, &Answer::Unreadable(why), o.lang), true, false, None),
    };
    if let Some(out) = root.get_element_by_id("out") {
        dom::replace(&out, Some(&view::result(&v, &o)));
    }
    if let Some(s) = root.get_element_by_id("status") {
        s.set_text_content(Some(&v.progress));
    }
    done.then(|| event::detail(&v, authenticated, &o, result.as_deref()))
}

/// Default mode, step two: the edge's answer (`status` 0 when the request
/// failed, the `Retry-After` header, the body) drawn as the result; returns
/// the `geleit-result` detail (JSON text, with the core verdict's JSON as
/// the edge sent it beside its words), or `undefined` for input that is no domain.
#[wasm_bindgen]
pub fn show(
    root: &web_sys::ShadowRoot,
    attrs: &JsValue,
    input: &str,
    status: u16,
    retry_after: Option<String>,
    body: &str,
) -> Option<String> {
    let o = options(attrs);
    let d = domain_or_problem(root, &o, input)?;
    let answer = edge::read(&d, status, retry_after.as_deref(), body);
    let v = edge::view(&d, &answer, o.lang);
    let (authenticated, result) = match &answer {
        Answer::Verdict(w) => (w.authenticated, Some(w.verdict.as_str())),
        _ => (false, None),
    };
    if let Some(out) = root.get_element_by_id("out") {
        dom::replace(&out, Some(&view::result(&v, &o)));
    }
    if let Some(s) = root.get_element_by_id("status") {
        s.set_text_content(Some(if v.retry { &v.progress } else { o.lang.t().ck_progress_done }));
    }
    Some(event::detail(&v, authenticated, &o, result))
}
