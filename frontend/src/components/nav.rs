//! Section links and the language switcher.

use yew::prelude::*;

use super::Store;
use geleit_web::i18n::Lang;
use geleit_web::route::Route;
use geleit_web::services::browser;
use geleit_web::state::Action;

/// Navigates inside the page (no reload) when a link is clicked.
#[must_use]
pub fn go(store: &Store, route: Route) -> Callback<MouseEvent> {
    let store = store.clone();
    Callback::from(move |e: MouseEvent| {
        if e.ctrl_key() || e.meta_key() || e.shift_key() || e.button() != 0 {
            return; // new tab/window: let the browser do it
        }
        e.prevent_default();
        browser::push_route(&route);
        store.dispatch(Action::Go(route.clone()));
    })
}

#[function_component(Nav)]
pub fn nav() -> Html {
    let Some(store) = use_context::<Store>() else { return Html::default() };
    let t = store.lang.t();
    let link = |route: Route, label: &'static str| {
        let current = match (&store.route, &route) {
            (Route::CheckDomain(_), Route::Check) => true,
            (a, b) => a == b,
        };
        html! {
            <li>
                <a href={route.to_path()} onclick={go(&store, route.clone())}
                   aria-current={current.then_some("page")}>{ label }</a>
            </li>
        }
    };
    let on_lang = {
        let store = store.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            if let Some(lang) = Lang::from_tag(&value) {
                store.dispatch(Action::SetLang(lang));
            }
        })
    };
    html! {
        <nav aria-label={t.nav_label}>
            <ul>
                { link(Route::Check, t.nav_check) }
                { link(Route::Generate, t.nav_generate) }
                { link(Route::Match, t.nav_match) }
                { link(Route::Settings, t.nav_settings) }
            </ul>
            <label class="lang">
                <span>{ t.lang_label }</span>
                <select id="lang" onchange={on_lang}>
                    { for Lang::ALL.iter().map(|l| html! {
                        <option value={l.code()} selected={*l == store.lang}>{ l.t().lang_name }</option>
                    }) }
                </select>
            </label>
        </nav>
    }
}
