import { describe, expect, it } from "vitest";
import { formatSort, nextSort, parseSort } from "./sort";

describe("sort", () => {
  it("parses the forms the Rust side accepts", () => {
    expect(parseSort("occurred_at:desc")).toEqual({ column: "occurred_at", dir: "desc" });
    expect(parseSort("type")).toEqual({ column: "type", dir: "asc" });
    expect(parseSort("severity")).toEqual({ column: "severity", dir: "desc" });
    expect(parseSort("-user")).toEqual({ column: "user", dir: "desc" });
    expect(parseSort("time:asc")).toEqual({ column: "occurred_at", dir: "asc" });
    expect(parseSort(null)).toEqual({ column: "occurred_at", dir: "desc" });
  });
  it("flips the same column and starts another at its default", () => {
    const s = parseSort("occurred_at:desc");
    expect(formatSort(nextSort(s, "occurred_at"))).toBe("occurred_at:asc");
    expect(formatSort(nextSort(s, "user"))).toBe("user:asc");
    expect(formatSort(nextSort(s, "severity"))).toBe("severity:desc");
  });
});
