import { describe, expect, it } from "vitest";
import fieldsJson from "./fixtures/query-fields.json";
import type { FieldHelp } from "../bindings/FieldHelp";
import {
  addTerm,
  applySuggestion,
  charToUtf16,
  cycle,
  fieldTerm,
  hasTopLevelOr,
  insideQuotes,
  parseTags,
  quoteValue,
  removeTerm,
  splitAtPosition,
  suggestFields,
  toggleTerm,
  tokens,
  wordAt,
} from "./query";

const fields = fieldsJson as FieldHelp[];
const names = (q: string, cursor = q.length) => suggestFields(q, cursor, fields).map((s) => s.field.name);

describe("tokens", () => {
  it("splits on whitespace but keeps quoted strings whole", () => {
    expect(tokens('type:a  "two words" -x user:"a b"').map((t) => t.text)).toEqual([
      "type:a",
      '"two words"',
      "-x",
      'user:"a b"',
    ]);
  });
  it("honours escaped quotes inside strings", () => {
    expect(tokens('"a \\" b" c').map((t) => t.text)).toEqual(['"a \\" b"', "c"]);
  });
});

describe("field suggestions", () => {
  it("offers fields that start with the typed prefix", () => {
    expect(names("se")).toEqual(["severity"]);
    expect(names("o")).toEqual(["outcome", "org", "on"]);
    expect(names("failed AND s")).toEqual(["severity", "status", "source"]);
  });
  it("is case-insensitive and works after a minus or a parenthesis", () => {
    expect(names("-SEV")).toEqual(["severity"]);
    expect(names("(typ")).toEqual(["type"]);
  });
  it("offers nothing for empty words, values, operators and quoted text", () => {
    expect(names("")).toEqual([]);
    expect(names("type ")).toEqual([]);
    expect(names("type:us")).toEqual([]);
    expect(names("severity>=er")).toEqual([]);
    expect(names('"se')).toEqual([]);
    expect(names("OR")).toEqual([]);
    expect(names("zzz")).toEqual([]);
  });
  it("uses the word at the cursor, not the end of the query", () => {
    expect(names("ca failed", 2)).toEqual(["category", "case"]);
    expect(names("failed ca", 3)).toEqual([]);
  });
  it("completes the whole word and puts the cursor after the colon", () => {
    const q = "failed us more";
    const [s] = suggestFields(q, 9, fields);
    expect(s.field.name).toBe("user");
    expect(applySuggestion(q, s)).toEqual({ query: "failed user: more", cursor: 12 });
    const [neg] = suggestFields("-cat", 4, fields);
    expect(applySuggestion("-cat", neg)).toEqual({ query: "-category:", cursor: 10 });
  });
  it("replaces the rest of a partly typed word", () => {
    const [s] = suggestFields("sevxx", 3, fields);
    expect(applySuggestion("sevxx", s).query).toBe("severity:");
  });
  it("cycles the highlighted suggestion with wrap-around", () => {
    expect(cycle(0, -1, 3)).toBe(2);
    expect(cycle(2, 1, 3)).toBe(0);
    expect(cycle(0, 1, 0)).toBe(-1);
  });
  it("knows when the cursor is inside a string", () => {
    expect(insideQuotes('a "b c', 6)).toBe(true);
    expect(insideQuotes('a "b" c', 7)).toBe(false);
    expect(wordAt("foo(bar baz", 7)).toEqual({ text: "bar", start: 4, end: 7 });
  });
});

describe("error caret", () => {
  it("splits at a character position", () => {
    expect(splitAtPosition("foo:(", 4)).toEqual({ before: "foo:", at: "(", after: "" });
    expect(splitAtPosition("type:a OR", 7)).toEqual({ before: "type:a ", at: "O", after: "R" });
  });
  it("marks the end of input with a space", () => {
    expect(splitAtPosition("abc", 3)).toEqual({ before: "abc", at: " ", after: "" });
    expect(splitAtPosition("abc", 99)).toEqual({ before: "abc", at: " ", after: "" });
  });
  it("counts characters like Rust, not UTF-16 units", () => {
    // "🔒" is one char in Rust but two UTF-16 units in JS.
    const q = '"🔒" x:(';
    expect(splitAtPosition(q, 6)).toEqual({ before: '"🔒" x:', at: "(", after: "" });
    expect(charToUtf16(q, 6)).toBe(7);
  });
});

describe("facet terms", () => {
  it("leaves simple values bare", () => {
    expect(fieldTerm("category", "AUTH")).toBe("category:AUTH");
    expect(fieldTerm("user", "alice@example.com")).toBe("user:alice@example.com");
  });
  it("quotes values with spaces, parentheses, quotes, stars or a leading minus", () => {
    expect(quoteValue("Jane Doe")).toBe('"Jane Doe"');
    expect(quoteValue("a(b)")).toBe('"a(b)"');
    expect(quoteValue('say "hi"')).toBe('"say \\"hi\\""');
    expect(quoteValue("c:\\dir")).toBe('"c:\\\\dir"');
    expect(quoteValue("user-*")).toBe('"user-*"');
    expect(quoteValue("-1")).toBe('"-1"');
    expect(quoteValue("")).toBe('""');
  });
  it("adds a term with AND, once", () => {
    expect(addTerm("", "category:AUTH")).toBe("category:AUTH");
    expect(addTerm("  failed ", "category:AUTH")).toBe("failed category:AUTH");
    expect(addTerm("failed category:AUTH", "category:AUTH")).toBe("failed category:AUTH");
  });
  it("parenthesises a query with a top-level OR before adding", () => {
    expect(addTerm("a OR b", "user:x")).toBe("(a OR b) user:x");
    expect(addTerm("(a OR b) c", "user:x")).toBe("(a OR b) c user:x");
    expect(addTerm('"x OR y"', "user:x")).toBe('"x OR y" user:x');
  });
  it("detects top-level OR only outside parentheses and strings", () => {
    expect(hasTopLevelOr("a OR b")).toBe(true);
    expect(hasTopLevelOr("(a OR b)")).toBe(false);
    expect(hasTopLevelOr("(a OR b) OR c")).toBe(true);
    expect(hasTopLevelOr('"a OR b"')).toBe(false);
    expect(hasTopLevelOr("a or b")).toBe(false);
    expect(hasTopLevelOr("ORACLE")).toBe(false);
  });
  it("toggles terms", () => {
    expect(toggleTerm("failed", 'user:"Jane Doe"')).toBe('failed user:"Jane Doe"');
    expect(toggleTerm('failed user:"Jane Doe"', 'user:"Jane Doe"')).toBe("failed");
    expect(removeTerm("a b a", "a")).toBe("b");
  });
});

describe("tags", () => {
  it("splits on commas and spaces, dropping blanks and duplicates", () => {
    expect(parseTags(" triage, pci  triage,,follow-up ")).toEqual(["triage", "pci", "follow-up"]);
    expect(parseTags("   ")).toEqual([]);
  });
});
