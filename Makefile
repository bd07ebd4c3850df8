# The two set-up commands of the README. Both install what they need first
# (Debian packages via apt), so a fresh clone on a fresh Debian/Ubuntu machine
# needs nothing else but a Rust toolchain (rustup; the version is pinned in
# rust-toolchain.toml).

SHELL := /bin/bash
CARGO ?= cargo

# gcc/make/perl build the bundled SQLCipher and its vendored OpenSSL;
# sqlite3 and ripgrep are benchmark baselines.
APT_PACKAGES := build-essential pkg-config perl sqlite3 ripgrep ca-certificates poppler-utils

.PHONY: run test deps toolchain build bench clean-demo

run: deps build
	./scripts/demo.sh

test: deps
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --all-targets -- -D warnings
	$(CARGO) build --locked -p auditdesk-cli
	$(CARGO) test --locked

build: toolchain
	$(CARGO) build --locked -p auditdesk-cli -p auditdesk-bench

# Installs missing Debian packages only; a machine that has them all skips apt.
deps: toolchain
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

toolchain:
	@command -v $(CARGO) >/dev/null || { echo "error: no cargo on PATH. Install Rust with rustup (https://rustup.rs); rust-toolchain.toml pins the version." >&2; exit 1; }

# The benchmarks behind BENCHMARKS.md (release build; minutes, not seconds).
bench: deps
	./scripts/bench-import.sh
	$(CARGO) build --release --locked -q -p auditdesk-cli -p auditdesk-bench
	./target/release/auditdesk-bench-sync 1000000 3
	./scripts/bench-search.sh 1000000 5
	./scripts/bench-report.sh 1000000

clean-demo:
	rm -rf demo-vault
