import { describe, expect, it } from "vitest";
import { opensDemoAtStart } from "./session";

describe("demo at start", () => {
  it("opens the demo only when launched with --demo and nothing is unlocked", () => {
    expect(opensDemoAtStart({ open_demo_at_start: true, unlocked: false })).toBe(true);
    expect(opensDemoAtStart({ open_demo_at_start: true, unlocked: true })).toBe(false);
    expect(opensDemoAtStart({ open_demo_at_start: false, unlocked: false })).toBe(false);
    expect(opensDemoAtStart(null)).toBe(false);
  });
});
