import { describe, expect, it } from "vitest";
import { ChordTracker, hasCommandModifier, isTypingTarget, moveSelection } from "./keys";

describe("moveSelection", () => {
  it("starts at the first row going down and the last going up", () => {
    expect(moveSelection(-1, 1, 50)).toBe(0);
    expect(moveSelection(-1, -1, 50)).toBe(49);
  });
  it("clamps at both ends", () => {
    expect(moveSelection(0, -1, 50)).toBe(0);
    expect(moveSelection(49, 1, 50)).toBe(49);
    expect(moveSelection(10, 1, 50)).toBe(11);
    expect(moveSelection(10, -1, 50)).toBe(9);
  });
  it("recovers from an index beyond a shorter list and handles empty lists", () => {
    expect(moveSelection(60, 1, 20)).toBe(0);
    expect(moveSelection(3, 1, 0)).toBe(-1);
  });
});

describe("isTypingTarget", () => {
  it("treats text fields as typing and buttons/checkboxes as not", () => {
    expect(isTypingTarget({ tagName: "INPUT", type: "text" } as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget({ tagName: "INPUT", type: "search" } as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget({ tagName: "TEXTAREA" } as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget({ tagName: "INPUT", type: "checkbox" } as unknown as EventTarget)).toBe(false);
    expect(isTypingTarget({ tagName: "BUTTON" } as unknown as EventTarget)).toBe(false);
    expect(isTypingTarget({ tagName: "DIV", isContentEditable: true } as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget(null)).toBe(false);
  });
  it("sees modifier keys", () => {
    expect(hasCommandModifier({ ctrlKey: false, metaKey: true, altKey: false })).toBe(true);
    expect(hasCommandModifier({ ctrlKey: false, metaKey: false, altKey: false })).toBe(false);
  });
});

describe("ChordTracker", () => {
  it("completes g-then-key within the window", () => {
    const c = new ChordTracker("g", 1000);
    expect(c.feed("g", 0)).toBeNull();
    expect(c.waiting).toBe(true);
    expect(c.feed("d", 500)).toBe("d");
    expect(c.waiting).toBe(false);
  });
  it("expires and ignores keys without the leader", () => {
    const c = new ChordTracker("g", 1000);
    expect(c.feed("d", 0)).toBeNull();
    c.feed("g", 0);
    expect(c.feed("d", 1500)).toBeNull();
  });
});
