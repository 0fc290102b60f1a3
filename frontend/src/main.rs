//! Trunk's entry point: mounts the app (see the library crate).

fn main() {
    #[cfg(target_arch = "wasm32")]
    geleit_frontend::run();
}
