//! The view tree ([`crate::view::Node`]) as DOM nodes: `createElement`,
//! `setAttribute` and text nodes only (no `innerHTML`, so no HTML parsing of
//! anything a DNS answer or the edge sent, and nothing a Trusted Types policy
//! would have to allow).

use web_sys::Document;

use crate::view::Node;

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
