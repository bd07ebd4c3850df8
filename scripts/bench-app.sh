#!/usr/bin/env bash
# The desktop app's figures for BENCHMARKS.md: release binary and .deb
# bundle size, the UI's JavaScript gzipped, launch → first screen usable,
# unlock → dashboard painted, idle memory after the dashboard (the app and
# its WebKit processes). Runs the release build under Xvfb through
# tauri-driver. The app is built with the `dist` profile (opt-level z, LTO,
# stripped). Usage: scripts/bench-app.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}

(cd ui && npm ci --no-audit --no-fund >/dev/null && npm run build >/dev/null)
ui/node_modules/.bin/tauri build --bundles deb -- -p auditdesk-app --profile dist --locked >/dev/null

BIN=target/dist/auditdesk-app
DEB=$(ls -t target/dist/bundle/deb/*.deb | head -n1)
STRIPPED=$(mktemp)
trap 'rm -f "$STRIPPED"' EXIT
strip -o "$STRIPPED" "$BIN"
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
js_gz=0
for f in ui/dist/assets/*.js; do js_gz=$((js_gz + $(gzip -9c "$f" | wc -c))); done
echo "release binary: $(mib "$(stat -c %s "$BIN")") ($(mib "$(stat -c %s "$STRIPPED")") stripped)"
echo "bundle: $(basename "$DEB") $(mib "$(stat -c %s "$DEB")")"
echo "UI JavaScript gzipped: $js_gz bytes ($(ls ui/dist/assets/*.js | wc -l) files)"

PATH="$PWD/.tools/bin:$PATH" AUDITDESK_APP="$PWD/$BIN" RUNS=$RUNS \
  xvfb-run -a -s "-screen 0 1280x800x24" \
  cargo test --locked -q --test e2e app_start_and_memory -- --ignored --nocapture \
    2> >(grep -E '^(page|processes|app process|  [A-Za-z])' >&2) \
  | grep '^app-start'
