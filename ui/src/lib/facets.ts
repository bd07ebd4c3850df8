// Facet lists for the filter panel.

const SEVERITY_ORDER = ["CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"];

/**
 * A facet's values, most frequent first (ties by name); severity keeps its
 * natural order, worst first.
 */
export function facetEntries(counts: Record<string, number>, facet: string): [string, number][] {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  if (facet === "severity") {
    const rank = (v: string) => {
      const i = SEVERITY_ORDER.indexOf(v.toUpperCase());
      return i < 0 ? SEVERITY_ORDER.length : i;
    };
    return entries.sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]));
  }
  return entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
