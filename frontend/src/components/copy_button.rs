//! A button that copies its text to the clipboard and announces it.

use yew::prelude::*;

use super::Store;
use geleit_web::services::browser;
use geleit_web::state::Action;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The text to copy.
    pub text: AttrValue,
    /// What is copied, for screen readers ("Copy 3 1 1 …").
    #[prop_or_default]
    pub what: AttrValue,
}

#[function_component(CopyButton)]
pub fn copy_button(props: &Props) -> Html {
    let Some(store) = use_context::<Store>() else { return Html::default() };
    let t = store.lang.t();
    let onclick = {
        let text = props.text.clone();
        let store = store.clone();
        Callback::from(move |_: MouseEvent| {
            let text = text.clone();
            let store = store.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let ok = browser::copy(&text).await;
                let t = store.lang.t();
                store.dispatch(Action::Status(if ok { t.copied } else { t.copy_failed }.to_owned()));
            });
        })
    };
    let label = if props.what.is_empty() { t.copy.to_owned() } else { format!("{} {}", t.copy, props.what) };
    html! { <button type="button" class="copy" {onclick} aria-label={label}>{ t.copy }</button> }
}
