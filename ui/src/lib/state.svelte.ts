// Application state: one small runes store shared by every screen.
import type { AppStatus, IpcError, Overview, Theme } from "./types";
import { applyTheme, loadTheme, saveTheme } from "./theme";
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
  overview = $state<Overview | null>(null);
  unlocked = $state(false);
  screen = $state<Screen>("dashboard");
  /** The last error not shown anywhere more specific (a banner at the top). */
  error = $state<IpcError | null>(null);
  toasts = $state<Toast[]>([]);
  shortcutsOpen = $state(false);
  theme = $state<Theme>(loadTheme());
  eventsRequest = $state<EventsRequest | null>(null);
  private toastSeq = 0;
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
    this.unlocked = this.status.unlocked;
    if (this.unlocked && !this.overview) this.overview = await api.vaultOverview();
  }

  unlockedWith(overview: Overview) {
    this.overview = overview;
    this.unlocked = true;
    this.error = null;
    this.screen = "dashboard";
  }

  async lock() {
    try {
      await api.vaultLock();
    } catch (e) {
      this.error = api.toIpcError(e);
    }
    this.unlocked = false;
    this.overview = null;
    this.eventsRequest = null;
    await this.refreshStatus().catch((e) => (this.error = api.toIpcError(e)));
  }
}

export const app = new AppState();
