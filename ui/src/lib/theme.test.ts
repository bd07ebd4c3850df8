import { describe, expect, it } from "vitest";
import { THEME_KEY, loadTheme, parseTheme, saveTheme } from "./theme";

function memory() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
}

describe("theme setting", () => {
  it("accepts only light, dark and system", () => {
    expect(parseTheme("dark")).toBe("dark");
    expect(parseTheme("blue")).toBe("system");
    expect(parseTheme(null)).toBe("system");
  });
  it("round-trips through storage under auditdesk.theme", () => {
    const s = memory();
    expect(loadTheme(s)).toBe("system");
    saveTheme("light", s);
    expect(s.m.get(THEME_KEY)).toBe("light");
    expect(THEME_KEY).toBe("auditdesk.theme");
    expect(loadTheme(s)).toBe("light");
  });
  it("falls back to system when storage throws", () => {
    const broken = {
      getItem: () => {
        throw new Error("denied");
      },
    };
    expect(loadTheme(broken)).toBe("system");
  });
});
