//! The page's components, one per file. They render view models and dispatch
//! [`geleit_web::state::Action`]s; they decide nothing about DANE.
//!
//! Size notes for the web app's wasm: class lists are plain strings
//! (`format!("badge {}", …)`), not `classes!` (an `IndexSet` per list), and
//! the context holds a [`Store`] that compares by identity.

pub mod app;
pub mod checker;
pub mod copy_button;
pub mod generator;
pub mod matcher;
pub mod nav;
pub mod settings;

use yew::UseReducerHandle;

use geleit_web::state::State;

/// The web layer's [`State`] as Yew's reducer state (a type of this crate,
/// so that it can implement Yew's `Reducible`); it reads as the `State`.
#[derive(Clone)]
pub struct AppState(pub State);

impl std::ops::Deref for AppState {
    type Target = State;

    fn deref(&self) -> &State {
        &self.0
    }
}

/// The app's state and dispatcher, shared through a Yew context.
///
/// Two stores are equal when they were made from the same state value: every
/// action makes a new one (`Reducible for AppState`), so that is what the context
/// needs to decide whether to re-render, without the derived deep `PartialEq`
/// of `State` (every report and view in it), which would cost kilobytes of wasm.
/// The state is the one current when the store was made ([`Store::new`]):
/// dereferencing a `UseReducerHandle` always reads the latest state, so the
/// identity has to be taken then. (The handle keeps that state alive, so its
/// address is not reused while the store exists.)
#[derive(Clone)]
pub struct Store {
    handle: UseReducerHandle<AppState>,
    made_from: *const AppState,
}

impl Store {
    /// The store for the state `handle` holds now.
    #[must_use]
    pub fn new(handle: UseReducerHandle<AppState>) -> Self {
        let made_from: *const AppState = &*handle;
        Self { handle, made_from }
    }
}

impl PartialEq for Store {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.made_from, other.made_from)
    }
}

impl std::ops::Deref for Store {
    type Target = UseReducerHandle<AppState>;

    fn deref(&self) -> &Self::Target {
        &self.handle
    }
}
