// Keyboard helpers shared by the global shortcuts and the result list.

/** True when a key press belongs to a text field rather than to a shortcut. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof target !== "object") return false;
  const el = target as { tagName?: string; isContentEditable?: boolean; type?: string };
  if (el.isContentEditable) return true;
  const tag = (el.tagName ?? "").toUpperCase();
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (el.type ?? "text").toLowerCase();
    return !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(type);
  }
  return false;
}

/** True when modifier keys make the press something other than a bare shortcut. */
export function hasCommandModifier(e: { ctrlKey: boolean; metaKey: boolean; altKey: boolean }): boolean {
  return e.ctrlKey || e.metaKey || e.altKey;
}

/**
 * Moves a list selection by `delta`, clamped to the list. With nothing selected
 * (-1), moving down selects the first row and moving up the last.
 */
export function moveSelection(index: number, delta: number, length: number): number {
  if (length <= 0) return -1;
  if (index < 0 || index >= length) return delta >= 0 ? 0 : length - 1;
  return Math.min(length - 1, Math.max(0, index + delta));
}

/** Sequences such as "g d": returns the screen key once the pair is complete. */
export class ChordTracker {
  private pending: string | null = null;
  private at = 0;
  constructor(
    private readonly leader = "g",
    private readonly windowMs = 1200,
  ) {}

  /** Feed one key; returns the completed second key, or null. */
  feed(key: string, now: number): string | null {
    if (this.pending !== null && now - this.at <= this.windowMs) {
      this.pending = null;
      return key;
    }
    this.pending = key === this.leader ? key : null;
    this.at = now;
    return null;
  }

  get waiting(): boolean {
    return this.pending !== null;
  }
}

export const SHORTCUTS: { keys: string[]; label: string; group: string }[] = [
  { keys: ["?"], label: "Show or hide this list", group: "Anywhere" },
  { keys: ["g", "d"], label: "Go to Dashboard", group: "Anywhere" },
  { keys: ["g", "e"], label: "Go to Events", group: "Anywhere" },
  { keys: ["g", "i"], label: "Go to Investigations", group: "Anywhere" },
  { keys: ["g", "r"], label: "Go to Reports", group: "Anywhere" },
  { keys: ["g", "s"], label: "Go to Sources", group: "Anywhere" },
  { keys: ["g", ","], label: "Go to Settings", group: "Anywhere" },
  { keys: ["Esc"], label: "Close a dialog or leave a field", group: "Anywhere" },
  { keys: ["/"], label: "Focus the query bar", group: "Events" },
  { keys: ["j"], label: "Next event", group: "Events" },
  { keys: ["k"], label: "Previous event", group: "Events" },
  { keys: ["Enter"], label: "Expand or collapse the selected event", group: "Events" },
  { keys: ["b"], label: "Bookmark the selected event", group: "Events" },
  { keys: ["n"], label: "Next page", group: "Events" },
  { keys: ["p"], label: "Previous page", group: "Events" },
  { keys: ["Tab"], label: "Accept a field suggestion", group: "Query bar" },
];
