//! The engine's exports: `check` (a run, its updates through a callback)
//! and `reword` (the current run's view in another language).

use std::cell::RefCell;
use std::rc::Rc;

use geleit_web::drive::Recorded;
use geleit_web::engine::{Request, Session, Update};
use geleit_web::i18n::Lang;
use geleit_web::services::check;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The latest run, for [`reword`]; an older one still finishing keeps its own.
    static CURRENT: RefCell<Option<Rc<RefCell<Session>>>> = const { RefCell::new(None) };
}

/// Hands an update to the first module (as JSON).
fn send(on_update: &js_sys::Function, update: Option<Update>) {
    if let Some(u) = update {
        let _ = on_update.call1(&JsValue::NULL, &JsValue::from_str(&u.to_json()));
    }
}

/// Runs the check `request` asks for (`geleit_web::engine::Request` as
/// JSON): every change of its view goes to `on_update` (an `Update` as
/// JSON), the last one with `done` set. A kept check (`request.kept`) is
/// replayed without the network.
///
/// # Errors
/// The request cannot be read or names no host (the first module sends
/// only names it parsed), in words.
#[wasm_bindgen]
pub async fn check(request: String, on_update: js_sys::Function) -> Result<(), JsValue> {
    let request = Request::from_json(&request).map_err(|e| JsValue::from_str(&e))?;
    let session = Rc::new(RefCell::new(Session::start(&request).map_err(|e| JsValue::from_str(&e))?));
    CURRENT.with(|c| *c.borrow_mut() = Some(Rc::clone(&session)));
    send(&on_update, session.borrow().started());
    let on_step = {
        let (session, on_update) = (Rc::clone(&session), on_update.clone());
        move |step| send(&on_update, session.borrow_mut().step(step))
    };
    let domain = session.borrow().domain();
    let kept = request.kept.as_deref().and_then(Recorded::from_json);
    let (outcome, recorded) = match kept {
        Some(kept) => (check::replay(kept, &request.settings, on_step).await, None),
        None => {
            let on_wait = {
                let (session, on_update) = (Rc::clone(&session), on_update.clone());
                move |host: &str, seconds| send(&on_update, session.borrow_mut().wait(host, seconds))
            };
            let (outcome, recorded) = check::run_kept(&domain, &request.settings, request.now, on_step, on_wait).await;
            (outcome, Some(recorded))
        }
    };
    let last = session.borrow_mut().finish(outcome, recorded.as_ref());
    send(&on_update, last);
    Ok(())
}

/// Run `id`'s view in `lang` (a language tag), as an `Update` (JSON);
/// `undefined` when the engine no longer holds that run. Later updates of
/// the run come in that language too.
#[wasm_bindgen]
pub fn reword(id: u32, lang: &str) -> Option<String> {
    let lang = Lang::from_tag(lang)?;
    let session = CURRENT.with(|c| c.borrow().clone()).filter(|s| s.borrow().id() == id)?;
    let update = session.borrow_mut().reword(lang);
    update.map(|u| u.to_json())
}
