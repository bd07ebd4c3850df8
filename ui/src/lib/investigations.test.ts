import { describe, expect, it } from "vitest";
import {
  bookmarkKey,
  bundleDirName,
  bundleSummary,
  caseNameProblem,
  filterBookmarks,
  formatBytes,
  parseTags,
  sortBookmarks,
  sortCases,
  splitTimeline,
  tagCounts,
  tagsToAdd,
} from "./investigations";
import type { Bookmark } from "../bindings/Bookmark";
import type { Case } from "../bindings/Case";

function bm(id: string, over: Partial<Bookmark> = {}): Bookmark {
  return {
    event_id: id,
    source: "demo",
    occurred_at: "2026-11-01T10:00:00Z",
    type: "auth.login",
    severity: "ERROR",
    outcome: "failed",
    user: "alice@example.com",
    note: "",
    tags: [],
    cases: [],
    created_at: "2026-11-02T00:00:00Z",
    updated_at: "2026-11-02T00:00:00Z",
    ...over,
  };
}

function kase(name: string, status: string, created_at: string): Case {
  return { name, description: "", status, created_at, closed_at: null, bookmarks: 0 };
}

describe("tags", () => {
  it("parses a comma list", () => {
    expect(parseTags("a, b ,c")).toEqual(["a", "b", "c"]);
    expect(parseTags(" , ")).toEqual([]);
  });
  it("keeps only the tags not on the bookmark yet", () => {
    expect(tagsToAdd(["phi", "Login"], "phi, login, exfil,exfil")).toEqual(["exfil"]);
  });
  it("counts tags, most used first", () => {
    const list = [bm("1", { tags: ["b", "a"] }), bm("2", { tags: ["a"] }), bm("3", { tags: ["c", "c"] })];
    expect(tagCounts(list)).toEqual([
      { tag: "a", count: 2 },
      { tag: "b", count: 1 },
      { tag: "c", count: 1 },
    ]);
  });
});

describe("filter and sort", () => {
  const list = [
    bm("e1", { note: "Suspicious login from new IP", tags: ["phi"], occurred_at: "2026-11-01T10:00:00Z" }),
    bm("e2", { note: "Bulk export", user: "bob", tags: ["exfil"], cases: ["INC-1"], occurred_at: "2026-11-03T10:00:00Z" }),
    bm("e3", { note: "", type: "patient.read", occurred_at: "2026-11-02T10:00:00Z" }),
  ];
  it("matches every word anywhere", () => {
    expect(filterBookmarks(list, "login new").map((b) => b.event_id)).toEqual(["e1"]);
    expect(filterBookmarks(list, "inc-1").map((b) => b.event_id)).toEqual(["e2"]);
    expect(filterBookmarks(list, "").length).toBe(3);
  });
  it("filters by tag", () => {
    expect(filterBookmarks(list, "", "exfil").map((b) => b.event_id)).toEqual(["e2"]);
    expect(filterBookmarks(list, "login", "phi").map((b) => b.event_id)).toEqual(["e1"]);
    expect(filterBookmarks(list, "patient", "exfil")).toEqual([]);
  });
  it("sorts by event time", () => {
    expect(sortBookmarks(list).map((b) => b.event_id)).toEqual(["e2", "e3", "e1"]);
    expect(sortBookmarks(list, "oldest").map((b) => b.event_id)).toEqual(["e1", "e3", "e2"]);
  });
  it("keys bookmarks by source and id", () => {
    expect(bookmarkKey(bm("x"))).not.toBe(bookmarkKey(bm("x", { source: "other" })));
  });
});

describe("cases", () => {
  it("checks names", () => {
    const existing = [kase("INC-1", "open", "2026-11-01T00:00:00Z")];
    expect(caseNameProblem("  ", existing)).toContain("name");
    expect(caseNameProblem("INC-1", existing)).toContain("exists");
    expect(caseNameProblem(" INC-2 ", existing)).toBeNull();
  });
  it("lists open cases first, newest first", () => {
    const sorted = sortCases([
      kase("old-open", "open", "2026-01-01T00:00:00Z"),
      kase("closed", "closed", "2026-12-01T00:00:00Z"),
      kase("new-open", "open", "2026-06-01T00:00:00Z"),
    ]);
    expect(sorted.map((c) => c.name)).toEqual(["new-open", "old-open", "closed"]);
  });
  it("splits the flattened timeline into the case and its bookmarks", () => {
    const c = kase("INC-1", "open", "2026-11-01T00:00:00Z");
    const t = splitTimeline({ ...c, timeline: [bm("e1")] });
    expect(t.case).toEqual(c);
    expect(t.timeline).toHaveLength(1);
    expect("timeline" in t.case).toBe(false);
  });
});

describe("bundles", () => {
  it("names the bundle folder", () => {
    expect(bundleDirName("INC-1")).toBe("INC-1-bundle");
    expect(bundleDirName("Case 7: phi/leak")).toBe("Case-7-phi-leak-bundle");
    expect(bundleDirName("")).toBe("case-bundle");
  });
  it("formats sizes", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(20 * 1024 * 1024)).toBe("20 MiB");
  });
  it("summarises the manifest", () => {
    const s = bundleSummary({
      dir: "/home/r/INC-1-bundle",
      case: "INC-1",
      events: 3,
      files: [
        { name: "case.json", sha256: "aa", bytes: 1024 },
        { name: "events.csv", sha256: "bb", bytes: 512 },
        { name: "MANIFEST.sha256", sha256: "cc", bytes: 0 },
      ],
    });
    expect(s.totalBytes).toBe(1536);
    expect(s.title).toBe("Case INC-1 exported: 3 events, 3 files (1.5 KiB)");
    expect(s.detail).toBe("/home/r/INC-1-bundle");
  });
});
