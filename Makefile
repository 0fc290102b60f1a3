# The two commands a newcomer needs (see README): `make run` and `make test`.
.PHONY: run demo test check setup setup-minimal bench release

setup-minimal:
	scripts/setup.sh --minimal

setup:
	scripts/setup.sh

run: setup-minimal
	scripts/run.sh

# The web app against the lab (its DoH and trust anchor preset): real checks without internet.
demo: setup
	scripts/serve.sh --lab

test: setup
	scripts/test.sh

# The inner loop: format, lints (native and wasm32), unit tests. Needs the Rust
# toolchain and the wasm32 target only (scripts/setup.sh --minimal installs more).
check:
	scripts/check.sh

# Benchmarks against the reference tools in the lab: writes bench/report.md and .json.
bench: setup
	bench/run.sh

# One directory a provider copies to a server and starts with one command:
# dist-release/geleit-<version>/ (README: "Hosting it").
release: setup
	scripts/release.sh
