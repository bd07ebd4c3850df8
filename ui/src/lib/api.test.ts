import { describe, expect, it } from "vitest";
import { EVENTS, snakeToCamel, toIpcError } from "./api";

describe("api helpers", () => {
  it("maps Rust command names to the generated camelCase functions", () => {
    expect(snakeToCamel("app_status")).toBe("appStatus");
    expect(snakeToCamel("vault_unlock_remembered")).toBe("vaultUnlockRemembered");
    expect(snakeToCamel("search")).toBe("search");
  });
  it("normalises rejections to IpcError", () => {
    expect(toIpcError({ code: "query", message: "bad", position: 4 })).toEqual({
      code: "query",
      message: "bad",
      position: 4,
    });
    expect(toIpcError({ code: "wrong_passphrase", message: "no" })).toEqual({
      code: "wrong_passphrase",
      message: "no",
      position: null,
    });
    expect(toIpcError("boom")).toEqual({ code: "internal", message: "boom", position: null });
    expect(toIpcError(new Error("x")).message).toBe("x");
    expect(toIpcError(undefined).code).toBe("internal");
  });
  it("uses the contract's event names", () => {
    expect(EVENTS).toEqual({
      syncProgress: "sync-progress",
      reportProgress: "report-progress",
      demoProgress: "demo-progress",
    });
  });
});
