# Sourced by scripts/web-build.sh and widget/build.sh: the same size flags for
# every browser build, so the app and the widget also share their build
# artifacts (one std, one set of dependencies) instead of rebuilding them.
#
# Smaller wasm (about 8% less gzip): rebuild the standard library for wasm32 with
# panics that trap at once (no formatting machinery, no panic messages, no
# source locations) and `{:?}` compiled to print nothing (-Zfmt-debug=none: no
# Debug impls or Unicode printability tables in the wasm, about 6 KB gzip; the
# pages' texts never use Debug: the core quotes input in its messages with its
# own `Quoted`, and only dependencies' rare error details lose their `{:?}`
# parts). These are nightly-only cargo/rustc flags; RUSTC_BOOTSTRAP=1
# unlocks them on the pinned stable toolchain, for these builds only. They need
# the `rust-src` component (scripts/setup.sh adds it); without it the build
# falls back to the prebuilt std and the wasm comes out bigger.
#   wasm_size_flags NAME   (NAME prefixes the warning)
wasm_size_flags() {
  if [ -d "$(rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
    export RUSTC_BOOTSTRAP=1
    export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
    export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none"
  else
    echo "$1: rust-src is missing (rustup component add rust-src): building with the prebuilt std" >&2
  fi
}
