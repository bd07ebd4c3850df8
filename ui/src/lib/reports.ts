// Pure logic for the Reports screen: periods, labels, ordering, verification.
import type { IpcError } from "../bindings/IpcError";
import type { StoredReport } from "../bindings/StoredReport";
import type { ReportVerification } from "../bindings/ReportVerification";

/** The frameworks report_generate knows (GenerateArgs.report_type is a plain string on the Rust side). */
export type ReportType = "sox" | "gdpr" | "hipaa" | "iso27001" | "pci" | "custom";

export const REPORT_TYPES: { id: ReportType; label: string }[] = [
  { id: "pci", label: "PCI DSS" },
  { id: "hipaa", label: "HIPAA" },
  { id: "sox", label: "SOX" },
  { id: "gdpr", label: "GDPR" },
  { id: "iso27001", label: "ISO 27001" },
  { id: "custom", label: "Custom" },
];

export const DEFAULT_REPORT_TYPE: ReportType = "pci";

export function reportTypeLabel(type: string): string {
  return REPORT_TYPES.find((t) => t.id === type.toLowerCase())?.label ?? type;
}

/** The UTC calendar quarter holding `d`: "2026Q4". */
export function quarterOf(d: Date): string {
  return `${d.getUTCFullYear()}Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

/** The quarter holding `d` and the `count - 1` before it, newest first. */
export function recentQuarters(d: Date, count = 8): string[] {
  let year = d.getUTCFullYear();
  let q = Math.floor(d.getUTCMonth() / 3) + 1;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.push(`${year}Q${q}`);
    q -= 1;
    if (q === 0) {
      q = 4;
      year -= 1;
    }
  }
  return out;
}

/** "2026Q3" → the first and last UTC day, both included: ["2026-07-01", "2026-09-30"]. */
export function quarterDays(quarter: string): [string, string] | null {
  const m = /^(\d{4})\s*-?\s*Q([1-4])$/i.exec(quarter.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const q = Number(m[2]);
  const first = new Date(Date.UTC(year, (q - 1) * 3, 1));
  const last = new Date(Date.UTC(year, q * 3, 0));
  const day = (x: Date) => x.toISOString().slice(0, 10);
  return [day(first), day(last)];
}

export type PeriodChoice =
  | { kind: "quarter"; quarter: string }
  | { kind: "dates"; from: string; to: string };

/** The period arguments of report_generate, or a reason they are not valid. */
export function periodArgs(
  p: PeriodChoice,
): { ok: true; quarter: string | null; from: string | null; to: string | null } | { ok: false; message: string } {
  if (p.kind === "quarter") {
    if (!quarterDays(p.quarter)) return { ok: false, message: `"${p.quarter}" is not a quarter like 2026Q3.` };
    return { ok: true, quarter: p.quarter.trim().toUpperCase().replace(/[\s-]/g, ""), from: null, to: null };
  }
  const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);
  if (!isDay(p.from) || !isDay(p.to)) return { ok: false, message: "Give both dates (YYYY-MM-DD)." };
  if (p.to < p.from) return { ok: false, message: "The end date is before the start date." };
  return { ok: true, quarter: null, from: p.from, to: p.to };
}

export const STATUS_LABELS: Record<string, string> = {
  pending: "Queued",
  generating: "Generating",
  completed: "Completed",
  failed: "Failed",
};

export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}

/** Newest first: by creation time, then by id (ids grow with time). */
export function sortReports(reports: StoredReport[]): StoredReport[] {
  return [...reports].sort((a, b) => {
    const ta = Date.parse(a.created_at);
    const tb = Date.parse(b.created_at);
    if (Number.isFinite(ta) && Number.isFinite(tb) && ta !== tb) return tb - ta;
    return b.id - a.id;
  });
}

/** A file name for the save dialog: "PCI DSS 2026Q3" → "PCI-DSS-2026Q3.pdf". */
export function pdfFileName(name: string): string {
  const base = name
    .trim()
    .replace(/[\\/:*?"<>|\u0000-\u001f]+/g, "-")
    .replace(/\s+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "");
  return `${base || "report"}.pdf`;
}

/** The report period as UTC days, end exclusive in the data → inclusive on screen. */
export function periodLabel(start: string, end: string): string {
  const s = new Date(start);
  const e = new Date(end);
  if (Number.isNaN(s.getTime()) || Number.isNaN(e.getTime())) return `${start} – ${end}`;
  const lastDay = new Date(e.getTime() - 1);
  const sDay = s.toISOString().slice(0, 10);
  const eDay = lastDay.toISOString().slice(0, 10);
  // A whole calendar quarter reads better as "2026Q3".
  const q = quarterOf(s);
  const days = quarterDays(q);
  if (days && days[0] === sDay && days[1] === eDay) return `${q} (${sDay} – ${eDay})`;
  return `${sDay} – ${eDay}`;
}

/** Stages arrive as phrases ("gathering evidence", "drawing the PDF", "storing", "completed"). */
export function stageLabel(stage: string): string {
  if (stage === "completed") return "Done";
  const s = stage.replace(/[_-]+/g, " ").trim();
  return s ? s[0].toUpperCase() + s.slice(1) : "Working";
}

/** report_verify rejects with code "evidence" when a report no longer matches the vault. */
export function isEvidenceMismatch(e: IpcError): boolean {
  return e.code === "evidence";
}

/** Ids selected that still exist in the list (after a refresh or a delete). */
export function keepSelected(selected: Set<number>, reports: StoredReport[]): Set<number> {
  const ids = new Set(reports.map((r) => r.id));
  return new Set([...selected].filter((id) => ids.has(id)));
}

/** "Delete 3 reports?" text for the confirm dialog. */
export function deletePrompt(names: string[]): string {
  if (names.length === 1) return `Delete the report "${names[0]}"? The stored PDF is removed from the vault.`;
  return `Delete ${names.length} reports? Their stored PDFs are removed from the vault.`;
}

/** A short hash for tables: "ab12cd34…". */
export function shortHash(hex: string | null | undefined, n = 12): string {
  if (!hex) return "—";
  return hex.length > n ? `${hex.slice(0, n)}…` : hex;
}

/** What a verification shows: ok only when both the count and the root agree. */
export function verificationSummary(v: ReportVerification): { ok: boolean; text: string } {
  const ok = v.recorded.count === v.recomputed.count && v.recorded.root === v.recomputed.root;
  if (!ok) {
    return {
      ok,
      text: `Evidence differs: the report covered ${v.recorded.count} events (root ${shortHash(v.recorded.root)}), the vault now gives ${v.recomputed.count} (root ${shortHash(v.recomputed.root)}).`,
    };
  }
  return {
    ok,
    text: `Verified: ${v.recomputed.count} events, Merkle root ${shortHash(v.recomputed.root)} matches the report.`,
  };
}
