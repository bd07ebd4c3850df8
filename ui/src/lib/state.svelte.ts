// Application state: one small runes store shared by every screen.
import type { AppStatus } from "../bindings/AppStatus";
import type { IpcError } from "../bindings/IpcError";
import type { Held } from "../bindings/Held";
import { applyTheme, loadTheme, saveTheme, type Theme } from "./theme";
import { IDLE_LOCK_NOTICE, opensDemoAtStart } from "./session";
import * as api from "./api";

export type Screen = "dashboard" | "events" | "investigations" | "reports" | "sources" | "settings";

export const SCREENS: { id: Screen; label: string; key: string }[] = [
  { id: "dashboard", label: "Dashboard", key: "g d" },
  { id: "events", label: "Events", key: "g e" },
  { id: "investigations", label: "Investigations", key: "g i" },
  { id: "reports", label: "Reports", key: "g r" },
  { id: "sources", label: "Sources", key: "g s" },
  { id: "settings", label: "Settings", key: "g ," },
];

export type Toast = { id: number; kind: "info" | "success" | "error"; title: string; detail?: string };

/** A request from one screen to open Events with a query (and maybe an event expanded). */
export type EventsRequest = { query: string; expand: string | null; seq: number };

class AppState {
  status = $state<AppStatus | null>(null);
  /** How many events the open vault holds (the sidebar's figure). The
   * full overview is the settings screen's own: slow on a large vault. */
  held = $state<number | null>(null);
  unlocked = $state(false);
  screen = $state<Screen>("dashboard");
  /** The last error not shown anywhere more specific (a banner at the top). */
  error = $state<IpcError | null>(null);
  toasts = $state<Toast[]>([]);
  shortcutsOpen = $state(false);
  theme = $state<Theme>(loadTheme());
  eventsRequest = $state<EventsRequest | null>(null);
  /** Why the Unlock screen is showing (e.g. the idle timer locked the vault). */
  notice = $state<string | null>(null);
  private toastSeq = 0;
  /**
   * `--demo`: decided from the first status the app gets, so the demo opens
   * once per run of the app, not again after a lock.
   */
  private demoAtStart: "unknown" | "pending" | "done" = "unknown";
  private requestSeq = 0;

  setTheme(theme: Theme) {
    this.theme = theme;
    saveTheme(theme);
    applyTheme(theme);
  }

  goto(screen: Screen) {
    this.screen = screen;
    this.error = null;
  }

  /** Open Events with `query`, optionally expanding the event `expand`. */
  openEvents(query: string, expand: string | null = null) {
    this.eventsRequest = { query, expand, seq: ++this.requestSeq };
    this.goto("events");
  }

  toast(kind: Toast["kind"], title: string, detail?: string, ms = 6000) {
    const id = ++this.toastSeq;
    this.toasts = [...this.toasts, { id, kind, title, detail }];
    if (ms > 0) setTimeout(() => this.dismissToast(id), ms);
  }

  dismissToast(id: number) {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  async refreshStatus() {
    this.status = await api.appStatus();
    if (this.demoAtStart === "unknown") this.demoAtStart = opensDemoAtStart(this.status) ? "pending" : "done";
    this.unlocked = this.status.unlocked;
    if (this.unlocked && this.held === null) await this.refreshHeld();
  }

  /** After anything that adds or removes events (a sync, removing a source). */
  async refreshHeld() {
    this.held = (await api.vaultHeld()).events;
  }

  unlockedWith(held: Held) {
    this.held = held.events;
    this.unlocked = true;
    this.error = null;
    this.notice = null;
    this.demoAtStart = "done";
    this.screen = "dashboard";
  }

  /**
   * True once, when the app was launched with `--demo` and its first status
   * showed no vault open: the Unlock screen then opens the demo workspace.
   */
  takeDemoAtStart(): boolean {
    if (this.demoAtStart !== "pending") return false;
    this.demoAtStart = "done";
    return true;
  }

  private closeSession() {
    this.unlocked = false;
    this.held = null;
    this.eventsRequest = null;
    this.shortcutsOpen = false;
  }

  /** The backend's idle timer locked the vault (the `vault-locked` event): back to Unlock. */
  async lockedByIdle() {
    this.closeSession();
    this.error = null;
    this.notice = IDLE_LOCK_NOTICE;
    await this.refreshStatus().catch((e) => (this.error = api.toIpcError(e)));
  }

  async lock() {
    try {
      await api.vaultLock();
    } catch (e) {
      this.error = api.toIpcError(e);
    }
    this.closeSession();
    this.notice = null;
    await this.refreshStatus().catch((e) => (this.error = api.toIpcError(e)));
  }
}

export const app = new AppState();
