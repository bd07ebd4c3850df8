import { describe, expect, it } from "vitest";
import { COLUMNS, gridTemplate, visibleColumns } from "./columns";

const ids = (w: number) => visibleColumns(w).map((c) => c.id);

describe("visibleColumns", () => {
  it("shows every column until the pane is measured", () => {
    expect(ids(0)).toEqual(COLUMNS.map((c) => c.id));
  });
  it("keeps the essentials in the narrowest pane (960 px window)", () => {
    expect(ids(560)).toEqual(["occurred_at", "type", "severity", "outcome", "user"]);
  });
  it("drops source and category first (1280 px window)", () => {
    expect(ids(852)).toEqual(["occurred_at", "type", "severity", "outcome", "user", "ip", "resource"]);
  });
  it("shows everything in a wide pane", () => {
    expect(ids(1400)).toEqual(COLUMNS.map((c) => c.id));
  });
  it("keeps the declared order", () => {
    const all = COLUMNS.map((c) => c.id);
    for (const w of [500, 720, 830, 980, 1080]) {
      const v = ids(w);
      expect(v).toEqual(all.filter((id) => v.includes(id)));
    }
  });
});

describe("gridTemplate", () => {
  it("gives fixed columns their width and lets Type and Resource share the rest", () => {
    expect(gridTemplate(visibleColumns(852))).toBe(
      "168px minmax(0, 1fr) 80px 96px 64px 112px minmax(0, 1fr)",
    );
  });
  it("fits the narrowest window: the fixed columns leave Type room", () => {
    const fixed = visibleColumns(576)
      .filter((c) => c.width.endsWith("px"))
      .reduce((n, c) => n + parseInt(c.width, 10), 0);
    expect(576 - fixed).toBeGreaterThanOrEqual(160);
  });
});
