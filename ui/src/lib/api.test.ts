import { describe, expect, it } from "vitest";
import { EVENTS, toIpcError } from "./api";

describe("api helpers", () => {
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
  it("re-exports the generated event names", () => {
    expect(EVENTS).toEqual({
      syncProgress: "sync-progress",
      demoProgress: "demo-progress",
      reportProgress: "report-progress",
      vaultLocked: "vault-locked",
    });
  });
});
