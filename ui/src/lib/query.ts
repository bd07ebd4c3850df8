// Query-bar logic: field suggestions, completion, error carets and building
// `field:value` terms from facets. Mirrors the lexer in
// auditdesk-core/src/search/parse.rs (whitespace and parentheses end a word;
// "..." strings with \" and \\ escapes; positions count characters).

import type { FieldHelp } from "../bindings/FieldHelp";

export type Token = { text: string; start: number; end: number };

/** Splits on whitespace outside "quoted strings" (parentheses stay attached). */
export function tokens(query: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < query.length) {
    if (/\s/.test(query[i])) {
      i++;
      continue;
    }
    const start = i;
    let quoted = false;
    while (i < query.length && (quoted || !/\s/.test(query[i]))) {
      if (query[i] === "\\" && quoted) i++;
      else if (query[i] === '"') quoted = !quoted;
      i++;
    }
    out.push({ text: query.slice(start, i), start, end: i });
  }
  return out;
}

/** True when `offset` (a UTF-16 index) sits inside an unterminated "string". */
export function insideQuotes(query: string, offset: number): boolean {
  let quoted = false;
  for (let i = 0; i < offset && i < query.length; i++) {
    if (query[i] === "\\" && quoted) i++;
    else if (query[i] === '"') quoted = !quoted;
  }
  return quoted;
}

const WORD_END = /[\s()]/;

/** The word being typed at the cursor: from the last separator to the cursor. */
export function wordAt(query: string, cursor: number): Token {
  let start = cursor;
  while (start > 0 && !WORD_END.test(query[start - 1])) start--;
  let end = cursor;
  while (end < query.length && !WORD_END.test(query[end])) end++;
  return { text: query.slice(start, cursor), start, end };
}

export type Suggestion = { field: FieldHelp; replaceFrom: number; replaceTo: number };

/**
 * Field completions for the word at the cursor: typing a prefix of a field
 * name (optionally after `-`) offers `name:`. Nothing is offered inside a
 * quoted string, once the word has an operator, or for an empty word.
 */
export function suggestFields(query: string, cursor: number, fields: FieldHelp[], max = 8): Suggestion[] {
  if (insideQuotes(query, cursor)) return [];
  const word = wordAt(query, cursor);
  let from = word.start;
  let typed = word.text;
  if (typed.startsWith("-")) {
    from += 1;
    typed = typed.slice(1);
  }
  if (typed === "" || /[:<>="*]/.test(typed) || !/^[A-Za-z_]+$/.test(typed)) return [];
  if (typed === "AND" || typed === "OR" || typed === "NOT") return [];
  const lower = typed.toLowerCase();
  return fields
    .filter((f) => f.name.toLowerCase().startsWith(lower))
    .slice(0, max)
    .map((field) => ({ field, replaceFrom: from, replaceTo: word.end }));
}

/** Applies a suggestion: the word becomes `name:` and the cursor follows the colon. */
export function applySuggestion(query: string, s: Suggestion): { query: string; cursor: number } {
  const insert = `${s.field.name}:`;
  // Keep an operator the user already typed after the word (e.g. "sev|>=x").
  const next = query.slice(0, s.replaceFrom) + insert + query.slice(s.replaceTo);
  return { query: next, cursor: s.replaceFrom + insert.length };
}

/** Moves a highlighted suggestion with wrap-around. */
export function cycle(index: number, delta: number, length: number): number {
  if (length <= 0) return -1;
  return (((index + delta) % length) + length) % length;
}

/**
 * Splits the query around a parse-error position. The Rust side counts
 * characters (Unicode scalar values); JS strings count UTF-16 units, so the
 * split goes through code points. A position at or past the end marks the end.
 */
export function splitAtPosition(query: string, position: number): { before: string; at: string; after: string } {
  const chars = Array.from(query);
  const p = Math.max(0, Math.min(position, chars.length));
  return {
    before: chars.slice(0, p).join(""),
    at: p < chars.length ? chars[p] : " ",
    after: p < chars.length ? chars.slice(p + 1).join("") : "",
  };
}

/** The UTF-16 offset of a character position (to place the text cursor there). */
export function charToUtf16(query: string, position: number): number {
  return Array.from(query)
    .slice(0, Math.max(0, position))
    .join("").length;
}

/** Quotes a value when the lexer would otherwise split or reinterpret it. */
export function quoteValue(value: string): string {
  if (value !== "" && !/[\s()"\\*]/.test(value) && !value.startsWith("-")) return value;
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** `field:value`, the value quoted when needed. */
export function fieldTerm(field: string, value: string): string {
  return `${field}:${quoteValue(value)}`;
}

/** True when the query has an `OR` outside parentheses and quotes. */
export function hasTopLevelOr(query: string): boolean {
  let depth = 0;
  let word = "";
  const endWord = () => {
    const found = word === "OR" && depth === 0;
    word = "";
    return found;
  };
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (c === '"') {
      word += c;
      for (i++; i < query.length && query[i] !== '"'; i++) if (query[i] === "\\") i++;
      continue;
    }
    if (/\s/.test(c) || c === "(" || c === ")") {
      if (endWord()) return true;
      if (c === "(") depth++;
      if (c === ")") depth = Math.max(0, depth - 1);
      continue;
    }
    word += c;
  }
  return endWord();
}

/** True when `term` is already one of the query's top-level words. */
export function hasTerm(query: string, term: string): boolean {
  return tokens(query).some((t) => t.text === term);
}

/**
 * Adds a term with AND. A query with a top-level OR is parenthesised first,
 * since AND binds tighter than OR ("a OR b" + "c" must not become
 * "a OR (b AND c)").
 */
export function addTerm(query: string, term: string): string {
  const q = query.trim();
  if (q === "") return term;
  if (hasTerm(q, term)) return q;
  return hasTopLevelOr(q) ? `(${q}) ${term}` : `${q} ${term}`;
}

/** Removes every top-level occurrence of `term`. */
export function removeTerm(query: string, term: string): string {
  return tokens(query)
    .filter((t) => t.text !== term)
    .map((t) => t.text)
    .join(" ");
}

/** Adds the term, or removes it when it is there (facet toggles). */
export function toggleTerm(query: string, term: string): string {
  return hasTerm(query, term) ? removeTerm(query, term) : addTerm(query, term);
}

/** "a, b  c,,a" → ["a", "b", "c"]. */
export function parseTags(text: string): string[] {
  const seen = new Set<string>();
  for (const raw of text.split(/[,\s]+/)) {
    const t = raw.trim();
    if (t) seen.add(t);
  }
  return [...seen];
}
