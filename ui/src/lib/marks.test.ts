import { afterEach, describe, expect, it, vi } from "vitest";
import { markNow, markPainted } from "./marks";

afterEach(() => {
  performance.clearMarks();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe("start-up marks", () => {
  it("marks a screen after the next frame, and only the first time", () => {
    vi.useFakeTimers({ toFake: ["setTimeout"] });
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal("requestAnimationFrame", (cb: FrameRequestCallback) => frames.push(cb));
    markPainted("t:painted");
    markPainted("t:painted");
    expect(performance.getEntriesByName("t:painted", "mark")).toHaveLength(0);
    frames.splice(0).forEach((cb) => cb(0));
    expect(performance.getEntriesByName("t:painted", "mark")).toHaveLength(0);
    vi.runAllTimers();
    expect(performance.getEntriesByName("t:painted", "mark")).toHaveLength(1);
    markPainted("t:painted");
    expect(frames).toHaveLength(0);
  });

  it("keeps only the latest of repeated immediate marks", async () => {
    markNow("t:now");
    const first = performance.getEntriesByName("t:now", "mark")[0].startTime;
    await new Promise((r) => setTimeout(r, 5));
    markNow("t:now");
    const all = performance.getEntriesByName("t:now", "mark");
    expect(all).toHaveLength(1);
    expect(all[0].startTime).toBeGreaterThan(first);
  });
});
