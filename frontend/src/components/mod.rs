//! The page's components, one per file. They render view models and dispatch
//! [`crate::state::Action`]s; they decide nothing about DANE.

pub mod app;
pub mod checker;
pub mod copy_button;
pub mod generator;
pub mod matcher;
pub mod nav;
pub mod settings;

use yew::UseReducerHandle;

use crate::state::State;

/// The app's state and dispatcher, shared through a Yew context.
///
/// Equal when it is the same state value: every action makes a new one
/// (`Reducible for State`), so this is what the context needs to decide
/// whether to re-render, without the derived deep `PartialEq` of `State`
/// (every report and view in it), which would cost kilobytes of wasm.
#[derive(Clone)]
pub struct Store(pub UseReducerHandle<State>);

impl PartialEq for Store {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq::<State>(&*self.0, &*other.0)
    }
}

impl std::ops::Deref for Store {
    type Target = UseReducerHandle<State>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}
