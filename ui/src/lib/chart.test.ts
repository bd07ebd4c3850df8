import { describe, expect, it } from "vitest";
import dash7 from "./fixtures/dashboard-7d.json";
import dash24 from "./fixtures/dashboard-24h.json";
import type { Bucket } from "../bindings/Bucket";
import { barAt, layoutBars, niceMax, ticks } from "./chart";

const box = { width: 700, height: 200, left: 40, right: 10, top: 10, bottom: 30 };

describe("axis", () => {
  it("rounds the maximum up to a nice number", () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(12)).toBe(20);
    expect(niceMax(496)).toBe(500);
    expect(niceMax(230)).toBe(250);
    expect(niceMax(1000)).toBe(1000);
    expect(niceMax(1001)).toBe(2000);
  });
  it("spaces ticks evenly up to the nice maximum", () => {
    expect(ticks(496)).toEqual([0, 125, 250, 375, 500]);
  });
});

describe("bar layout", () => {
  const series = dash7.series as Bucket[];
  const layout = layoutBars(series, box);

  it("puts one bar per bucket inside the plot area", () => {
    expect(layout.bars).toHaveLength(series.length);
    expect(layout.plot).toEqual({ left: 40, top: 10, width: 650, height: 160 });
    for (const b of layout.bars) {
      expect(b.x).toBeGreaterThanOrEqual(40);
      expect(b.x + b.width).toBeLessThanOrEqual(690 + 1e-9);
      expect(b.y + b.height).toBeCloseTo(170);
    }
  });
  it("scales heights to the nice maximum and stacks high severity at the bottom", () => {
    const first = layout.bars[0];
    expect(layout.max).toBe(500);
    expect(first.height).toBeCloseTo((160 * series[0].count) / 500);
    expect(first.highHeight).toBeCloseTo((160 * series[0].high) / 500);
    expect(first.highY + first.highHeight).toBeCloseTo(170);
    expect(first.highHeight).toBeLessThan(first.height);
  });
  it("thins the x labels when buckets are narrow", () => {
    expect(layout.labelled).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const hourly = layoutBars(dash24.series as Bucket[], box);
    expect(hourly.bars).toHaveLength(24);
    expect(hourly.labelled).toEqual([0, 3, 6, 9, 12, 15, 18, 21]);
  });
  it("finds the bar under the pointer", () => {
    expect(barAt(layout, 39)).toBe(-1);
    expect(barAt(layout, 41)).toBe(0);
    expect(barAt(layout, 689)).toBe(6);
    expect(barAt(layout, 40 + 650 / 7 + 1)).toBe(1);
  });
  it("survives an empty series and zero counts", () => {
    expect(layoutBars([], box).bars).toEqual([]);
    const zero = layoutBars([{ start: "2026-01-01T00:00:00Z", count: 0, high: 0 }], box);
    expect(zero.max).toBe(1);
    expect(zero.bars[0].height).toBe(0);
  });
});
