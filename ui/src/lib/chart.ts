// Layout for the events-over-time bar chart (SVG, no chart library).

import type { Bucket } from "../bindings/Bucket";

/** A "nice" axis maximum ≥ max: 1, 2, 2.5 or 5 × 10^n (at least 1). */
export function niceMax(max: number): number {
  if (!Number.isFinite(max) || max <= 0) return 1;
  const exp = Math.floor(Math.log10(max));
  const base = 10 ** exp;
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (m * base >= max) return m * base;
  }
  return 10 * base;
}

/** Evenly spaced tick values from 0 to niceMax(max), `count` intervals. */
export function ticks(max: number, count = 4): number[] {
  const top = niceMax(max);
  const out: number[] = [];
  for (let i = 0; i <= count; i++) out.push((top * i) / count);
  return out;
}

export type Bar = {
  index: number;
  bucket: Bucket;
  x: number;
  width: number;
  /** The whole bar (all events). */
  y: number;
  height: number;
  /** The high-severity part, stacked at the bottom. */
  highY: number;
  highHeight: number;
};

export type Layout = {
  bars: Bar[];
  max: number;
  plot: { left: number; top: number; width: number; height: number };
  /** Indices of buckets that get an x-axis label (spaced so they do not collide). */
  labelled: number[];
};

export type Box = { width: number; height: number; left: number; right: number; top: number; bottom: number };

export function layoutBars(series: Bucket[], box: Box, minLabelGap = 56): Layout {
  const plot = {
    left: box.left,
    top: box.top,
    width: Math.max(0, box.width - box.left - box.right),
    height: Math.max(0, box.height - box.top - box.bottom),
  };
  const max = niceMax(Math.max(0, ...series.map((b) => b.count)));
  const n = series.length;
  const slot = n > 0 ? plot.width / n : 0;
  const gap = Math.min(4, slot * 0.2);
  const scale = (v: number) => (plot.height * Math.max(0, v)) / max;
  const bars = series.map((bucket, index) => {
    const height = scale(bucket.count);
    const highHeight = scale(Math.min(bucket.high, bucket.count));
    return {
      index,
      bucket,
      x: plot.left + index * slot + gap / 2,
      width: Math.max(1, slot - gap),
      y: plot.top + plot.height - height,
      height,
      highY: plot.top + plot.height - highHeight,
      highHeight,
    };
  });
  const every = n > 0 && slot > 0 ? Math.max(1, Math.ceil(minLabelGap / slot)) : 1;
  const labelled: number[] = [];
  for (let i = 0; i < n; i += every) labelled.push(i);
  return { bars, max, plot, labelled };
}

/** The bar under an x coordinate (for the hover tooltip), or -1. */
export function barAt(layout: Layout, x: number): number {
  const n = layout.bars.length;
  if (n === 0 || x < layout.plot.left || x > layout.plot.left + layout.plot.width) return -1;
  const slot = layout.plot.width / n;
  return Math.min(n - 1, Math.floor((x - layout.plot.left) / slot));
}
