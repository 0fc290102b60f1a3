//! The engine's one export: a check run in the browser by the app's driver
//! of the core's check machine (`geleit_web::services::check`), drawn
//! as results arrive (DNS progress, the DNS stage, each probe), resolving
//! to the event detail.

use geleit_web::checker::{self, CheckRun};
use geleit_web::drive::Step;
use geleit_web::services::check as browser_check;
use geleit_widget::dom::{self, domain_or_problem, options};
use geleit_widget::{event, view};
use wasm_bindgen::prelude::*;

/// Checks `input` (a domain, MX host or e-mail address) in the browser with
/// the widget's attributes (`doh`, `anchor`, `edge`), drawing progress and
/// results into `root`. Resolves to the `geleit-result` detail (JSON text,
/// with the core's whole verdict as `result`), or `undefined` when the
/// input is no domain (the widget says why).
#[wasm_bindgen]
pub async fn check(root: web_sys::ShadowRoot, attrs: JsValue, input: String) -> JsValue {
    let o = options(&attrs);
    let t = o.lang.t();
    let (Some(out), Some(status)) = (root.get_element_by_id("out"), root.get_element_by_id("status")) else {
        return JsValue::UNDEFINED;
    };
    let Some(d) = domain_or_problem(&root, &o, &input) else { return JsValue::UNDEFINED };
    // Milliseconds since the epoch fit an f64 exactly until the year 287396.
    #[allow(clippy::cast_possible_truncation)]
    let now = (js_sys::Date::now() / 1000.0) as i64;
    let ascii = d.written(false);
    let mut run = CheckRun::start(1, d, now);
    let draw = |run: &CheckRun| {
        if let Some(v) = checker::view(run, o.lang) {
            dom::replace(&out, Some(&view::result(&v, &o)));
            status.set_text_content(Some(&v.progress));
        }
    };
    draw(&run);
    let outcome = browser_check::run(&ascii, &o.settings, now, |step| {
        if let Step::Dns { rounds, queries } = step {
            // Progress only: the status line, not the whole result.
            let (r, q) = (usize::try_from(rounds).unwrap_or(0), usize::try_from(queries).unwrap_or(0));
            status.set_text_content(Some(&(t.ck_progress_dns)(r, q)));
        }
        run.step(step);
        if run.dns.is_some() {
            draw(&run);
        }
    })
    .await;
    match outcome {
        Ok(outcome) => run.finish(outcome),
        Err(error) => run.fail(error),
    }
    draw(&run);
    let verdict = run.verdict();
    let result = verdict.as_ref().and_then(|v| serde_json::to_string(v).ok());
    let authenticated = verdict.as_ref().is_some_and(|v| v.authenticated);
    match checker::view(&run, o.lang) {
        Some(v) => JsValue::from_str(&event::detail(&v, authenticated, &o, result.as_deref())),
        None => JsValue::UNDEFINED,
    }
}
