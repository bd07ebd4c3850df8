#!/usr/bin/env bash
# Import benchmark (issue: foundation). Generates N deterministic Redox-shaped
# events as NDJSON, then in the same run:
#   1. `auditdesk import` into a new vault (SQLCipher + FTS5 + hash chain), and
#   2. the baseline: the sqlite3 shell loading the same NDJSON into a plain,
#      unencrypted table (fields extracted with json_extract, raw JSON kept,
#      one transaction, the same rollback journal, no FTS, no chain).
# Each is run RUNS times; medians are reported. Usage: bench-import.sh [N] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-1000000}
RUNS=${2:-3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/auditdesk-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

cargo build --release --locked -q -p auditdesk-cli -p auditdesk-bench
BIN=./target/release/auditdesk
GEN=./target/release/auditdesk-gen
export AUDITDESK_PASSPHRASE="benchmark passphrase"

echo "generating $N events..." >&2
$GEN "$N" 42 ndjson > "$WORK/events.ndjson"
BYTES=$(stat -c %s "$WORK/events.ndjson")

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

: > "$WORK/ours.txt"; : > "$WORK/base.txt"
for run in $(seq "$RUNS"); do
  rm -rf "$WORK/vault"
  $BIN --vault "$WORK/vault" vault init >/dev/null
  /usr/bin/time -f "%e %M" -o "$WORK/t" $BIN --vault "$WORK/vault" import "$WORK/events.ndjson" >/dev/null
  read -r secs rss < "$WORK/t"
  size=$(du -sb "$WORK/vault" | cut -f1)
  echo "$secs $rss $size" >> "$WORK/ours.txt"
  echo "auditdesk run $run: ${secs}s, peak RSS ${rss} KiB, vault ${size} B" >&2

  rm -f "$WORK/plain.db"
  US=$(printf '\037')  # a column separator that never occurs in the JSON
  # The journal our import uses when it has the vault to itself: a rollback
  # journal with synchronous=FULL (the sqlite3 shell's default is the same).
  cat > "$WORK/load.sql" <<SQL
PRAGMA journal_mode = DELETE;
PRAGMA synchronous = FULL;
CREATE TABLE raw (j TEXT);
CREATE TABLE events (id TEXT PRIMARY KEY, occurred_at TEXT, type TEXT, status TEXT,
  user_id TEXT, ip TEXT, route TEXT, org_id TEXT, details TEXT, raw TEXT);
.mode ascii
.separator "$US" "\n"
BEGIN;
.import $WORK/events.ndjson raw
INSERT INTO events SELECT json_extract(j,'\$.id'), json_extract(j,'\$.createdAt'),
  json_extract(j,'\$.type'), json_extract(j,'\$.status'), json_extract(j,'\$.userId'),
  json_extract(j,'\$.requestIp'), json_extract(j,'\$.route'), json_extract(j,'\$.organizationId'),
  json_extract(j,'\$.details'), j FROM raw;
DROP TABLE raw;
COMMIT;
SQL
  /usr/bin/time -f "%e %M" -o "$WORK/t" sqlite3 "$WORK/plain.db" < "$WORK/load.sql" >/dev/null
  read -r secs rss < "$WORK/t"
  rows=$(sqlite3 "$WORK/plain.db" "SELECT count(*) FROM events")
  [ "$rows" -eq "$N" ] || { echo "baseline loaded $rows rows, not $N" >&2; exit 1; }
  size=$(stat -c %s "$WORK/plain.db")
  echo "$secs $rss $size" >> "$WORK/base.txt"
  echo "sqlite3 run $run: ${secs}s, peak RSS ${rss} KiB, db ${size} B" >&2
done

ours_s=$(cut -d' ' -f1 "$WORK/ours.txt" | median)
ours_rss=$(cut -d' ' -f2 "$WORK/ours.txt" | median)
ours_size=$(cut -d' ' -f3 "$WORK/ours.txt" | median)
base_s=$(cut -d' ' -f1 "$WORK/base.txt" | median)
base_rss=$(cut -d' ' -f2 "$WORK/base.txt" | median)
base_size=$(cut -d' ' -f3 "$WORK/base.txt" | median)
awk -v n="$N" -v os="$ours_s" -v bs="$base_s" -v orss="$ours_rss" -v brss="$base_rss" \
    -v osz="$ours_size" -v bsz="$base_size" -v bytes="$BYTES" -v runs="$RUNS" 'BEGIN {
  printf "| what | median time | events/s | peak RSS | on disk |\n|---|---|---|---|---|\n";
  printf "| auditdesk import (SQLCipher + FTS5 + chain) | %.1f s | %d | %.0f MiB | %.0f MiB |\n", os, n/os, orss/1024, osz/1048576;
  printf "| sqlite3 plain table, no FTS, unencrypted | %.1f s | %d | %.0f MiB | %.0f MiB |\n", bs, n/bs, brss/1024, bsz/1048576;
  printf "\n%d events, %.0f MiB of NDJSON, %d runs each; ratio auditdesk/sqlite3 rate = %.2f\n", n, bytes/1048576, runs, bs/os;
}'
