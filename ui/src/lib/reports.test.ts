import { describe, expect, it } from "vitest";
import {
  deletePrompt,
  isEvidenceMismatch,
  keepSelected,
  pdfFileName,
  periodArgs,
  periodLabel,
  quarterDays,
  quarterOf,
  recentQuarters,
  reportTypeLabel,
  shortHash,
  sortReports,
  stageLabel,
  statusLabel,
  verificationSummary,
} from "./reports";
import type { StoredReport } from "../bindings/StoredReport";

function report(id: number, created_at: string, status = "completed"): StoredReport {
  return {
    id,
    name: `R${id}`,
    type: "pci",
    period_start: "2026-07-01T00:00:00Z",
    period_end: "2026-10-01T00:00:00Z",
    scope: "",
    as_of: created_at,
    status,
    progress: 1,
    error: null,
    created_at,
    finished_at: null,
    events: 10,
    merkle_root: null,
    pages: 3,
    pdf_sha256: null,
  };
}

describe("quarters", () => {
  it("finds the UTC quarter of a date", () => {
    expect(quarterOf(new Date("2026-11-30T12:00:00Z"))).toBe("2026Q4");
    expect(quarterOf(new Date("2026-01-01T00:00:00Z"))).toBe("2026Q1");
    expect(quarterOf(new Date("2026-03-31T23:59:59Z"))).toBe("2026Q1");
    expect(quarterOf(new Date("2026-04-01T00:00:00Z"))).toBe("2026Q2");
    expect(quarterOf(new Date("2026-09-30T10:00:00Z"))).toBe("2026Q3");
  });

  it("lists recent quarters newest first across years", () => {
    expect(recentQuarters(new Date("2026-02-10T00:00:00Z"), 6)).toEqual([
      "2026Q1",
      "2025Q4",
      "2025Q3",
      "2025Q2",
      "2025Q1",
      "2024Q4",
    ]);
    expect(recentQuarters(new Date("2026-11-10T00:00:00Z"), 1)).toEqual(["2026Q4"]);
  });

  it("gives a quarter's first and last day", () => {
    expect(quarterDays("2026Q3")).toEqual(["2026-07-01", "2026-09-30"]);
    expect(quarterDays("2024Q1")).toEqual(["2024-01-01", "2024-03-31"]);
    expect(quarterDays("2026-q4")).toEqual(["2026-10-01", "2026-12-31"]);
    expect(quarterDays("2026Q5")).toBeNull();
    expect(quarterDays("Q3")).toBeNull();
  });
});

describe("periodArgs", () => {
  it("normalises a quarter and leaves the dates null", () => {
    expect(periodArgs({ kind: "quarter", quarter: " 2026-q3 " })).toEqual({ ok: true, quarter: "2026Q3", from: null, to: null });
  });
  it("rejects a bad quarter", () => {
    const r = periodArgs({ kind: "quarter", quarter: "2026Q9" });
    expect(r.ok).toBe(false);
  });
  it("passes a date range and checks its order", () => {
    expect(periodArgs({ kind: "dates", from: "2026-01-01", to: "2026-01-31" })).toEqual({
      ok: true,
      quarter: null,
      from: "2026-01-01",
      to: "2026-01-31",
    });
    expect(periodArgs({ kind: "dates", from: "2026-02-01", to: "2026-01-31" }).ok).toBe(false);
    expect(periodArgs({ kind: "dates", from: "", to: "2026-01-31" }).ok).toBe(false);
  });
});

describe("labels", () => {
  it("labels statuses and types", () => {
    expect(statusLabel("completed")).toBe("Completed");
    expect(statusLabel("generating")).toBe("Generating");
    expect(statusLabel("pending")).toBe("Queued");
    expect(statusLabel("weird")).toBe("weird");
    expect(reportTypeLabel("iso27001")).toBe("ISO 27001");
    expect(reportTypeLabel("PCI")).toBe("PCI DSS");
  });
  it("labels stages from the backend", () => {
    expect(stageLabel("gathering evidence")).toBe("Gathering evidence");
    expect(stageLabel("drawing the PDF")).toBe("Drawing the PDF");
    expect(stageLabel("completed")).toBe("Done");
    expect(stageLabel("")).toBe("Working");
  });
  it("shows a whole quarter as a quarter and other periods as days", () => {
    expect(periodLabel("2026-07-01T00:00:00Z", "2026-10-01T00:00:00Z")).toBe("2026Q3 (2026-07-01 – 2026-09-30)");
    expect(periodLabel("2026-07-01T00:00:00Z", "2026-07-15T00:00:00Z")).toBe("2026-07-01 – 2026-07-14");
  });
  it("shortens hashes", () => {
    expect(shortHash("0123456789abcdef", 8)).toBe("01234567…");
    expect(shortHash(null)).toBe("—");
  });
});

describe("ordering and selection", () => {
  it("sorts newest first, ids breaking ties", () => {
    const list = [
      report(1, "2026-10-01T10:00:00Z"),
      report(3, "2026-10-02T10:00:00Z"),
      report(2, "2026-10-01T10:00:00Z"),
    ];
    expect(sortReports(list).map((r) => r.id)).toEqual([3, 2, 1]);
    expect(list.map((r) => r.id)).toEqual([1, 3, 2]);
  });
  it("drops selected ids that are gone", () => {
    const kept = keepSelected(new Set([1, 2, 9]), [report(1, "2026-01-01T00:00:00Z"), report(2, "2026-01-01T00:00:00Z")]);
    expect([...kept].sort()).toEqual([1, 2]);
  });
  it("words the delete prompt for one and many", () => {
    expect(deletePrompt(["PCI DSS 2026Q3"])).toContain('"PCI DSS 2026Q3"');
    expect(deletePrompt(["a", "b", "c"])).toContain("Delete 3 reports");
  });
});

describe("files and errors", () => {
  it("makes a safe PDF file name", () => {
    expect(pdfFileName("PCI DSS 2026Q3")).toBe("PCI-DSS-2026Q3.pdf");
    expect(pdfFileName("a/b:c")).toBe("a-b-c.pdf");
    expect(pdfFileName("  ")).toBe("report.pdf");
  });
  it("recognises an evidence mismatch", () => {
    expect(isEvidenceMismatch({ code: "evidence", message: "changed", position: null })).toBe(true);
    expect(isEvidenceMismatch({ code: "io", message: "x", position: null })).toBe(false);
  });
});

describe("verificationSummary", () => {
  const base = {
    report: report(1, "2026-10-01T00:00:00Z"),
    pdf_sha256: "ff",
    recorded: { count: 5, root: "abcdef0123456789abcd" },
    recomputed: { count: 5, root: "abcdef0123456789abcd" },
  };
  it("is ok when count and root agree", () => {
    const s = verificationSummary(base);
    expect(s.ok).toBe(true);
    expect(s.text).toContain("5 events");
  });
  it("flags a different root or count", () => {
    expect(verificationSummary({ ...base, recomputed: { count: 5, root: "00" } }).ok).toBe(false);
    const s = verificationSummary({ ...base, recomputed: { count: 6, root: base.recorded.root } });
    expect(s.ok).toBe(false);
    expect(s.text).toContain("now gives 6");
  });
});
