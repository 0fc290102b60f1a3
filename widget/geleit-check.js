// <geleit-check>: Geleit's DANE checker as a custom element for help pages.
// Load this module once (<script type="module" src=".../geleit-check.js">),
// then put <geleit-check> elements anywhere. Attributes, event and the
// Content-Security-Policy a host needs: widget/README.md.
//
// This module only defines the element (no other globals). Every widget on a
// page shares one wasm instance, fetched next to this file (import.meta.url);
// each renders into its own shadow root with one constructable stylesheet
// (adoptedStyleSheets: no <style> element, so no style-src is needed).
//
// Two modes. Default (no `doh`): the edge that serves the widget checks the
// domain (one GET <edge>/api/check), the wasm draws its verdict. With `doh`
// (the host page chose a resolver, so it trusts no one but the root): the
// web app's engine module (frontend/engine/: in-browser DNSSEC validation,
// probes through the edge) is imported on first use, once per page, and runs
// the check in the page; the wasm writes its request and draws each update.
import init, { mount, in_browser, start, show, request, update } from './geleit_widget.js';

let ready;
const load = () => (ready ??= init({ module_or_path: new URL('geleit_widget_bg.wasm', import.meta.url) }));
let engine;
const loadEngine = () => (engine ??= import('./geleit_app_engine.js').then(async (m) => {
  await m.default({ module_or_path: new URL('geleit_app_engine_bg.wasm', import.meta.url) });
  return m;
}).catch((e) => { engine = undefined; throw e; }));  // a later check tries again

// Light by default; theme="dark", or theme="auto" (also: no theme) following
// prefers-color-scheme. `all: initial` on :host stops inherited host styles
// (font, color, line-height, letter-spacing, text-transform, …) at the boundary.
const CSS = `
:host{all:initial;display:block;contain:content;box-sizing:border-box;color-scheme:light;
--bg:#fff;--fg:#1f2328;--mute:#59636e;--line:#d1d9e0;--acc:#0b5cad;--on:#fff;
--ok:#1a7f37;--okb:#dafbe1;--bad:#cf222e;--badb:#ffebe9;--warn:#9a6700;--warnb:#fff8c5;
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg)}
:host([hidden]){display:none}
@media (prefers-color-scheme:dark){:host(:not([theme=light])){color-scheme:dark;
--bg:#0d1117;--fg:#e6edf3;--mute:#9198a1;--line:#3d444d;--acc:#4493f8;--on:#0d1117;
--ok:#3fb950;--okb:#0f2d1a;--bad:#f85149;--badb:#3c1618;--warn:#d29922;--warnb:#332701}}
:host([theme=dark]){color-scheme:dark;
--bg:#0d1117;--fg:#e6edf3;--mute:#9198a1;--line:#3d444d;--acc:#4493f8;--on:#0d1117;
--ok:#3fb950;--okb:#0f2d1a;--bad:#f85149;--badb:#3c1618;--warn:#d29922;--warnb:#332701}
*{box-sizing:border-box;margin:0;padding:0;font:inherit;color:inherit}
.w{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:14px 16px}
.compact{display:inline-block;padding:6px 10px;border-radius:6px}
label{display:block;font-weight:600;margin-bottom:4px}
.row{display:flex;gap:8px;flex-wrap:wrap}
input{flex:1 1 14em;min-width:0;padding:6px 10px;border:1px solid var(--line);border-radius:6px;background:var(--bg)}
button{padding:6px 16px;border:1px solid var(--acc);border-radius:6px;background:var(--acc);color:var(--on);font-weight:600;cursor:pointer}
button:disabled{opacity:.6;cursor:progress}
input:focus-visible,button:focus-visible,a:focus-visible{outline:2px solid var(--acc);outline-offset:2px}
.status{color:var(--mute);font-size:.9em;min-height:1.4em;margin:6px 0 2px}
.status:empty{display:none}
.compact .status{display:none}
.problem{color:var(--bad)}
.badge{display:inline-block;padding:0 8px;border-radius:10px;font-size:.9em;font-weight:600;border:1px solid}
.badge.ok{color:var(--ok);background:var(--okb)}.badge.error{color:var(--bad);background:var(--badb)}
.badge.warning{color:var(--warn);background:var(--warnb)}.badge.info{color:var(--acc)}.badge.pending,.badge.neutral{color:var(--mute)}
button.retry{margin-top:4px}
.summary{margin:6px 0}
ul{list-style:none}
.hosts>li,.mx{border-top:1px solid var(--line);padding:8px 0 4px}
.name,.domain{font-weight:600;overflow-wrap:anywhere}
.findings{margin:4px 0 0 12px}
.finding{margin:4px 0;padding-left:8px;border-left:3px solid var(--line)}
.finding.error{border-color:var(--bad)}.finding.warning{border-color:var(--warn)}.finding.info{border-color:var(--acc)}
.first-fix{margin:8px 0;padding:6px 10px;border:1px solid var(--bad);border-left-width:4px;border-radius:6px;background:var(--badb)}
.first-fix.warning{border-color:var(--warn);background:var(--warnb)}
pre.record{font-family:ui-monospace,monospace;font-size:.88em;white-space:pre-wrap;overflow-wrap:anywhere;margin:4px 0}
details.detail summary{cursor:pointer;font-family:inherit}
.rfc,.detail,.note{color:var(--mute);font-size:.88em}
.detail{font-family:ui-monospace,monospace;overflow-wrap:anywhere}
a{color:var(--acc)}
.more{margin-top:8px}
`;
let sheet;
const styles = () => {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet;
};

// A `config` file ({"doh", "edge", "anchor"}) is fetched once per page and URL;
// a file that cannot be read counts as empty (as the app's /geleit-config.json).
const configs = new Map();
const config = (url) => {
  const key = new URL(url, document.baseURI).href;
  if (!configs.has(key)) {
    configs.set(key, fetch(key).then((r) => (r.ok ? r.json() : {})).catch(() => ({})));
  }
  return configs.get(key);
};

// Attributes that change what a widget shows (theme is CSS only).
const ATTRS = ['lang', 'domain', 'compact', 'edge', 'doh', 'anchor', 'site', 'config'];

class GeleitCheck extends HTMLElement {
  static observedAttributes = ATTRS;
  #root;
  #mounted = false;
  #run = 0;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    this.#root.adoptedStyleSheets = [styles()];
    this.#root.addEventListener('submit', (e) => {
      e.preventDefault();
      this.check(this.#root.querySelector('input')?.value ?? '');
    });
    // "Try again" after a check that learned nothing (the resolver was not reached).
    this.#root.addEventListener('click', (e) => {
      const retry = e.target instanceof Element ? e.target.closest('button.retry') : null;
      if (retry) this.check(retry.dataset.domain ?? '');
    });
  }

  /// The attributes for the wasm side; `lang` is the element's own or the nearest ancestor's
  /// (the document's, when the widget sits in another component's shadow root).
  #attrs() {
    const a = {};
    for (const n of ATTRS) {
      const v = this.getAttribute(n);
      if (v !== null) a[n] = v;
    }
    a.lang = this.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang || 'en';
    return a;
  }

  /// The attributes with the endpoints of the `config` file filled in where they are not set.
  async #settings() {
    const a = this.#attrs();
    if (a.config) {
      const c = await config(a.config);
      for (const k of ['doh', 'edge', 'anchor']) {
        if (!a[k] && typeof c?.[k] === 'string') a[k] = c[k];
      }
    }
    return a;
  }

  async connectedCallback() {
    await load();
    if (this.isConnected && !this.#mounted) this.#render();
  }

  attributeChangedCallback() {
    if (this.#mounted) this.#render();
  }

  #render() {
    this.#mounted = true;
    this.#run++;
    mount(this.#root, this.#attrs());
    const domain = this.getAttribute('domain');
    if (domain) this.check(domain);
  }

  /// Checks `domain` (also what the form does); resolves to the event detail, or undefined.
  async check(domain) {
    await load();
    const id = ++this.#run;
    const button = this.#root.querySelector('button');
    if (button) button.disabled = true;
    try {
      const a = await this.#settings();
      const input = String(domain);
      let json;
      if (in_browser(a)) {
        const m = await loadEngine().catch(() => undefined);
        const req = m && request(this.#root, a, input, id);
        if (m && req === undefined) return undefined;
        // The engine's updates (JSON) as they come; the last one gives the event detail.
        const run = m && m.check(req, (u) => { if (id === this.#run) json = update(this.#root, a, input, u) ?? json; })
          .then(() => true, () => false);
        // No engine (offline, blocked) or a run it broke off: said like an edge that does not answer.
        if (!(await run) && id === this.#run) {
          json = start(this.#root, a, input) === undefined ? undefined : show(this.#root, a, input, 0, undefined, '');
        }
      } else {
        const url = start(this.#root, a, input);
        if (url === undefined) return undefined;
        // status 0: no answer at all (offline, blocked, CORS); the wasm words every case.
        let status = 0, retry, body = '';
        try {
          const r = await fetch(url, { headers: { accept: 'application/json' } });
          status = r.status;
          retry = r.headers.get('retry-after') ?? undefined;
          body = await r.text();
        } catch {}
        if (id !== this.#run) return undefined;
        json = show(this.#root, a, input, status, retry, body);
      }
      if (json === undefined || id !== this.#run) return undefined;
      const detail = JSON.parse(json);
      this.dispatchEvent(new CustomEvent('geleit-result', { detail, bubbles: true, composed: true }));
      return detail;
    } finally {
      if (button) button.disabled = false;
    }
  }
}

if (!customElements.get('geleit-check')) customElements.define('geleit-check', GeleitCheck);
