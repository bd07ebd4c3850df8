// Result ordering, in the string form the Rust side accepts: "<column>" or
// "<column>:asc|desc".

export type SortDir = "asc" | "desc";
export type SortSpec = { column: string; dir: SortDir };

export const SORT_COLUMNS = [
  "occurred_at",
  "type",
  "category",
  "severity",
  "outcome",
  "user",
  "ip",
  "resource",
  "source",
] as const;

/** Time and severity default to descending (newest, worst first). */
export function defaultDir(column: string): SortDir {
  return column === "occurred_at" || column === "severity" ? "desc" : "asc";
}

export const DEFAULT_SORT: SortSpec = { column: "occurred_at", dir: "desc" };

export function parseSort(text: string | null | undefined): SortSpec {
  if (!text) return DEFAULT_SORT;
  let t = text.trim().toLowerCase();
  let dir: SortDir | null = null;
  if (t.startsWith("-")) {
    dir = "desc";
    t = t.slice(1);
  }
  const [column, suffix] = t.split(":");
  if (suffix === "asc" || suffix === "desc") dir = suffix;
  const col = column === "time" || column === "date" ? "occurred_at" : column === "status" ? "outcome" : column;
  return { column: col, dir: dir ?? defaultDir(col) };
}

export function formatSort(s: SortSpec): string {
  return `${s.column}:${s.dir}`;
}

/** Clicking a header: the same column flips, another starts at its default. */
export function nextSort(current: SortSpec, column: string): SortSpec {
  if (current.column === column) return { column, dir: current.dir === "asc" ? "desc" : "asc" };
  return { column, dir: defaultDir(column) };
}
