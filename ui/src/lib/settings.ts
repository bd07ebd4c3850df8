// Pure logic for the Settings screen: auto-lock choices, the passphrase
// change form, the keychain switch, the vault overview and activity labels.
import type { AppStatus } from "../bindings/AppStatus";
import type { Overview } from "../bindings/Overview";
import type { Theme } from "./theme";
import { MIN_PASSPHRASE, passphraseHint } from "./passphrase";
import { formatDate, formatInt } from "./format";

export const THEME_OPTIONS: { value: Theme; label: string }[] = [
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];

export const AUTO_LOCK_CHOICES = [5, 15, 30, 60, 0] as const;

export function autoLockLabel(minutes: number): string {
  if (minutes <= 0) return "Never";
  if (minutes % 60 === 0) return minutes === 60 ? "1 hour" : `${minutes / 60} hours`;
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

/** The select's options; a stored value outside the usual choices is kept as its own option. */
export function autoLockOptions(current: number | null): { value: number; label: string }[] {
  const values: number[] = [...AUTO_LOCK_CHOICES];
  if (current !== null && !values.includes(current)) {
    values.splice(values.length - 1, 0, current);
    values.sort((a, b) => (a === 0 ? 1 : b === 0 ? -1 : a - b));
  }
  return values.map((value) => ({ value, label: autoLockLabel(value) }));
}

/** The change-passphrase form: the current one, then a new one (≥ 12 chars) typed twice. */
export function changePassphraseHint(current: string, next: string, confirm: string): { ok: boolean; message: string } {
  if (current.length === 0) return { ok: false, message: "Type the current passphrase first." };
  const h = passphraseHint(next, confirm);
  if (!h.ok) return h;
  if (next === current) return { ok: false, message: "The new passphrase is the current one." };
  return h;
}

export { MIN_PASSPHRASE };

export type KeychainView = {
  /** The switch can be used. */
  enabled: boolean;
  remembered: boolean;
  /** Why it cannot be used, or what it does. */
  note: string;
};

export function keychainView(status: Pick<AppStatus, "keychain_available" | "remembered"> | null, demo = false): KeychainView {
  if (!status) return { enabled: false, remembered: false, note: "Status unknown." };
  if (demo)
    return {
      enabled: false,
      remembered: status.remembered,
      note: "The demo workspace has a published passphrase; remembering applies to your own vault.",
    };
  if (!status.keychain_available)
    return {
      enabled: false,
      remembered: status.remembered,
      note: "No OS keychain (Secret Service) answers on this machine, so the key cannot be remembered here; the passphrase is asked at every unlock.",
    };
  return {
    enabled: true,
    remembered: status.remembered,
    note: status.remembered
      ? "The vault key is kept in the OS keychain: this device unlocks without the passphrase. Forgetting it removes it from the keychain."
      : "Keep the vault key in the OS keychain so this device unlocks without typing the passphrase. Anyone with access to your OS account could then open the vault.",
  };
}

/** The vault overview as label/value rows. */
export function overviewRows(o: Overview): { label: string; value: string }[] {
  const rows = [
    { label: "Events", value: formatInt(o.events) },
    { label: "Versions", value: formatInt(o.versions) },
    { label: "Imports and syncs", value: formatInt(o.imports) },
    {
      label: "Events span",
      value: o.first_event_at && o.last_event_at ? `${formatDate(o.first_event_at)} – ${formatDate(o.last_event_at)}` : "—",
    },
  ];
  if (o.schema_version !== undefined) rows.push({ label: "Schema version", value: String(o.schema_version) });
  return rows;
}

/** [name, count] pairs, largest first, with the share of the total. */
export function shares(pairs: [string, number][]): { name: string; count: number; share: number }[] {
  const total = pairs.reduce((n, [, c]) => n + c, 0);
  return [...pairs]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([name, count]) => ({ name, count, share: total > 0 ? count / total : 0 }));
}

const ACTIONS: Record<string, string> = {
  unlock: "Unlocked the vault",
  search: "Searched",
  view: "Viewed an event",
  export: "Exported results",
  "bookmark.add": "Bookmarked",
  "bookmark.change": "Changed a bookmark",
  "bookmark.remove": "Removed a bookmark",
  "case.create": "Created a case",
  "case.change": "Changed a case",
  "case.export": "Exported a case",
  "saved.change": "Changed a saved search",
  "report.run": "Generated a report",
};

export function actionLabel(action: string): string {
  return ACTIONS[action] ?? action;
}
