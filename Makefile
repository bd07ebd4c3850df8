# The two set-up commands of the README. Both install what they need first
# (Debian packages via apt), so a fresh clone on a fresh Debian/Ubuntu machine
# needs nothing else but a Rust toolchain (rustup; the version is pinned in
# rust-toolchain.toml).

SHELL := /bin/bash
CARGO ?= cargo

# gcc/make build the bundled SQLCipher, libssl-dev gives it the system's
# libcrypto;
# sqlite3 and ripgrep are benchmark baselines. The second line is the
# desktop app: WebKitGTK and GTK to build it, Xvfb, WebKitWebDriver,
# xdotool (types into the native save dialog) and ImageMagick (screenshots)
# to drive it end to end.
APT_PACKAGES := build-essential pkg-config sqlite3 ripgrep ca-certificates poppler-utils \
	libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libsoup-3.0-dev libayatana-appindicator3-dev \
	libssl-dev xvfb xauth webkit2gtk-driver xdotool imagemagick
# tauri-driver is installed here, not in ~/.cargo.
TOOLS := $(CURDIR)/.tools
XVFB := xvfb-run -a -s "-screen 0 1280x800x24"

.PHONY: run test deps toolchain node build ui app tools e2e bench bench-app clean-demo

# With a display: the desktop app on the demo workspace. Without one: says
# so, and runs the headless demo of the CLI.
run: deps build
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  $(MAKE) --no-print-directory app && ./target/debug/auditdesk-app --demo; \
	else \
	  echo "no display (DISPLAY and WAYLAND_DISPLAY are unset): running the headless demo instead of the app"; \
	  ./scripts/demo.sh; \
	fi

test: deps node
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --all-targets -- -D warnings
	$(CARGO) build --locked -p auditdesk-cli
	$(CARGO) test --locked
	cd ui && npm ci --no-audit --no-fund && npm run check && npm test && npm run build
	$(CARGO) clippy --locked -p auditdesk-app --all-targets -- -D warnings
	$(CARGO) test --locked -p auditdesk-app
	$(MAKE) --no-print-directory e2e

build: toolchain
	$(CARGO) build --locked -p auditdesk-cli -p auditdesk-bench

# The web UI (ui/dist), embedded in the app at build time.
ui: node
	cd ui && npm ci --no-audit --no-fund && npm run build

app: deps ui
	$(CARGO) build --locked -p auditdesk-app

tools: toolchain
	@[ -x $(TOOLS)/bin/tauri-driver ] || $(CARGO) install tauri-driver --version '^2' --locked --root $(TOOLS)

# The real app in its WebKit webview under Xvfb, through tauri-driver and
# WebKitWebDriver; screenshots land in target/e2e/. (No -p: the default
# members' feature set, so `cargo test`'s build is reused.)
e2e: app tools
	PATH="$(TOOLS)/bin:$$PATH" $(XVFB) $(CARGO) test --locked --test e2e -- --ignored --skip app_start_and_memory --nocapture

# Node.js and npm from apt when there are none (Debian 12 ships Node 18,
# enough for the UI's toolchain).
node:
	@command -v npm >/dev/null || { \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends nodejs npm; }

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
	$(MAKE) --no-print-directory bench-app

# The desktop app's size, start-up and memory figures (release build).
bench-app: deps ui tools
	./scripts/bench-app.sh 5

clean-demo:
	rm -rf demo-vault
