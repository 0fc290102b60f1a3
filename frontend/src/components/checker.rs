//! The checker: one input, results step by step (MX and DNSSEC → per host
//! addresses and TLSA → per address the probe), verdicts, findings, advice.

use yew::prelude::*;

use super::Store;
use super::copy_button::CopyButton;
use super::nav::go;
use crate::engine;
use geleit_web::checker::{AddressView, Advice, Badge, CheckView, FindingView, FirstFix, HostView};
use geleit_web::i18n::Strings;
use geleit_web::route::Route;
use geleit_web::services::browser;
use geleit_web::state::{Action, Engine};

#[function_component(CheckerPage)]
pub fn checker_page() -> Html {
    let Some(store) = use_context::<Store>() else { return Html::default() };
    let t = store.lang.t();
    let spawned = use_mut_ref(|| 0u32);

    // A `/check/<domain>` address starts its check.
    {
        let store = store.clone();
        use_effect_with(store.route.clone(), move |route| {
            if let Route::CheckDomain(d) = route {
                let current = store.check.domain.as_ref().map(|x| x.written(false));
                if current.as_deref() != Some(d.as_str()) {
                    // A reload, Back or Forward: the result kept in this history entry, not a new check.
                    match browser::kept_check().filter(|k| k.domain == *d) {
                        Some(kept) => store.dispatch(Action::CheckReplay(Box::new(kept))),
                        None => store.dispatch(Action::CheckStart(d.clone())),
                    }
                }
            }
        });
    }
    // A new run (once the settings are known and the engine module is there) goes to the engine.
    {
        let store = store.clone();
        use_effect_with((store.check.id, store.settings_ready, store.engine), move |_| {
            if let Some(request) = store.check_request()
                && *spawned.borrow() != request.id
            {
                *spawned.borrow_mut() = request.id;
                run(store.clone(), request);
            }
        });
    }
    // Another language: the engine words the result again.
    {
        let store = store.clone();
        use_effect_with(store.lang, move |lang| {
            if store.check.view.is_some()
                && let Some(update) = engine::reword(store.check.id, *lang)
            {
                store.dispatch(Action::CheckUpdate(Box::new(update)));
            }
        });
    }

    let on_input = {
        let store = store.clone();
        Callback::from(move |e: InputEvent| {
            store.dispatch(Action::CheckInput(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))
        })
    };
    let on_submit = {
        let store = store.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Ok(d) = geleit_web::domain::parse(&store.check_input) {
                browser::push_route(&Route::CheckDomain(d.written(false)));
            }
            store.dispatch(Action::CheckStart(store.check_input.clone()));
        })
    };
    let busy = store.check_busy();
    let on_engine_retry = {
        let store = store.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Action::EngineRetry))
    };

    html! {
        <section aria-labelledby="check-h">
            <h2 id="check-h">{ t.ck_heading }</h2>
            <p>{ t.ck_intro }</p>
            <form class="check-form" onsubmit={on_submit} role="search">
                <div class="field">
                    <label for="check-input">{ t.ck_input_label }</label>
                    <input id="check-input" type="text" inputmode="url" autocomplete="off" autocapitalize="none" spellcheck="false"
                        aria-describedby="check-input-hint" value={store.check_input.clone()} oninput={on_input}
                        aria-invalid={store.check_problem.is_some().then_some("true")} />
                </div>
                <button id="check-button" type="submit" class="primary" disabled={busy}>{ if busy { t.ck_running } else { t.ck_button } }</button>
            </form>
            <p class="hint" id="check-input-hint">{ t.ck_input_hint }</p>
            { for store.check_problem.as_ref().map(|p| html! { <p class="problem" role="alert" id="check-problem">{ p.clone() }</p> }) }
            if !store.online {
                <div class="warning offline" id="check-offline">
                    <p>{ t.ck_offline }</p>
                    { for store.check_waiting.as_ref().map(|d| html! {
                        <p id="check-waiting">{ (t.ck_offline_waiting)(if d.is_idn() { &d.unicode } else { &d.ascii }) }</p>
                    }) }
                </div>
            }
            if store.online && store.engine == Engine::Missing {
                <div class="warning" id="check-engine-missing">
                    <p>{ t.ck_engine_missing }</p>
                    <button type="button" id="check-engine-retry" onclick={on_engine_retry}>{ t.ck_retry }</button>
                </div>
            }
            if store.check.fresh() && store.engine == Engine::Loading {
                <p class="muted" id="check-engine-loading">{ t.ck_engine_loading }</p>
            }
            { for store.check.view.as_ref().map(|v| if v.retry { unreachable(v, &store, t) } else { result(v, store.check.export.as_deref(), t, busy) }) }
        </section>
    }
}

/// Runs `request` in the engine module: each update of its view goes to the
/// reducer as it comes. What the network brought is kept in the history
/// entry (when the engine says so), so that a reload or Back shows the same
/// result without asking again; a kept check is replayed from there.
fn run(store: Store, request: geleit_web::engine::Request) {
    let id = request.id;
    let route = Route::CheckDomain(store.check.domain.as_ref().map(|d| d.written(false)).unwrap_or_default());
    wasm_bindgen_futures::spawn_local(async move {
        let on_update = {
            let store = store.clone();
            move |update: Result<geleit_web::engine::Update, String>| match update {
                Ok(update) => {
                    if let Some(kept) = &update.kept {
                        browser::keep_check(kept, &route);
                    }
                    store.dispatch(Action::CheckUpdate(Box::new(update)));
                }
                Err(error) => store.dispatch(Action::CheckBroken { id, error }),
            }
        };
        if let Err(error) = engine::check(&request, on_update).await {
            store.dispatch(Action::CheckBroken { id, error });
        }
    });
}

fn badge(b: &Badge, id: Option<String>) -> Html {
    html! { <span class={format!("badge {}", b.class)} data-status={b.class.to_string()} {id}>{ b.text.clone() }</span> }
}

/// The words of a finding, its fix, the record to copy, and the core's
/// technical detail behind a toggle.
fn finding_body(f: &FindingView, t: &Strings) -> Html {
    html! {
        <>
            <strong>{ f.title.clone() }</strong>
            { if f.rfc.is_empty() { Html::default() } else { html! { <span class="muted">{ format!(" ({})", f.rfc) }</span> } } }
            { for f.fix.as_ref().map(|fix| html! { <div class="fix"><span class="sr-only">{ t.ck_fix }{ ": " }</span>{ fix.clone() }</div> }) }
            { for f.record.as_ref().map(|r| html! {
                <div class="record-head fix-record"><span>{ t.ck_record_to_publish }{ " " }<code class="rdata">{ r.clone() }</code></span><CopyButton text={r.clone()} what={t.ck_record_to_publish} /></div>
            }) }
            { for f.detail.as_ref().map(|d| raw(d, t)) }
        </>
    }
}

/// Technical text (English, from the core or the probe) behind a toggle.
fn raw(text: &str, t: &Strings) -> Html {
    html! { <details class="detail"><summary>{ t.ck_raw }</summary><code>{ text.to_owned() }</code></details> }
}

fn findings(list: &[FindingView], t: &Strings) -> Html {
    if list.is_empty() {
        return Html::default();
    }
    html! {
        <ul class="findings">
            { for list.iter().map(|f| html! {
                <li class={format!("finding {}", f.severity)} data-code={f.code.to_string()}>{ finding_body(f, t) }</li>
            }) }
        </ul>
    }
}

/// The fix to make first, right under the verdict.
fn first_fix(f: &FirstFix, t: &Strings) -> Html {
    html! {
        <div class={format!("first-fix finding {}", f.finding.severity)} id="check-first-fix" data-code={f.finding.code.to_string()} data-host={f.host.clone()}>
            <h3>{ f.host.as_deref().map_or_else(|| t.ck_first_fix.to_owned(), |h| (t.ck_first_fix_at)(h)) }</h3>
            { finding_body(&f.finding, t) }
        </div>
    }
}

fn result(v: &CheckView, export: Option<&str>, t: &Strings, busy: bool) -> Html {
    let share = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .map(|o| format!("{o}{}", Route::CheckDomain(v.domain.clone()).to_path()))
        .unwrap_or_default();
    let on_export = {
        let json = export.unwrap_or_default().to_owned();
        let name = format!("geleit-{}.json", v.domain);
        Callback::from(move |_: MouseEvent| browser::download(&name, "application/json", &json))
    };
    html! {
        <div id="check-result" class="result" aria-busy={busy.to_string()}>
            { if v.domain != v.domain_unicode { html! { <p class="idn" id="check-idn">{ (t.ck_idn)(&v.domain_unicode, &v.domain) }</p> } } else { Html::default() } }
            <div class={format!("verdict {}", v.shown.tone())} id="check-verdict" data-verdict={v.shown.as_str()} data-tone={v.shown.tone()} data-domain={v.domain.clone()}>
                <p class="headline">{ v.headline.clone() }{ " — " }{ v.domain_unicode.clone() }</p>
                <p id="check-summary">{ v.summary.clone() }</p>
                // Why a check could not run, in the driver's English.
                { for v.detail.as_ref().map(|d| raw(d, t)) }
                <p class="muted" id="check-progress">{ v.progress.clone() }</p>
            </div>
            { for v.first_fix.as_ref().map(|f| first_fix(f, t)) }
            <div class="actions">
                <CopyButton text={share.clone()} what={t.ck_share} />
                <a href={share}>{ t.ck_share }</a>
                <button type="button" onclick={on_export} disabled={busy || export.is_none()}>{ t.ck_export }</button>
            </div>
            <h3>{ "1. " }{ t.ck_mx_heading }</h3>
            <p>{ "MX " }{ v.domain.clone() }{ ": " }{ badge(&v.mx_badge, Some("mx-status".into())) }</p>
            { findings(&v.mx_findings, t) }
            { trace(&v.mx_trace, t) }
            { if v.hosts.is_empty() { Html::default() } else { html! { <h3>{ "2. " }{ t.ck_hosts_heading }</h3> } } }
            { for v.hosts.iter().map(|h| host(h, t)) }
            { if v.unchecked.is_empty() { Html::default() } else { html! {
                <>
                    <h4>{ t.ck_unchecked_heading }</h4>
                    <ul class="unchecked" id="check-unchecked">{ for v.unchecked.iter().map(|u| html! { <li data-state="not_checked">{ u.clone() }</li> }) }</ul>
                </>
            } } }
            { if v.policy_findings.is_empty() { Html::default() } else { html! {
                <section class="policy" id="check-policy">
                    <h3>{ t.ck_policy_heading }</h3>
                    <p class="muted">{ t.ck_policy_note }</p>
                    { findings(&v.policy_findings, t) }
                </section>
            } } }
            { if v.advice.is_empty() { Html::default() } else { html! {
                <>
                    <h3>{ t.ck_advice_heading }</h3>
                    <ul class="advice">{ for v.advice.iter().map(advice) }</ul>
                </>
            } } }
        </div>
    }
}

/// A check that learned nothing about the domain (Geleit's resolver could
/// not be reached): neutral words, what failed, a way to try again and the
/// settings where the resolver is chosen. No verdict, no DNSSEC status.
fn unreachable(v: &CheckView, store: &Store, t: &Strings) -> Html {
    let on_retry = {
        let store = store.clone();
        let domain = v.domain.clone();
        Callback::from(move |_: MouseEvent| store.dispatch(Action::CheckStart(domain.clone())))
    };
    html! {
        <div id="check-result" class="result" aria-busy="false">
            <div class={format!("verdict {}", v.shown.tone())} id="check-verdict" data-verdict={v.shown.as_str()} data-tone={v.shown.tone()} data-domain={v.domain.clone()}>
                <p class="headline">{ v.headline.clone() }</p>
                <p id="check-summary">{ v.summary.clone() }</p>
                { for v.detail.as_ref().map(|d| raw(d, t)) }
            </div>
            <div class="actions">
                <button type="button" id="check-retry" class="primary" onclick={on_retry}>{ t.ck_retry }</button>
            </div>
            <p>{ t.ck_unreachable_hint }{ " " }
                <a id="check-settings" href={Route::Settings.to_path()} onclick={go(store, Route::Settings)}>{ t.nav_settings }</a>
            </p>
        </div>
    }
}

fn trace(lines: &[String], t: &Strings) -> Html {
    if lines.is_empty() {
        return Html::default();
    }
    html! {
        <details class="trace">
            <summary>{ t.ck_trace }</summary>
            <ol>{ for lines.iter().map(|l| html! { <li><code>{ l.clone() }</code></li> }) }</ol>
        </details>
    }
}

fn host(h: &HostView, t: &Strings) -> Html {
    html! {
        <section class="host" data-host={h.host.clone()} data-state={h.state.to_string()} aria-label={h.host.clone()}>
            <h4>{ h.host.clone() }{ " " }{ badge(&h.badge, None) }</h4>
            <p class="muted">{ (t.ck_preference)(usize::from(h.preference)) }</p>
            <p>{ h.outcome.clone() }<span class="muted">{ format!(" ({})", h.outcome_rfc) }</span></p>
            { for h.alias.as_ref().map(|a| html! { <p class="note alias">{ a.clone() }</p> }) }
            <p><strong>{ t.ck_addresses }{ ": " }</strong>{ h.address_sets.join("; ") }</p>
            <p>
                <strong>{ t.ck_tlsa_base }{ " " }</strong>
                <code>{ h.tlsa_base.clone().unwrap_or_else(|| format!("_25._tcp.{}", h.host)) }</code>{ " " }
                { badge(&h.tlsa_badge, None) }
            </p>
            { if h.tlsa.is_empty() { html! { <p class="muted">{ t.ck_no_records }</p> } } else { html! {
                <ul class="records">
                    { for h.tlsa.iter().map(|r| html! {
                        <li class={if r.usable { "record usable" } else { "record unusable" }}>
                            <div class="record-head">
                                <code class="rdata">{ r.rdata.clone() }</code>
                                <CopyButton text={r.rdata.clone()} what={r.rdata.chars().take(5).collect::<String>()} />
                            </div>
                            <div class="explain">{ r.explanation.clone() }</div>
                            { for r.reasons.iter().map(|x| html! { <div class="fix">{ x.clone() }</div> }) }
                        </li>
                    }) }
                </ul>
            } } }
            { findings(&h.findings, t) }
            { for h.probe_note.as_ref().map(|n| html! { <p class="note probe-note">{ n.clone() }</p> }) }
            { if h.addresses.is_empty() { Html::default() } else { html! {
                <>
                    <h5>{ t.ck_probe_heading }</h5>
                    { for h.addresses.iter().map(|a| address(a, t)) }
                </>
            } } }
            { trace(&h.trace, t) }
        </section>
    }
}

fn address(a: &AddressView, t: &Strings) -> Html {
    html! {
        <div class="address" data-address={a.address.clone()} data-state={a.state.to_string()}>
            <p><code>{ a.address.clone() }</code>{ " " }{ badge(&a.badge, None) }</p>
            { findings(&a.findings, t) }
            { for a.algorithms.iter().map(|alg| html! {
                <div class="algorithm" data-family={alg.family.to_string()} data-decides={alg.decides.to_string()}>
                    <p>
                        <strong>{ alg.family.to_string() }</strong>{ " " }{ badge(&alg.badge, None) }
                        { for alg.tls_version.as_ref().map(|v| html! { <span class="muted">{ format!(" {v}") }</span> }) }
                    </p>
                    <ul>{ for alg.matched.iter().map(|m| html! { <li class="matched">{ m.clone() }</li> }) }</ul>
                    { for alg.suggested.as_ref().map(|r| html! {
                        <div class="record-head suggested"><span>{ t.ck_suggested }{ " " }<code class="rdata">{ r.clone() }</code></span><CopyButton text={r.clone()} what={t.ck_suggested} /></div>
                    }) }
                    { for alg.notes.iter().map(|n| html! { <p class="note">{ n.clone() }</p> }) }
                    { for alg.raw.as_ref().map(|r| raw(r, t)) }
                    { if alg.chain.is_empty() { Html::default() } else { html! {
                        <details><summary>{ t.ck_chain }</summary><ol start="0">{ for alg.chain.iter().map(|c| html! { <li>{ c.clone() }</li> }) }</ol></details>
                    } } }
                </div>
            }) }
        </div>
    }
}

fn advice(a: &Advice) -> Html {
    html! {
        <li data-advice={a.code.to_string()}>
            <strong>{ a.title.clone() }</strong>{ ": " }{ a.text.clone() }
            { for a.snippet.as_ref().map(|s| html! {
                <div class="zone"><pre tabindex="0">{ s.clone() }</pre><CopyButton text={s.clone()} what={a.title.clone()} /></div>
            }) }
        </li>
    }
}
