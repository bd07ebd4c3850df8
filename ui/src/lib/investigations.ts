// Pure logic for the Investigations screen: tags, filtering, cases,
// timelines and case bundles.
import type { Bookmark } from "../bindings/Bookmark";
import type { Case } from "../bindings/Case";
import type { CaseBundle } from "../bindings/CaseBundle";
import type { Timeline } from "../bindings/Timeline";
import { parseTags } from "./query";
import { formatInt } from "./format";

export { parseTags };

/** The tags typed in `text` that the bookmark does not have yet (bookmark_set adds tags). */
export function tagsToAdd(existing: string[], text: string): string[] {
  const have = new Set(existing.map((t) => t.toLowerCase()));
  return parseTags(text).filter((t) => !have.has(t.toLowerCase()));
}

/** Every tag in use with its count, most used first, then by name. */
export function tagCounts(bookmarks: Bookmark[]): { tag: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const b of bookmarks) for (const t of new Set(b.tags)) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts.entries()]
    .map(([tag, count]) => ({ tag, count }))
    .sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag));
}

/** Bookmarks matching free text (note, type, user, id, tags, cases) and, if given, a tag. */
export function filterBookmarks(bookmarks: Bookmark[], text: string, tag: string | null = null): Bookmark[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  return bookmarks.filter((b) => {
    if (tag && !b.tags.includes(tag)) return false;
    if (words.length === 0) return true;
    const hay = [b.note, b.type, b.user ?? "", b.event_id, b.source, b.severity, b.outcome, ...b.tags, ...b.cases]
      .join(" ")
      .toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** Newest event first (the "all bookmarks" list); a case timeline is oldest first. */
export function sortBookmarks(bookmarks: Bookmark[], order: "newest" | "oldest" = "newest"): Bookmark[] {
  const sign = order === "newest" ? -1 : 1;
  return [...bookmarks].sort((a, b) => {
    const d = Date.parse(a.occurred_at) - Date.parse(b.occurred_at);
    if (d !== 0 && Number.isFinite(d)) return sign * d;
    return a.event_id.localeCompare(b.event_id);
  });
}

/** A stable key for a bookmark (the same event id may come from two sources). */
export function bookmarkKey(b: Pick<Bookmark, "source" | "event_id">): string {
  return `${b.source}\u0000${b.event_id}`;
}

/** Why a case name cannot be used, or null. */
export function caseNameProblem(name: string, existing: Pick<Case, "name">[]): string | null {
  const n = name.trim();
  if (!n) return "Give the case a name, e.g. INC-1.";
  if (n.length > 120) return "Keep the name under 120 characters.";
  if (existing.some((c) => c.name === n)) return `A case named "${n}" exists already.`;
  return null;
}

/** Open cases first, then newest first. */
export function sortCases(cases: Case[]): Case[] {
  return [...cases].sort((a, b) => {
    if (a.status !== b.status) return a.status === "open" ? -1 : 1;
    return Date.parse(b.created_at) - Date.parse(a.created_at) || a.name.localeCompare(b.name);
  });
}

/** case_timeline's result has the case's fields flattened into it: the case, and its bookmarks. */
export function splitTimeline(t: Timeline): { case: Case; timeline: Bookmark[] } {
  const { timeline, ...rest } = t;
  return { case: rest, timeline };
}

/** The default folder name for a case bundle: "INC-1" → "INC-1-bundle". */
export function bundleDirName(caseName: string): string {
  const base = caseName
    .trim()
    .replace(/[\\/:*?"<>|\u0000-\u001f]+/g, "-")
    .replace(/\s+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "");
  return `${base || "case"}-bundle`;
}

/** 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "—";
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 ? Math.round(v) : Math.round(v * 10) / 10} ${units[i]}`;
}

/** One line for a toast and the per-file rows of the manifest. */
export function bundleSummary(b: CaseBundle): { title: string; detail: string; totalBytes: number } {
  const totalBytes = b.files.reduce((n, f) => n + (f.bytes || 0), 0);
  const files = b.files.length;
  return {
    title: `Case ${b.case} exported: ${formatInt(b.events)} event${b.events === 1 ? "" : "s"}, ${files} file${files === 1 ? "" : "s"} (${formatBytes(totalBytes)})`,
    detail: b.dir,
    totalBytes,
  };
}
