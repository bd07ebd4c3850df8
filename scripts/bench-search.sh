#!/usr/bin/env bash
# Search benchmark (issue: offline review). Generates N deterministic
# Redox-shaped events as NDJSON, imports them into a new vault, then runs
# auditdesk-bench-search: a fixed mix of queries timed through the core search
# API (first page + total + facets) beside ripgrep over the NDJSON and a SQLite
# LIKE scan over the same lines. Usage: bench-search.sh [N] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-1000000}
RUNS=${2:-5}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/auditdesk-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

cargo build --release --locked -q -p auditdesk-cli -p auditdesk-bench
export AUDITDESK_PASSPHRASE="benchmark passphrase"
echo "generating $N events..." >&2
./target/release/auditdesk-gen "$N" 42 ndjson > "$WORK/events.ndjson"
./target/release/auditdesk --vault "$WORK/vault" vault init >/dev/null
echo "importing..." >&2
./target/release/auditdesk --vault "$WORK/vault" import "$WORK/events.ndjson" >/dev/null
./target/release/auditdesk-bench-search "$WORK/vault" "$WORK/events.ndjson" "$RUNS"
