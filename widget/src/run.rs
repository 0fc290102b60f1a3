//! The functions the element's JS calls (wasm only): draw the frame, run a
//! check with the app's DoH driver and probe fetch, redraw as results
//! arrive, and hand back the event detail.

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use geleit_frontend::checker::{self, CheckRun, Probe};
use geleit_frontend::domain::{self, DomainError};
use geleit_frontend::services::{doh, probe};
use wasm_bindgen::prelude::*;

use crate::options::Options;
use crate::{dom, event, view};

fn options(attrs: &JsValue) -> Options {
    Options::from_attrs(|name| js_sys::Reflect::get(attrs, &JsValue::from_str(name)).ok().and_then(|v| v.as_string()))
}

/// Draws a widget's frame (form, status line, result area) into its shadow root.
#[wasm_bindgen]
pub fn mount(root: &web_sys::ShadowRoot, attrs: &JsValue) {
    dom::replace(root, Some(&view::frame(&options(attrs))));
}

/// Checks `input` (a domain, MX host or e-mail address) with the widget's
/// attributes, drawing progress and results into `root`. Resolves to the
/// `geleit-result` detail (JSON text), or `undefined` when the input is no
/// domain (the widget says why).
#[wasm_bindgen]
pub async fn check(root: web_sys::ShadowRoot, attrs: JsValue, input: String) -> JsValue {
    let o = options(&attrs);
    let t = o.lang.t();
    let (Some(out), Some(status)) = (root.get_element_by_id("out"), root.get_element_by_id("status")) else {
        return JsValue::UNDEFINED;
    };
    let d = match domain::parse(&input) {
        Ok(d) => d,
        Err(e) => {
            let text = if e == DomainError::Empty { t.ck_empty_domain.to_owned() } else { (t.ck_bad_domain)(input.trim()) };
            dom::replace(&out, Some(&view::problem(&text)));
            status.set_text_content(None);
            return JsValue::UNDEFINED;
        }
    };
    // Milliseconds since the epoch fit an f64 exactly until the year 287396.
    #[allow(clippy::cast_possible_truncation)]
    let now = (js_sys::Date::now() / 1000.0) as i64;
    let ascii = d.ascii.clone();
    let mut run = CheckRun::start(1, d, now);
    let draw = |run: &CheckRun| {
        if let Some(v) = checker::view(run, o.lang) {
            dom::replace(&out, Some(&view::result(&v, &o)));
            status.set_text_content(Some(&v.progress));
        }
    };
    draw(&run);
    let progress = |rounds: u32, queries: u32| {
        let (r, q) = (usize::try_from(rounds).unwrap_or(0), usize::try_from(queries).unwrap_or(0));
        status.set_text_content(Some(&(t.ck_progress_dns)(r, q)));
    };
    match doh::check(&ascii, &o.settings, now, progress).await {
        Ok(report) => run.dns_done(report),
        Err(error) => {
            run.error = Some(error);
            run.phase = checker::Phase::Done;
        }
    }
    draw(&run);
    let settings = &o.settings;
    let mut probes: FuturesUnordered<_> = run
        .hosts_to_probe()
        .into_iter()
        .map(|(index, host)| async move {
            let result = match probe::probe(&host, settings).await {
                Ok(r) => Probe::Done(r),
                Err(e) => Probe::Failed(e),
            };
            (index, result)
        })
        .collect();
    while let Some((index, result)) = probes.next().await {
        run.probe_done(index, result);
        draw(&run);
    }
    drop(probes);
    match checker::view(&run, o.lang) {
        Some(v) => JsValue::from_str(&event::detail(&run, &v, &o)),
        None => JsValue::UNDEFINED,
    }
}
