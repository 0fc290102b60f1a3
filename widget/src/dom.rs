//! The view tree ([`crate::view::Node`]) as DOM nodes: `createElement`,
//! `setAttribute` and text nodes only (no `innerHTML`, so no HTML parsing of
//! anything a DNS answer or the edge sent, and nothing a Trusted Types policy
//! would have to allow).

use geleit_web::domain::{self, Domain};
use wasm_bindgen::JsValue;
use web_sys::Document;

use crate::options::Options;
use crate::view::{self, Node};

fn build(doc: &Document, node: &Node) -> Option<web_sys::Node> {
    match node {
        Node::Text(t) => Some(doc.create_text_node(t).into()),
        Node::El(e) => {
            let x = doc.create_element(e.tag).ok()?;
            for (name, value) in &e.attrs {
                x.set_attribute(name, value).ok()?;
            }
            for c in &e.children {
                x.append_child(&build(doc, c)?).ok()?;
            }
            Some(x.into())
        }
    }
}

/// Replaces what `parent` holds with `node` (nothing for `None`).
pub fn replace(parent: &web_sys::Node, node: Option<&Node>) {
    parent.set_text_content(None);
    let Some(doc) = parent.owner_document() else { return };
    if let Some(n) = node.and_then(|n| build(&doc, n)) {
        let _ = parent.append_child(&n);
    }
}

/// A widget's options from the attributes object the JS side passes.
#[must_use]
pub fn options(attrs: &JsValue) -> Options {
    Options::from_attrs(|name| js_sys::Reflect::get(attrs, &JsValue::from_str(name)).ok().and_then(|v| v.as_string()))
}

/// The typed text as a domain, or `None` after drawing why it is none.
#[must_use]
pub fn domain_or_problem(root: &web_sys::ShadowRoot, o: &Options, input: &str) -> Option<Domain> {
    match domain::parse(input) {
        Ok(d) => Some(d),
        Err(e) => {
            show_problem(root, &domain::problem_words(&e, input, o.lang.t()));
            None
        }
    }
}

/// Draws why the typed text is not checked, in place of a result.
pub fn show_problem(root: &web_sys::ShadowRoot, text: &str) {
    if let Some(out) = root.get_element_by_id("out") {
        replace(&out, Some(&view::problem(text)));
    }
    if let Some(status) = root.get_element_by_id("status") {
        status.set_text_content(None);
    }
}
