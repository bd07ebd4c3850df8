#!/usr/bin/env bash
# `make run`: builds a demo vault by syncing a simulated Redox organisation
# (the embedded simulator, on loopback) and importing the bundled portal
# exports, then shows what it holds. No credentials, no network beyond
# loopback; the passphrase is a demo one.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=./target/debug/auditdesk
VAULT=demo-vault
export AUDITDESK_PASSPHRASE="auditdesk demo passphrase"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

rm -rf "$VAULT"
step "Create an encrypted vault in ./$VAULT (demo passphrase: \"$AUDITDESK_PASSPHRASE\")"
$BIN --vault "$VAULT" vault init

step "Add the demo source: a simulated Redox organisation with its own generated key pair"
$BIN --vault "$VAULT" source add demo --name demo
$BIN --vault "$VAULT" source test demo

step "Sync it over the real Redox API contract (signed-JWT token, _count=50 pages) from the embedded simulator"
$BIN --vault "$VAULT" sync --source demo

step "Sync again: only the overlap window is asked for; nothing is doubled"
$BIN --vault "$VAULT" sync --source demo
$BIN --vault "$VAULT" source list

step "Import the bundled samples (Redox API events, and the two portal CSV exports)"
$BIN --vault "$VAULT" import samples/redox-events.ndjson --source redox-export
$BIN --vault "$VAULT" import samples/event-viewer.csv --source event-viewer
$BIN --vault "$VAULT" import samples/audit-log.csv --source audit-log

step "Importing the same file again adds nothing"
$BIN --vault "$VAULT" import samples/redox-events.ndjson --source redox-export

step "What the vault holds"
$BIN --vault "$VAULT" vault info

step "Search: organisation role changes at WARNING or above (type:user-org-role-changed severity>=warning)"
$BIN --vault "$VAULT" search 'type:user-org-role-changed severity>=warning' --limit 5

step "Search: who searched the logs for \"Smith\" (a value inside the event details)"
$BIN --vault "$VAULT" search 'Smith' --limit 5

step "One event in full, with its status history and raw JSON"
id=$($BIN --vault "$VAULT" search 'type:log-payload-viewed' --limit 1 --json | sed -n 's/^      "id": "\(.*\)",$/\1/p' | head -n1)
$BIN --vault "$VAULT" show "$id"

step "Boolean queries with facets: failed or denied privilege changes, by severity, since August"
$BIN --vault "$VAULT" search '(category:permission OR type:user-*) -status:successful after:2026-08-01' --sort severity --limit 5 --facets

step "The dashboard for the last 7 days held"
$BIN --vault "$VAULT" dashboard --range 7d

step "An investigation: a case, bookmarks with notes, and a hashed hand-over bundle"
$BIN --vault "$VAULT" case create INC-1 --description "failed privilege changes"
for bid in $($BIN --vault "$VAULT" search 'category:permission status:failed' --limit 3 --json | sed -n 's/^      "id": "\(.*\)",$/\1/p'); do
  $BIN --vault "$VAULT" bookmark add "$bid" --case INC-1 --note "failed change, check the requester" --tag triage >/dev/null
done
$BIN --vault "$VAULT" case show INC-1
OUT=$(mktemp -d "${TMPDIR:-/tmp}/auditdesk-demo-out.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
$BIN --vault "$VAULT" case export INC-1 --out "$OUT/INC-1"
(cd "$OUT/INC-1" && sha256sum -c MANIFEST.sha256)

step "Exports (streamed; --redact masks e-mail and IP addresses), and the saved search behind them"
$BIN --vault "$VAULT" saved add 'denied access' 'status:unauthorized OR status:unauthenticated'
$BIN --vault "$VAULT" export 'status:unauthorized OR status:unauthenticated' --redact --out "$OUT/denied.xlsx"
$BIN --vault "$VAULT" export 'status:unauthorized OR status:unauthenticated' --redact --out "$OUT/denied.csv"
head -n 3 "$OUT/denied.csv" | cut -c1-200

step "A PCI DSS report for the third quarter, kept in the vault and re-verified from it"
$BIN --vault "$VAULT" report generate --type pci --quarter 2026Q3 --as-of 2026-10-01T09:00:00Z --out "$OUT/pci-2026Q3.pdf"
$BIN --vault "$VAULT" report verify "$OUT/pci-2026Q3.pdf"
$BIN --vault "$VAULT" report list

step "Who looked at the audit trail: the reviewer-activity log (newest first)"
$BIN --vault "$VAULT" activity --limit 12

step "Integrity: page HMACs, SQLite structure, full-text index, the hash chain and the activity log"
$BIN --vault "$VAULT" vault verify

step "On disk: only ciphertext and the wrapped key"
ls -l "$VAULT"
if grep -rqa -e 'SQLite format 3' -e 'log-payload-viewed' -e 'PRIVATE KEY' "$VAULT"; then
  echo "plaintext found in $VAULT" >&2
  exit 1
fi
echo "no plaintext event data, private key or SQLite header in $VAULT"
