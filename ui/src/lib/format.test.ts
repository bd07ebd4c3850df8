import { describe, expect, it } from "vitest";
import {
  digitGroups,
  formatBucketLabel,
  formatCompact,
  formatDate,
  formatDateTime,
  formatDuration,
  formatInt,
  formatPercent,
  isBadOutcome,
  pageLabel,
} from "./format";

describe("numbers", () => {
  it("groups integers", () => {
    expect(formatInt(0)).toBe("0");
    expect(formatInt(1234)).toBe("1,234");
    expect(formatInt(42919)).toBe("42,919");
    expect(formatInt(1234567)).toBe("1,234,567");
    expect(formatInt(NaN)).toBe("—");
    expect(formatInt(null)).toBe("—");
  });
  it("compacts axis values", () => {
    expect(formatCompact(950)).toBe("950");
    expect(formatCompact(1500)).toBe("1.5k");
    expect(formatCompact(2000)).toBe("2k");
    expect(formatCompact(2_500_000)).toBe("2.5M");
  });
  it("labels pages", () => {
    expect(pageLabel(0, 50, 1234)).toBe("1–50 of 1,234");
    expect(pageLabel(1200, 34, 1234)).toBe("1,201–1,234 of 1,234");
    expect(pageLabel(0, 0, 0)).toBe("0 of 0");
  });
  it("formats percentages, clamped", () => {
    expect(formatPercent(0.456)).toBe("46%");
    expect(formatPercent(1.7)).toBe("100%");
    expect(formatPercent(-1)).toBe("0%");
  });
});

describe("dates", () => {
  it("shows UTC date-times without the T and milliseconds", () => {
    expect(formatDateTime("2026-11-30T19:51:34.308Z")).toBe("2026-11-30 19:51:34");
    expect(formatDateTime("2026-11-30T23:30:00-02:00")).toBe("2026-12-01 01:30:00");
    expect(formatDateTime(null)).toBe("—");
    expect(formatDateTime("not a date")).toBe("not a date");
    expect(formatDate("2026-11-23T21:48:57.544126713Z")).toBe("2026-11-23");
  });
  it("labels buckets by their size", () => {
    expect(formatBucketLabel("2026-11-30T19:00:00Z", 3600)).toBe("19:00");
    expect(formatBucketLabel("2026-11-30T19:00:00Z", 86400)).toBe("Nov 30");
  });
  it("formats durations", () => {
    expect(formatDuration(4.4)).toBe("4 s");
    expect(formatDuration(200)).toBe("3 min 20 s");
    expect(formatDuration(3900)).toBe("1 h 05 min");
    expect(formatDuration(null)).toBe("—");
  });
  it("flags outcomes that are not successes", () => {
    expect(isBadOutcome("failed")).toBe(true);
    expect(isBadOutcome("unauthorized")).toBe(true);
    expect(isBadOutcome("successful")).toBe(false);
  });
});

describe("digitGroups", () => {
  it("splits into threes from the right and joins back to the integer", () => {
    expect(digitGroups(0)).toEqual(["0"]);
    expect(digitGroups(999)).toEqual(["999"]);
    expect(digitGroups(42919)).toEqual(["42", "919"]);
    expect(digitGroups(1234567)).toEqual(["1", "234", "567"]);
    expect(digitGroups(-1234)).toEqual(["-1", "234"]);
    expect(digitGroups(3313).join("")).toBe("3313");
  });
});
