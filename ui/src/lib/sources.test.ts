import { describe, expect, it } from "vitest";
import {
  DEFAULT_REDOX_HOST,
  activityDetail,
  connectionTestSummary,
  emptyRedoxForm,
  etaLabel,
  lastRunSummary,
  rateLabel,
  redoxArgs,
  removedMessage,
  runDuration,
  runStatusLabel,
  syncProgressLines,
  validateRedoxForm,
  windowLabel,
} from "./sources";
import type { SyncRun } from "../bindings/SyncRun";

const PEM = "-----BEGIN PRIVATE KEY-----\nMIIBVAIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";

function run(over: Partial<SyncRun> = {}): SyncRun {
  return {
    id: 1,
    source: "prod",
    status: "completed",
    started_at: "2026-11-30T10:00:00Z",
    finished_at: "2026-11-30T10:02:05Z",
    window_start: "2026-11-29T10:00:00Z",
    window_stop: "2026-11-30T10:00:00Z",
    pages: 3,
    next_page: 3,
    requests: 4,
    retries: 0,
    events: 1200,
    new: 1000,
    updated: 5,
    unchanged: 195,
    resumes: 0,
    error: null,
    ...over,
  };
}

describe("Redox form", () => {
  it("starts with the default host", () => {
    expect(emptyRedoxForm().host).toBe(DEFAULT_REDOX_HOST);
  });
  it("lists every missing field", () => {
    const errs = validateRedoxForm(emptyRedoxForm());
    expect(Object.keys(errs).sort()).toEqual(["client_id", "key_id", "name", "organization_id", "private_key_pem"]);
  });
  it("accepts a complete form and rejects taken names, bad PEMs and plain http", () => {
    const f = { ...emptyRedoxForm(), name: "prod", organization_id: "1", client_id: "c", key_id: "k", private_key_pem: PEM };
    expect(validateRedoxForm(f)).toEqual({});
    expect(validateRedoxForm(f, ["prod"]).name).toContain("exists");
    expect(validateRedoxForm({ ...f, private_key_pem: "hello" }).private_key_pem).toContain("PEM");
    expect(validateRedoxForm({ ...f, host: "http://example.com" }).host).toContain("https");
    expect(validateRedoxForm({ ...f, host: "http://127.0.0.1:8080" })).toEqual({});
    expect(validateRedoxForm({ ...f, host: "api.redoxengine.com" }).host).toBeDefined();
  });
  it("trims the arguments and the host's trailing slash", () => {
    const a = redoxArgs({ name: " prod ", organization_id: " 1", client_id: "c ", key_id: "k", private_key_pem: `\n${PEM}\n\n`, host: "https://h.example/ " });
    expect(a.name).toBe("prod");
    expect(a.organization_id).toBe("1");
    expect(a.host).toBe("https://h.example");
    expect(a.private_key_pem).toBe(`${PEM}\n`);
  });
});

describe("progress", () => {
  it("formats the ETA", () => {
    expect(etaLabel(125, 0.5)).toBe("about 2 min 05 s left");
    expect(etaLabel(null, 0.1)).toBe("");
    expect(etaLabel(0.2, 0.99)).toBe("finishing…");
    expect(etaLabel(30, 1)).toBe("finishing…");
  });
  it("formats the rate", () => {
    expect(rateLabel(0)).toBe("");
    expect(rateLabel(4.26)).toBe("4.3 events/s");
    expect(rateLabel(1234.4)).toBe("1,234 events/s");
  });
  it("builds the progress lines", () => {
    const l = syncProgressLines({
      source: "prod",
      run_id: 7,
      pages: 12,
      events: 5400,
      new: 5000,
      updated: 10,
      unchanged: 390,
      requests: 13,
      events_per_second: 800,
      requests_per_second: 2,
      fraction: 0.4,
      eta_seconds: 9,
    });
    expect(l.head).toBe("40% · page 12 · 800 events/s");
    expect(l.counts).toBe("5,400 events: 5,000 new, 10 updated, 390 unchanged");
    expect(l.eta).toBe("about 9 s left");
  });
});

describe("runs", () => {
  it("labels statuses, windows and durations", () => {
    expect(runStatusLabel("failed")).toBe("Failed");
    expect(windowLabel(run())).toBe("2026-11-29 10:00:00 → 2026-11-30 10:00:00");
    expect(runDuration(run())).toBe("2 min 05 s");
    expect(runDuration(run({ finished_at: null }))).toBe("—");
  });
  it("summarises the last run", () => {
    expect(lastRunSummary({ last_run: null })).toBe("Never synced");
    expect(lastRunSummary({ last_run: run() })).toBe("Last synced 2026-11-30 10:02:05: 1,200 events, 1,000 new, 5 updated");
    expect(lastRunSummary({ last_run: run({ status: "failed", error: "401 unauthorized" }) })).toContain("failed 2026-11-30 10:02:05: 401 unauthorized");
    expect(lastRunSummary({ last_run: run({ status: "running", finished_at: null }) })).toContain("resumes");
  });
});

describe("texts", () => {
  it("summarises a connection test", () => {
    const s = connectionTestSummary({
      source: "prod",
      host: "https://api.redoxengine.com",
      algorithm: "RS384",
      window: { start: "2026-11-29T10:00:00Z", stop: "2026-11-30T10:00:00Z" },
      first_page_events: 1,
      requests: 2,
    });
    expect(s).toBe("Connected to https://api.redoxengine.com (RS384): a token, then 1 event on the first page of the last day, in 2 requests.");
  });
  it("flattens activity details", () => {
    expect(activityDetail({ report: 3, type: "pci", skip: null })).toBe("report: 3 · type: pci");
    expect(activityDetail({ tags: ["a", "b"] })).toBe('tags: ["a","b"]');
    expect(activityDetail(null)).toBe("");
    expect(activityDetail("x")).toBe("x");
  });
  it("says events stay after a removal", () => {
    expect(removedMessage({ name: "prod", events_kept: 1200 })).toBe('Source "prod" removed; its 1,200 events stay in the vault as evidence.');
    expect(removedMessage({ name: "empty", events_kept: 0 })).toBe('Source "empty" removed.');
  });
});
