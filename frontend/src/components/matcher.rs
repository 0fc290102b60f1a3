//! The matcher: a pasted chain and TLSA records → which record matches what.

use yew::prelude::*;

use super::Store;
use super::generator::problem;
use geleit_web::i18n::Strings;
use geleit_web::matcher::{MatchView, VerdictView};
use geleit_web::state::{Action, MatchField};

#[function_component(MatcherPage)]
pub fn matcher_page() -> Html {
    let Some(store) = use_context::<Store>() else { return Html::default() };
    let t = store.lang.t();
    let area = |f: MatchField| {
        let store = store.clone();
        Callback::from(move |e: InputEvent| {
            store.dispatch(Action::Match(f, e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value()));
        })
    };
    let on_host = {
        let store = store.clone();
        Callback::from(move |e: InputEvent| {
            store.dispatch(Action::Match(
                MatchField::Host,
                e.target_unchecked_into::<web_sys::HtmlInputElement>().value(),
            ));
        })
    };
    let form = &store.match_form;
    html! {
        <section aria-labelledby="match-h">
            <h2 id="match-h">{ t.match_heading }</h2>
            <p>{ t.match_intro }</p>
            <p class="offline-note">{ t.nothing_uploaded }</p>
            <div class="form">
                <div class="field wide">
                    <label for="match-chain">{ t.match_chain_label }</label>
                    <textarea id="match-chain" rows="7" spellcheck="false" aria-describedby="match-chain-hint"
                        value={form.chain.clone()} oninput={area(MatchField::Chain)} />
                    <p class="hint" id="match-chain-hint">{ t.match_chain_hint }</p>
                </div>
                <div class="field wide">
                    <label for="match-records">{ t.match_records_label }</label>
                    <textarea id="match-records" rows="4" spellcheck="false" aria-describedby="match-records-hint"
                        value={form.records.clone()} oninput={area(MatchField::Records)} />
                    <p class="hint" id="match-records-hint">{ t.match_records_hint }</p>
                </div>
                <div class="field">
                    <label for="match-host">{ t.match_host_label }</label>
                    <input id="match-host" type="text" spellcheck="false" aria-describedby="match-host-hint"
                        value={form.host.clone()} oninput={on_host} />
                    <p class="hint" id="match-host-hint">{ t.match_host_hint }</p>
                </div>
            </div>
            <div id="match-result" class="result">
                { match &store.matched {
                    None => Html::default(),
                    Some(Err(p)) => problem(p),
                    Some(Ok(view)) => match_view(view, t),
                } }
            </div>
        </section>
    }
}

/// A verdict box.
pub fn verdict(v: &VerdictView, id: &str) -> Html {
    html! {
        <div class={format!("verdict {}", v.tone)} id={id.to_owned()} data-verdict={v.class}>
            <p class="headline">{ v.headline }</p>
            <p>{ v.why.clone() }</p>
            { for v.fix.as_ref().map(|f| html! { <p class="fix">{ f.clone() }</p> }) }
        </div>
    }
}

/// The records and chain of one match report.
pub fn match_view(view: &MatchView, t: &Strings) -> Html {
    html! {
        <>
            { verdict(&view.verdict, "match-verdict") }
            { for view.name_check.as_ref().map(|n| html! { <p class="finding error" id="match-name" data-code="name_mismatch">{ n.clone() }</p> }) }
            { for view.notes.iter().map(|n| html! { <p class="note">{ n.clone() }</p> }) }
            <h3>{ t.match_records }</h3>
            <ul class="records">
                { for view.records.iter().map(|r| html! {
                    <li class={format!("record {}", r.class)} data-outcome={r.class}>
                        <code class="rdata">{ r.rdata.clone() }</code>
                        <div class="status">{ r.status.clone() }</div>
                        <div class="explain">{ r.explanation.clone() }</div>
                        { for r.reasons.iter().map(|x| html! { <div class="fix">{ x.clone() }</div> }) }
                        <details><summary>{ t.match_detail }</summary><p class="detail">{ r.detail.clone() }</p></details>
                    </li>
                }) }
            </ul>
            <h3>{ t.match_chain }</h3>
            <ol class="chain" start="0">
                { for view.chain.iter().map(|c| html! {
                    <li>
                        <div><strong>{ (t.place_depth)(c.depth) }</strong>{ ": " }{ c.subject.clone() }</div>
                        <div>{ t.gen_issuer }{ ": " }{ c.issuer.clone() }</div>
                        <div>{ c.validity.clone() }{ " · " }{ c.key.clone() }</div>
                    </li>
                }) }
            </ol>
        </>
    }
}
