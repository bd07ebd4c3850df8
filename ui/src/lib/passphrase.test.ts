import { describe, expect, it } from "vitest";
import { passphraseHint } from "./passphrase";

describe("passphraseHint", () => {
  it("requires twelve characters", () => {
    expect(passphraseHint("", "").ok).toBe(false);
    expect(passphraseHint("short", "short")).toEqual({ ok: false, message: "7 more characters needed (at least 12)." });
    expect(passphraseHint("elevenchars", "elevenchars").message).toBe("1 more character needed (at least 12).");
  });
  it("counts characters, not UTF-16 units", () => {
    // 11 emoji are 22 UTF-16 units but 11 characters.
    expect(passphraseHint("🔒".repeat(11), "🔒".repeat(11)).ok).toBe(false);
  });
  it("requires the confirmation to match", () => {
    expect(passphraseHint("correct horse battery", "").ok).toBe(false);
    expect(passphraseHint("correct horse battery", "correct horse batterx").message).toBe("The two passphrases differ.");
    expect(passphraseHint("correct horse battery", "correct horse battery").ok).toBe(true);
    expect(passphraseHint("            ", "            ").ok).toBe(false);
  });
});
