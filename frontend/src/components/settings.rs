//! Settings: DoH endpoint, edge URL, trust anchor.

use yew::prelude::*;

use super::Store;
use geleit_web::services::browser;
use geleit_web::state::{Action, Settings, SettingsField};

/// DoH endpoints a person may pick instead of the edge's (they must allow this page via CORS).
const DOH_PRESETS: [(&str, &str); 3] = [
    ("Edge", ""),
    ("Cloudflare", "https://cloudflare-dns.com/dns-query"),
    ("Quad9", "https://dns.quad9.net/dns-query"),
];

#[function_component(SettingsPage)]
pub fn settings_page() -> Html {
    let Some(store) = use_context::<Store>() else { return Html::default() };
    let t = store.lang.t();
    let change = {
        let store = store.clone();
        std::rc::Rc::new(move |f: SettingsField, value: String| {
            let t = store.lang.t();
            let mut next = store.settings.clone();
            match f {
                SettingsField::Doh => next.doh = value,
                SettingsField::Edge => next.edge = value,
                SettingsField::Anchor => next.anchor = value,
            }
            browser::save_settings(Some(&next));
            store.dispatch(Action::LoadSettings(next));
            store.dispatch(Action::Status(t.set_saved.to_owned()));
        })
    };
    let input = |f: SettingsField| {
        let change = change.clone();
        Callback::from(move |e: Event| change(f, e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))
    };
    let on_anchor = {
        let change = change.clone();
        Callback::from(move |e: Event| {
            change(SettingsField::Anchor, e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value())
        })
    };
    let on_reset = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| {
            browser::save_settings(None);
            store.dispatch(Action::LoadSettings(Settings::default()));
            store.dispatch(Action::Status(store.lang.t().set_reset_done.to_owned()));
        })
    };
    let s = &store.settings;
    html! {
        <section aria-labelledby="set-h">
            <h2 id="set-h">{ t.set_heading }</h2>
            <p>{ t.set_intro }</p>
            <div class="form">
                <div class="field wide">
                    <label for="set-doh">{ t.set_doh_label }</label>
                    <input id="set-doh" type="url" list="doh-presets" value={s.doh.clone()}
                        aria-describedby="set-doh-hint" onchange={input(SettingsField::Doh)} />
                    <datalist id="doh-presets">
                        { for DOH_PRESETS.iter().filter(|(_, u)| !u.is_empty()).map(|(n, u)| html! { <option value={*u}>{ *n }</option> }) }
                    </datalist>
                    <p class="hint" id="set-doh-hint">{ t.set_doh_hint }</p>
                </div>
                <div class="field wide">
                    <label for="set-edge">{ t.set_edge_label }</label>
                    <input id="set-edge" type="url" value={s.edge.clone()} aria-describedby="set-edge-hint"
                        onchange={input(SettingsField::Edge)} />
                    <p class="hint" id="set-edge-hint">{ t.set_edge_hint }</p>
                </div>
                <div class="field wide">
                    <label for="set-anchor">{ t.set_anchor_label }</label>
                    <textarea id="set-anchor" rows="4" spellcheck="false" value={s.anchor.clone()}
                        aria-describedby="set-anchor-hint" onchange={on_anchor} />
                    <p class="hint" id="set-anchor-hint">{ t.set_anchor_hint }</p>
                </div>
            </div>
            <button type="button" onclick={on_reset}>{ t.set_reset }</button>
        </section>
    }
}
