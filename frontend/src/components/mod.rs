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
pub type Store = UseReducerHandle<State>;
