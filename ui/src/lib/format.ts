// Number, date and duration formatting. Dates are shown in UTC: audit
// evidence is compared across machines and time zones.

const intFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** 1234567 → "1,234,567" (integers; non-finite input → "—"). */
export function formatInt(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  return intFormat.format(Math.round(n));
}

/** 1234 → "1.2k", 2500000 → "2.5M": for chart axes. */
export function formatCompact(n: number): string {
  const abs = Math.abs(n);
  const trim = (x: number) => (Math.round(x * 10) / 10).toString();
  if (abs >= 1e9) return `${trim(n / 1e9)}B`;
  if (abs >= 1e6) return `${trim(n / 1e6)}M`;
  if (abs >= 1e3) return `${trim(n / 1e3)}k`;
  return String(Math.round(n));
}

/** "1–50 of 1,234" for a page starting at `offset` holding `count` rows. */
export function pageLabel(offset: number, count: number, total: number): string {
  if (total <= 0 || count <= 0) return `0 of ${formatInt(Math.max(0, total))}`;
  return `${formatInt(offset + 1)}–${formatInt(offset + count)} of ${formatInt(total)}`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function parse(iso: string): Date | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "2026-11-30T19:51:34.308Z" → "2026-11-30 19:51:34" (UTC). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = parse(iso);
  if (!d) return iso;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** "2026-11-30" (UTC day). */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = parse(iso);
  if (!d) return iso;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A short bucket label: "19:00" for hourly buckets, "Nov 30" for daily ones. */
export function formatBucketLabel(iso: string, bucketSeconds: number): string {
  const d = parse(iso);
  if (!d) return iso;
  if (bucketSeconds < 86400) return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
}

/** Seconds → "45 s", "3 min 20 s", "1 h 05 min". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min`;
}

/** 0.4567 → "46%" (clamped to 0–100). */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return "0%";
  return `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}

/** Severity names arrive as "ERROR"; CSS classes and labels use lower case. */
export function severityClass(severity: string): string {
  return severity.toLowerCase();
}

/** Outcomes that are not a success are highlighted. */
export function isBadOutcome(outcome: string): boolean {
  return !["successful", "success", "ok", "completed"].includes(outcome.toLowerCase());
}

/** A local calendar date as YYYY-MM-DD (for date inputs). */
export function isoDay(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * An integer split into groups of three digits, for display with a thin gap
 * between groups while the element's textContent stays the plain integer:
 * 42919 → ["42", "919"], -1234 → ["-1", "234"].
 */
export function digitGroups(n: number): string[] {
  const s = String(Math.trunc(n));
  const sign = s.startsWith("-") ? "-" : "";
  const digits = sign ? s.slice(1) : s;
  const head = digits.length % 3 || 3;
  const out = [sign + digits.slice(0, head)];
  for (let i = head; i < digits.length; i += 3) out.push(digits.slice(i, i + 3));
  return out;
}
