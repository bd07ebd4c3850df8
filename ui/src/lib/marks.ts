// User Timing marks for the start-up benchmark (tests/e2e/measure.rs reads
// them through WebDriver): when a screen was first painted, on the page's
// clock, so the figure is the app's own time and not the driver's polling.

/** Marks `name` once, after the next paint: a frame callback runs just
 * before the frame is painted, and a task queued from it runs after. */
export function markPainted(name: string): void {
  if (typeof performance === "undefined" || performance.getEntriesByName(name, "mark").length > 0) return;
  requestAnimationFrame(() => {
    setTimeout(() => {
      if (performance.getEntriesByName(name, "mark").length === 0) performance.mark(name);
    });
  });
}

/** Marks `name` now, replacing an earlier mark of that name (a failed
 * unlock is followed by another). */
export function markNow(name: string): void {
  if (typeof performance === "undefined") return;
  performance.clearMarks(name);
  performance.mark(name);
}
