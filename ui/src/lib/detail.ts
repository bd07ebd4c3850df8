// Turning an EventDetail into the rows the expanded view lists.

import type { EventDetail } from "../bindings/EventDetail";

const SKIP = new Set(["raw", "details", "status_history", "actor", "tags"]);

/** Every scalar field, in the order the Rust type declares it, actor fields flattened. */
export function detailFields(d: EventDetail): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(d)) {
    if (SKIP.has(k)) continue;
    if (k === "occurred_at") {
      out.push([k, String(v)]);
      const a = d.actor;
      if (a) {
        out.push(["user_id", a.user_id ?? "—"]);
        out.push(["user_email", a.email ?? "—"]);
        out.push(["user_name", a.name ?? "—"]);
        out.push(["user_role", a.role ?? "—"]);
      }
      continue;
    }
    out.push([k, v === null || v === undefined ? "—" : typeof v === "object" ? JSON.stringify(v) : String(v)]);
  }
  out.push(["tags", d.tags?.length ? d.tags.join(", ") : "—"]);
  return out;
}

export function prettyJson(v: unknown): string {
  return JSON.stringify(v ?? null, null, 2);
}

/** A stable key for an event across sources. */
export function eventKey(e: { source: string; id: string }): string {
  return `${e.source}\u0000${e.id}`;
}
