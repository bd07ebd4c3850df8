import { describe, expect, it } from "vitest";
import page from "./fixtures/search-page.json";
import { facetEntries } from "./facets";
import { addTerm, fieldTerm } from "./query";

describe("facetEntries", () => {
  it("orders values by count, then name", () => {
    expect(facetEntries({ b: 2, a: 2, c: 9, z: 0 }, "type")).toEqual([
      ["c", 9],
      ["a", 2],
      ["b", 2],
    ]);
  });
  it("orders severity worst first", () => {
    expect(facetEntries({ INFO: 900, ERROR: 10, CRITICAL: 1, WARNING: 50 }, "severity").map((e) => e[0])).toEqual([
      "CRITICAL",
      "ERROR",
      "WARNING",
      "INFO",
    ]);
  });
  it("turns a fixture facet into query terms", () => {
    const [top] = facetEntries(page.facets.category, "category");
    expect(top[0]).toBe("USER_MGMT");
    expect(addTerm("type:user-*", fieldTerm("category", top[0]))).toBe("type:user-* category:USER_MGMT");
  });
});
