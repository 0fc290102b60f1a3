//! The root: state store, routing, language, settings presets, layout.

use std::rc::Rc;

use yew::prelude::*;

use super::generator::GeneratorPage;
use super::matcher::MatcherPage;
use super::nav::Nav;
use super::settings::SettingsPage;
use super::{AppState, Store};
use geleit_web::route::Route;
use geleit_web::services::{browser, config};
use geleit_web::state::{Action, State};

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(Self(self.0.clone().reduce(action)))
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let store = use_reducer(|| {
        AppState(
            State::new(browser::initial_lang(), browser::current_route(), browser::now())
                .reduce(Action::Online(browser::online())),
        )
    });

    // The engine module (the checker's machinery): index.html preloads it with
    // the page; it starts here, and again when the reducer asks for another attempt.
    {
        let store = store.clone();
        use_effect_with(store.engine_attempt, move |attempt| {
            let attempt = *attempt;
            wasm_bindgen_futures::spawn_local(async move {
                let loaded = crate::engine::load(attempt).await;
                store.dispatch(Action::EngineLoaded(loaded));
            });
        });
    }
    // Settings: saved in this browser, else the deployment's preset.
    {
        let store = store.clone();
        use_effect_with((), move |()| {
            if let Some(saved) = browser::saved_settings() {
                store.dispatch(Action::LoadSettings(saved));
            } else {
                wasm_bindgen_futures::spawn_local(async move {
                    let preset = config::deployment_settings().await.unwrap_or_default();
                    store.dispatch(Action::LoadSettings(preset));
                });
            }
        });
    }
    // Back/forward buttons.
    {
        let store = store.clone();
        use_effect_with((), move |()| {
            let listener = listen("popstate", move || store.dispatch(Action::Go(browser::current_route())));
            move || drop(listener)
        });
    }
    // The network coming and going (the checker needs it); the service worker
    // that keeps the app usable offline (sw.js, written by scripts/web-build.sh).
    {
        let store = store.clone();
        use_effect_with((), move |()| {
            let on = store.clone();
            let online = listen("online", move || on.dispatch(Action::Online(true)));
            let offline = listen("offline", move || store.dispatch(Action::Online(false)));
            browser::register_service_worker();
            move || drop((online, offline))
        });
    }
    // After moving to another section, put keyboard focus on the new content.
    {
        let first = use_mut_ref(|| true);
        let section = std::mem::discriminant(&store.route);
        use_effect_with(section, move |_| {
            if !std::mem::replace(&mut *first.borrow_mut(), false) {
                browser::focus("main");
            }
        });
    }
    {
        let lang = store.lang;
        use_effect_with(lang, move |lang| {
            browser::set_lang(*lang);
            browser::set_title(lang.t().app_title);
        });
    }

    let t = store.lang.t();
    let page = match &store.route {
        Route::Generate => html! { <GeneratorPage /> },
        Route::Match => html! { <MatcherPage /> },
        Route::Settings => html! { <SettingsPage /> },
        Route::Check | Route::CheckDomain(_) => html! { <super::checker::CheckerPage /> },
    };
    html! {
        <ContextProvider<Store> context={Store::new(store.clone())}>
            <a class="skip" href="#main">{ t.skip_to_content }</a>
            <header>
                <h1><a href="/" class="brand">{ "Geleit" }</a></h1>
                <p class="tagline">{ t.tagline }</p>
                <Nav />
            </header>
            <main id="main" tabindex="-1">{ page }</main>
            <div class="sr-only" role="status" aria-live="polite" aria-atomic="true">{ store.status.clone() }</div>
        </ContextProvider<Store>>
    }
}

/// Listens to a `window` event (`popstate`, `online`, `offline`) until dropped.
fn listen(event: &'static str, f: impl Fn() + 'static) -> Option<WindowListener> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let window = web_sys::window()?;
    let closure = Closure::<dyn Fn()>::new(f);
    window.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref()).ok()?;
    Some(WindowListener { event, closure })
}

struct WindowListener {
    event: &'static str,
    closure: wasm_bindgen::closure::Closure<dyn Fn()>,
}

impl Drop for WindowListener {
    fn drop(&mut self) {
        use wasm_bindgen::JsCast;
        if let Some(w) = web_sys::window() {
            let _ = w.remove_event_listener_with_callback(self.event, self.closure.as_ref().unchecked_ref());
        }
    }
}
