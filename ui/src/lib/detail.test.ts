import { describe, expect, it } from "vitest";
import detail from "./fixtures/event-detail.json";
import type { EventDetail } from "../bindings/EventDetail";
import { detailFields, eventKey, prettyJson } from "./detail";

describe("detailFields", () => {
  const rows = detailFields(detail as EventDetail);
  const map = new Map(rows);
  it("lists scalar fields with the actor flattened and nulls shown as a dash", () => {
    expect(map.get("id")).toBe("8be44a8f-6f9e-4348-b305-49d09ba29e24");
    expect(map.get("user_id")).toBe("1030");
    expect(map.get("user_email")).toBe("—");
    expect(map.get("ip")).toBe("10.2.193.239");
    expect(map.get("versions")).toBe("1");
    expect(map.get("tags")).toBe("PCI, HIPAA, ISO27001, SOX");
  });
  it("keeps JSON blocks and history out of the field list", () => {
    for (const k of ["raw", "details", "status_history", "actor"]) expect(map.has(k)).toBe(false);
    expect(rows[0][0]).toBe("source");
  });
  it("pretty-prints JSON and keys events by source and id", () => {
    expect(prettyJson({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(eventKey({ source: "demo", id: "x" })).not.toBe(eventKey({ source: "demo2", id: "x" }));
  });
});
