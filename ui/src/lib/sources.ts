// Pure logic for the Sources screen: the Redox form, sync progress and ETA,
// run and activity-log labels.
import type { SourceInfo } from "../bindings/SourceInfo";
import type { SyncProgress } from "../bindings/SyncProgress";
import type { SyncRun } from "../bindings/SyncRun";
import type { AddRedoxArgs } from "../bindings/AddRedoxArgs";
import type { ConnectionTest } from "../bindings/ConnectionTest";
import type { SourceRemoved } from "../bindings/SourceRemoved";
import type { JsonValue } from "../bindings/serde_json/JsonValue";
import { formatDateTime, formatDuration, formatInt, formatPercent } from "./format";

export const DEFAULT_REDOX_HOST = "https://api.redoxengine.com";

/** The form holds exactly source_add_redox's arguments. */
export type RedoxForm = AddRedoxArgs;

export function emptyRedoxForm(): RedoxForm {
  return { name: "", organization_id: "", client_id: "", key_id: "", private_key_pem: "", host: DEFAULT_REDOX_HOST };
}

/** Field → problem, for the fields that are not ready yet (empty object: valid). */
export function validateRedoxForm(f: RedoxForm, taken: string[] = []): Partial<Record<keyof RedoxForm, string>> {
  const out: Partial<Record<keyof RedoxForm, string>> = {};
  const name = f.name.trim();
  if (!name) out.name = "Give the connection a name.";
  else if (taken.includes(name)) out.name = `A source named "${name}" exists already.`;
  if (!f.organization_id.trim()) out.organization_id = "Required.";
  if (!f.client_id.trim()) out.client_id = "Required.";
  if (!f.key_id.trim()) out.key_id = "Required.";
  const pem = f.private_key_pem.trim();
  if (!pem) out.private_key_pem = "Paste the private key (PEM).";
  else if (!/^-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----$/.test(pem))
    out.private_key_pem = "This does not look like a PEM private key (-----BEGIN … PRIVATE KEY-----).";
  const host = f.host.trim();
  if (!/^https?:\/\/[^\s/]+/i.test(host)) out.host = "A URL such as https://api.redoxengine.com.";
  else if (/^http:\/\//i.test(host) && !/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:|\/|$)/i.test(host))
    out.host = "Use https (plain http only for a local test server).";
  return out;
}

/** The arguments for source_add_redox: trimmed, the host without a trailing slash. */
export function redoxArgs(f: RedoxForm): AddRedoxArgs {
  return {
    name: f.name.trim(),
    organization_id: f.organization_id.trim(),
    client_id: f.client_id.trim(),
    key_id: f.key_id.trim(),
    private_key_pem: f.private_key_pem.trim() + "\n",
    host: f.host.trim().replace(/\/+$/, ""),
  };
}

/** "about 2 min 05 s left", "finishing…" or "" while the rate is unknown. */
export function etaLabel(eta: number | null | undefined, fraction: number): string {
  if (fraction >= 1) return "finishing…";
  if (eta === null || eta === undefined || !Number.isFinite(eta) || eta < 0) return "";
  if (eta < 1) return "finishing…";
  return `about ${formatDuration(eta)} left`;
}

/** "1,234 events/s" (no decimals above 10, one below). */
export function rateLabel(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return "";
  if (perSecond < 10) return `${(Math.round(perSecond * 10) / 10).toString()} events/s`;
  return `${formatInt(perSecond)} events/s`;
}

/** The lines under a sync progress bar. */
export function syncProgressLines(p: SyncProgress): { head: string; counts: string; eta: string } {
  const rate = rateLabel(p.events_per_second);
  return {
    head: `${formatPercent(p.fraction)} · page ${formatInt(p.pages)}${rate ? ` · ${rate}` : ""}`,
    counts: `${formatInt(p.events)} events: ${formatInt(p.new)} new, ${formatInt(p.updated)} updated, ${formatInt(p.unchanged)} unchanged`,
    eta: etaLabel(p.eta_seconds, p.fraction),
  };
}

export const RUN_STATUS_LABELS: Record<string, string> = {
  running: "Running",
  completed: "Completed",
  failed: "Failed",
};

export function runStatusLabel(status: string): string {
  return RUN_STATUS_LABELS[status] ?? status;
}

/** A run's window: "2026-11-29 10:00:00 → 2026-11-30 10:00:00". */
export function windowLabel(run: Pick<SyncRun, "window_start" | "window_stop">): string {
  if (!run.window_start && !run.window_stop) return "—";
  return `${formatDateTime(run.window_start)} → ${formatDateTime(run.window_stop)}`;
}

/** How long a finished run took, "—" when running or unknown. */
export function runDuration(run: Pick<SyncRun, "started_at" | "finished_at">): string {
  if (!run.finished_at) return "—";
  const ms = Date.parse(run.finished_at) - Date.parse(run.started_at);
  return Number.isFinite(ms) && ms >= 0 ? formatDuration(ms / 1000) : "—";
}

/** One line about a source's last sync. */
export function lastRunSummary(s: Pick<SourceInfo, "last_run">): string {
  const r = s.last_run;
  if (!r) return "Never synced";
  const when = formatDateTime(r.finished_at ?? r.started_at);
  if (r.status === "failed") return `Last sync failed ${when}${r.error ? `: ${r.error}` : ""}`;
  if (r.status === "running") return `Sync started ${when} did not finish; the next sync resumes it`;
  return `Last synced ${when}: ${formatInt(r.events)} events, ${formatInt(r.new)} new, ${formatInt(r.updated)} updated`;
}

export function connectionTestSummary(t: ConnectionTest): string {
  const n = t.first_page_events;
  return `Connected to ${t.host} (${t.algorithm}): a token, then ${formatInt(n)} event${n === 1 ? "" : "s"} on the first page of the last day, in ${formatInt(t.requests)} request${t.requests === 1 ? "" : "s"}.`;
}

/** The reviewer-activity detail (JSON) as "key: value" pairs for a table cell. */
export function activityDetail(detail: JsonValue): string {
  if (detail === null) return "";
  if (typeof detail !== "object") return String(detail);
  if (Array.isArray(detail)) return detail.map((d) => activityDetail(d)).join(", ");
  return Object.entries(detail)
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" · ");
}

/** What source_remove did, in words. */
export function removedMessage(r: SourceRemoved): string {
  if (r.events_kept === 0) return `Source "${r.name}" removed.`;
  return `Source "${r.name}" removed; its ${formatInt(r.events_kept)} events stay in the vault as evidence.`;
}
