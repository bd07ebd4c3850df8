// Development-only fixture backend, used by `npm run dev` in a plain browser
// (no Tauri) so the screens can be worked on without the Rust side. Never in
// a production build: api.ts imports it behind import.meta.env.DEV.
import dashboard from "./fixtures/dashboard-7d.json";
import dashboard24 from "./fixtures/dashboard-24h.json";
import searchPage from "./fixtures/search-page.json";
import detail from "./fixtures/event-detail.json";
import fields from "./fixtures/query-fields.json";
import type { Bookmark } from "./types";

const listeners = new Map<string, Set<(p: unknown) => void>>();
let unlocked = false;
const bookmarks = new Map<string, Bookmark>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fail = (code: string, message: string, position: number | null = null) => {
  throw { code, message, position };
};

function emit(event: string, payload: unknown) {
  listeners.get(event)?.forEach((h) => h(payload));
}

export function listen(event: string, handler: (p: unknown) => void): () => void {
  if (!listeners.has(event)) listeners.set(event, new Set());
  listeners.get(event)!.add(handler);
  return () => listeners.get(event)?.delete(handler);
}

const overview = {
  events: 42919,
  versions: 43000,
  imports: 3,
  first_event_at: "2026-07-01T00:00:00Z",
  last_event_at: "2026-11-30T20:17:07Z",
  by_source: [["demo", 42919]],
  by_category: [],
  by_severity: [],
  by_outcome: [],
  schema_version: 1,
};

export async function call(name: string, args: Record<string, unknown>): Promise<unknown> {
  await sleep(120);
  switch (name) {
    case "app_status":
      return {
        vault_exists: true,
        unlocked,
        vault_dir: "/home/reviewer/.local/share/auditdesk/vault",
        demo_exists: true,
        keychain_available: false,
        remembered: false,
        version: "dev",
      };
    case "vault_unlock":
      if (args.passphrase !== "auditdesk demo passphrase") fail("wrong_passphrase", "wrong passphrase");
      unlocked = true;
      return overview;
    case "vault_create":
    case "vault_unlock_remembered":
      unlocked = true;
      return overview;
    case "demo_open":
      for (let i = 1; i <= 10; i++) {
        await sleep(250);
        emit("demo-progress", {
          source: "demo",
          pages: i * 86,
          events: i * 4292,
          new: i * 4292,
          updated: 0,
          events_per_second: 17000,
          fraction: i / 10,
          eta_seconds: (10 - i) * 0.25,
        });
      }
      unlocked = true;
      return overview;
    case "vault_lock":
      unlocked = false;
      return null;
    case "vault_overview":
      return overview;
    case "dashboard":
      return args.range === "24h" ? dashboard24 : dashboard;
    case "query_fields":
      return fields;
    case "search": {
      const q = String(args.query ?? "");
      const bad = q.indexOf("((");
      if (bad >= 0) fail("query", `query error at position ${bad + 1}: expected a term`, bad + 1);
      if (q.includes("nothing")) return { ...searchPage, total: 0, events: [], next_cursor: null };
      return { ...searchPage, offset: Number(args.offset ?? 0), sort: args.sort ?? searchPage.sort };
    }
    case "event_detail":
      return { ...detail, id: args.id, source: args.source };
    case "bookmark_get":
      return bookmarks.get(`${args.source}/${args.id}`) ?? null;
    case "bookmark_set": {
      const b: Bookmark = {
        event_id: String(args.id),
        source: String(args.source),
        occurred_at: detail.occurred_at,
        type: detail.type,
        severity: detail.severity,
        outcome: detail.outcome,
        user: null,
        note: String(args.note ?? ""),
        tags: (args.tags as string[]) ?? [],
        cases: args.case_name ? [String(args.case_name)] : [],
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
      };
      bookmarks.set(`${args.source}/${args.id}`, b);
      return b;
    }
    case "bookmark_remove":
      bookmarks.delete(`${args.source}/${args.id}`);
      return null;
    case "cases_list":
      return [{ name: "INC-1", description: "", status: "open", created_at: "", closed_at: null, bookmarks: 3 }];
    case "export_results":
      return { path: args.path, rows: searchPage.total, sha256: "0".repeat(64) };
    default:
      if (name.endsWith("_list")) return [];
      return fail("unavailable", `${name} is not mocked in the browser dev backend`);
  }
}
