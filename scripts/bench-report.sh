#!/usr/bin/env bash
# Report benchmark (issue: compliance reports). Generates N deterministic
# Redox-shaped events spread over one quarter (2026Q3), imports them into a new
# vault, then times `auditdesk report generate` for each of the six types over
# that quarter: seconds, pages and peak RSS. Usage: bench-report.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-1000000}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/auditdesk-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

cargo build --release --locked -q -p auditdesk-cli -p auditdesk-bench
BIN=./target/release/auditdesk
export AUDITDESK_PASSPHRASE="benchmark passphrase"
echo "generating $N events..." >&2
./target/release/auditdesk-gen "$N" 42 ndjson 2026-07-01T00:00:00Z > "$WORK/events.ndjson"
$BIN --vault "$WORK/vault" vault init >/dev/null
echo "importing..." >&2
$BIN --vault "$WORK/vault" import "$WORK/events.ndjson" >/dev/null
rm -f "$WORK/events.ndjson"

echo "| report (2026Q3, $N events in the vault) | seconds | pages | peak RSS | PDF size |"
echo "|---|---|---|---|---|"
for type in pci hipaa sox gdpr iso27001 custom; do
  /usr/bin/time -f "%e %M" -o "$WORK/t" $BIN --vault "$WORK/vault" --json report generate \
    --type "$type" --quarter 2026Q3 --as-of 2026-10-01T09:00:00Z --out "$WORK/$type.pdf" > "$WORK/r.json"
  read -r secs rss < "$WORK/t"
  pages=$(sed -n 's/^  "pages": \([0-9]*\),$/\1/p' "$WORK/r.json")
  size=$(stat -c %s "$WORK/$type.pdf")
  printf '| %s | %s s | %s | %.0f MiB | %.0f KiB |\n' "$type" "$secs" "$pages" "$(echo "$rss/1024" | bc -l)" "$(echo "$size/1024" | bc -l)"
done
