//! The checker page (filled in once the DNS engine is in the core).

use yew::prelude::*;

use super::generator::GeneratorPage;

#[function_component(CheckerPage)]
pub fn checker_page() -> Html {
    html! { <GeneratorPage /> }
}
