//! The TLSA generator: paste or drop a certificate, get the records.

use yew::prelude::*;

use super::Store;
use super::copy_button::CopyButton;
use geleit_web::generator::{GenView, Problem, RecordView};
use geleit_web::i18n::Strings;
use geleit_web::services::browser;
use geleit_web::state::{Action, GenField};

#[function_component(GeneratorPage)]
pub fn generator_page() -> Html {
    let Some(store) = use_context::<Store>() else { return Html::default() };
    let t = store.lang.t();
    let field = |f: GenField| {
        let store = store.clone();
        Callback::from(move |e: InputEvent| {
            let target = e.target_unchecked_into::<web_sys::HtmlInputElement>();
            store.dispatch(Action::Gen(f, target.value()));
        })
    };
    let on_text = {
        let store = store.clone();
        Callback::from(move |e: InputEvent| {
            let target = e.target_unchecked_into::<web_sys::HtmlTextAreaElement>();
            store.dispatch(Action::Gen(GenField::Text, target.value()));
        })
    };
    let read = {
        let store = store.clone();
        move |file: Option<web_sys::File>| {
            let Some(file) = file else { return };
            let store = store.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Some(bytes) = browser::read_file(&file).await {
                    store.dispatch(Action::GenFile(file.name(), bytes));
                }
            });
        }
    };
    let on_file = {
        let read = read.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<web_sys::HtmlInputElement>();
            read(input.files().and_then(|f| f.get(0)));
        })
    };
    let on_drop = Callback::from(move |e: DragEvent| {
        e.prevent_default();
        read(e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)));
    });
    let on_dragover = Callback::from(|e: DragEvent| e.prevent_default());
    let form = &store.gen_form;
    let file_note = store.gen_file.as_ref().map(|(name, bytes)| {
        html! {
            <p class="file-note" id="gen-file-note">{ format!("{name} ({} B)", bytes.len()) }</p>
        }
    });

    html! {
        <section aria-labelledby="gen-h">
            <h2 id="gen-h">{ t.gen_heading }</h2>
            <p>{ t.gen_intro }</p>
            <p class="offline-note">{ t.nothing_uploaded }</p>
            <div class="form">
                <div class="field wide">
                    <label for="gen-input">{ t.gen_input_label }</label>
                    <textarea id="gen-input" rows="8" spellcheck="false" autocomplete="off"
                        aria-describedby="gen-input-hint" value={form.text.clone()}
                        oninput={on_text} ondrop={on_drop} ondragover={on_dragover}
                        placeholder="-----BEGIN CERTIFICATE-----" />
                    <p class="hint" id="gen-input-hint">{ t.gen_input_hint }{ " " }{ t.gen_drop_here }</p>
                </div>
                <div class="field wide">
                    <label for="gen-file">{ t.gen_file_label }</label>
                    <input id="gen-file" type="file" accept=".pem,.crt,.cer,.der,.csr,.pub,.key" onchange={on_file} />
                    { for file_note }
                </div>
                <div class="field">
                    <label for="gen-host">{ t.gen_host_label }</label>
                    <input id="gen-host" type="text" inputmode="url" autocomplete="off" spellcheck="false"
                        aria-describedby="gen-host-hint" value={form.host.clone()} oninput={field(GenField::Host)} />
                    <p class="hint" id="gen-host-hint">{ t.gen_host_hint }</p>
                </div>
                <div class="field narrow">
                    <label for="gen-port">{ t.gen_port_label }</label>
                    <input id="gen-port" type="text" inputmode="numeric" value={form.port.clone()} oninput={field(GenField::Port)} />
                </div>
                <div class="field narrow">
                    <label for="gen-ttl">{ t.gen_ttl_label }</label>
                    <input id="gen-ttl" type="text" inputmode="numeric" value={form.ttl.clone()} oninput={field(GenField::Ttl)} />
                </div>
            </div>
            if store.gen_key_refused {
                <p class="warning" role="alert" id="gen-key-refused">{ t.gen_private_key_refused }{ " " }{ t.gen_private_key_cleared }</p>
            }
            <div id="gen-result" class="result">
                { match &store.generated {
                    None => html! { <p class="empty">{ t.gen_empty }</p> },
                    Some(Err(p)) => problem(p),
                    Some(Ok(view)) => result(view, t),
                } }
            </div>
        </section>
    }
}

/// A problem with the input, announced.
pub fn problem(p: &Problem) -> Html {
    html! {
        <div class="problem" role="alert">
            <p>{ p.message.clone() }</p>
            { for p.detail.as_ref().map(|d| html! { <p class="detail"><code>{ d.clone() }</code></p> }) }
        </div>
    }
}

fn result(view: &GenView, t: &Strings) -> Html {
    html! {
        <>
            { for view.notes.iter().map(|n| html! { <p class="warning" role="note">{ n.clone() }</p> }) }
            <p class="owner">
                { t.gen_owner }{ ": " }<code id="gen-owner">{ view.owner.clone() }</code>
                { if view.host_from_cert { html! { <span class="muted">{ " (" }{ t.gen_host_from_cert }{ ")" }</span> } } else { Html::default() } }
            </p>
            <h3>{ t.gen_recommended }</h3>
            <p class="hint">{ t.gen_recommended_why }</p>
            <ul class="records recommended" id="gen-recommended">
                { for view.recommended.iter().map(record) }
            </ul>
            <h3>{ t.gen_zone }</h3>
            <p class="hint">{ t.gen_zone_hint }</p>
            <div class="zone">
                <pre id="gen-zone" tabindex="0">{ view.zone.clone() }</pre>
                <CopyButton text={view.zone.clone()} what={t.gen_zone} />
            </div>
            <h3>{ t.gen_sources }</h3>
            <ul class="sources">
                { for view.sources.iter().map(|s| html! {
                    <li>
                        <strong>{ s.label.clone() }</strong>
                        { for s.subject.as_ref().map(|v| html! { <div>{ t.gen_subject }{ ": " }{ v.clone() }</div> }) }
                        { for s.issuer.as_ref().map(|v| html! { <div>{ t.gen_issuer }{ ": " }{ v.clone() }</div> }) }
                        { for s.validity.as_ref().map(|v| html! { <div>{ v.clone() }</div> }) }
                        <div>{ t.gen_key }{ ": " }{ s.key.clone() }</div>
                    </li>
                }) }
            </ul>
            <details id="gen-others">
                <summary>{ t.gen_others }{ format!(" ({})", view.others.len()) }</summary>
                <p class="hint">{ t.gen_others_hint }</p>
                <ul class="records">{ for view.others.iter().map(record) }</ul>
                <div class="zone">
                    <pre id="gen-others-zone" tabindex="0">{ view.others_zone.clone() }</pre>
                    <CopyButton text={view.others_zone.clone()} what={t.gen_others} />
                </div>
            </details>
        </>
    }
}

fn record(r: &RecordView) -> Html {
    html! {
        <li class="record">
            <div class="record-head">
                <code class="rdata">{ r.rdata.clone() }</code>
                <CopyButton text={r.zone_line.clone()} what={r.mnemonics.clone()} />
            </div>
            <div class="explain"><strong>{ r.mnemonics.clone() }</strong>{ " — " }{ r.explanation.clone() }{ " (" }{ r.source.clone() }{ ")" }</div>
            { for r.note.map(|n| html! { <div class="note">{ n }</div> }) }
        </li>
    }
}
