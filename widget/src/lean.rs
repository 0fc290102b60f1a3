//! The default module's exports (wasm only): draw the frame, say which mode
//! a widget runs in, and in default mode turn the edge's `/api/check` answer
//! into the result and the event detail. The request itself is one `fetch`
//! on the JS side (widget/geleit-check.js); in-browser mode is the engine
//! module (widget/engine/).

use wasm_bindgen::prelude::*;

use crate::dom::{self, domain_or_problem, options};
use crate::edge::{self, Answer};
use crate::options::Mode;
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
    let d = domain_or_problem(root, &o, input)?;
    if let Some(out) = root.get_element_by_id("out") {
        dom::replace(&out, None);
    }
    if let Some(status) = root.get_element_by_id("status") {
        let shown = if d.unicode.is_empty() { &d.ascii } else { &d.unicode };
        status.set_text_content(Some(&view::checking(o.lang, shown)));
    }
    Some(o.check_url(&d.ascii, d.direct))
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
        Answer::Verdict(w) => (w.authenticated, Some(w.verdict.get())),
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
