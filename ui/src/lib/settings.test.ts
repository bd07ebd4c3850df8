import { describe, expect, it } from "vitest";
import {
  actionLabel,
  autoLockLabel,
  autoLockOptions,
  changePassphraseHint,
  keychainView,
  overviewRows,
  shares,
} from "./settings";
import type { Overview } from "../bindings/Overview";

describe("auto-lock", () => {
  it("labels minutes", () => {
    expect(autoLockLabel(0)).toBe("Never");
    expect(autoLockLabel(5)).toBe("5 minutes");
    expect(autoLockLabel(1)).toBe("1 minute");
    expect(autoLockLabel(60)).toBe("1 hour");
    expect(autoLockLabel(120)).toBe("2 hours");
  });
  it("offers the usual choices with Never last", () => {
    expect(autoLockOptions(15).map((o) => o.value)).toEqual([5, 15, 30, 60, 0]);
  });
  it("keeps an unusual stored value in order", () => {
    expect(autoLockOptions(10).map((o) => o.value)).toEqual([5, 10, 15, 30, 60, 0]);
    expect(autoLockOptions(240).map((o) => o.value)).toEqual([5, 15, 30, 60, 240, 0]);
  });
});

describe("change passphrase", () => {
  it("needs the current passphrase", () => {
    expect(changePassphraseHint("", "a long new passphrase", "a long new passphrase").ok).toBe(false);
  });
  it("needs 12 characters, confirmed", () => {
    expect(changePassphraseHint("old one", "short", "short").ok).toBe(false);
    expect(changePassphraseHint("old one", "long enough pass", "long enough pasx").message).toContain("differ");
    expect(changePassphraseHint("old one", "long enough pass", "long enough pass").ok).toBe(true);
  });
  it("refuses the same passphrase", () => {
    const h = changePassphraseHint("same old passphrase", "same old passphrase", "same old passphrase");
    expect(h.ok).toBe(false);
    expect(h.message).toContain("current");
  });
});

describe("keychain", () => {
  it("explains a missing Secret Service", () => {
    const v = keychainView({ keychain_available: false, remembered: false });
    expect(v.enabled).toBe(false);
    expect(v.note).toContain("Secret Service");
  });
  it("is enabled when available and reflects remembered", () => {
    expect(keychainView({ keychain_available: true, remembered: true })).toMatchObject({ enabled: true, remembered: true });
    expect(keychainView({ keychain_available: true, remembered: false }, true).enabled).toBe(false);
    expect(keychainView(null).enabled).toBe(false);
  });
});

describe("overview", () => {
  const o: Overview = {
    events: 1234,
    versions: 1300,
    imports: 4,
    first_event_at: "2026-01-02T03:00:00Z",
    last_event_at: "2026-11-30T10:00:00Z",
    by_source: [
      ["b", 300],
      ["a", 900],
      ["c", 300],
    ],
    by_category: [],
    by_severity: [],
    by_outcome: [],
    schema_version: 4,
  };
  it("lists the overview rows", () => {
    const rows = overviewRows(o);
    expect(rows[0]).toEqual({ label: "Events", value: "1,234" });
    expect(rows.find((r) => r.label === "Events span")?.value).toBe("2026-01-02 – 2026-11-30");
    expect(overviewRows({ ...o, first_event_at: null }).find((r) => r.label === "Events span")?.value).toBe("—");
  });
  it("orders sources by count with shares", () => {
    const s = shares(o.by_source);
    expect(s.map((x) => x.name)).toEqual(["a", "b", "c"]);
    expect(s[0].share).toBeCloseTo(0.6);
    expect(shares([])).toEqual([]);
  });
});

describe("activity", () => {
  it("labels known actions and passes others through", () => {
    expect(actionLabel("report.run")).toBe("Generated a report");
    expect(actionLabel("new.thing")).toBe("new.thing");
  });
});
