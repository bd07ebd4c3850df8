// Every call to the Rust backend goes through this module.
//
// The generated bindings (ui/src/bindings/commands.ts, written by ts-rs on the
// Rust side) are picked up through import.meta.glob so that the UI builds
// before they exist; once they do, `commands.<camelName>(args)` is used and
// the fallback below (invoke("<snake_name>", { args })) is dead code.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  ActivityEntry,
  AppStatus,
  Bookmark,
  Case,
  CaseBundle,
  ConnectionTest,
  Dashboard,
  EventDetail,
  ExportFormat,
  ExportSummary,
  IpcError,
  Overview,
  QueryField,
  RangeName,
  Removed,
  ReportProgress,
  ReportType,
  SavedSearch,
  SearchPage,
  SourceInfo,
  StoredReport,
  SyncProgress,
  SyncRun,
  Timeline,
  Verification,
} from "./types";

type CommandFn = (args: unknown) => Promise<unknown>;
type GeneratedModule = {
  commands?: Record<string, CommandFn>;
  EVENTS?: Record<string, string>;
};

const generatedModules = import.meta.glob<GeneratedModule>("../bindings/commands.ts", {
  eager: true,
});
const generated: GeneratedModule = Object.values(generatedModules)[0] ?? {};

export const EVENTS = {
  syncProgress: generated.EVENTS?.syncProgress ?? "sync-progress",
  reportProgress: generated.EVENTS?.reportProgress ?? "report-progress",
  demoProgress: generated.EVENTS?.demoProgress ?? "demo-progress",
} as const;

export function snakeToCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Whatever a rejected call produced, as an IpcError. */
export function toIpcError(e: unknown): IpcError {
  if (e && typeof e === "object") {
    const o = e as Record<string, unknown>;
    if (typeof o.code === "string" && typeof o.message === "string") {
      return {
        code: o.code,
        message: o.message,
        position: typeof o.position === "number" ? o.position : null,
      };
    }
    if (o instanceof Error) return { code: "internal", message: o.message, position: null };
  }
  if (typeof e === "string") return { code: "internal", message: e, position: null };
  return { code: "internal", message: "Unexpected error", position: null };
}

export function isTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

async function call<T>(name: string, args: Record<string, unknown> = {}): Promise<T> {
  try {
    if (import.meta.env.DEV && !isTauri()) {
      // Browser-only development (npm run dev without Tauri): fixture backend.
      const mock = await import("./mock");
      return (await mock.call(name, args)) as T;
    }
    const fn = generated.commands?.[snakeToCamel(name)];
    if (fn) return (await fn(args)) as T;
    return await invoke<T>(name, { args });
  } catch (e) {
    throw toIpcError(e);
  }
}

export async function onEvent<T>(event: string, handler: (payload: T) => void): Promise<UnlistenFn> {
  if (import.meta.env.DEV && !isTauri()) {
    const mock = await import("./mock");
    return mock.listen(event, handler as (p: unknown) => void);
  }
  return listen<T>(event, (e) => handler(e.payload));
}

export const onDemoProgress = (h: (p: SyncProgress) => void) => onEvent(EVENTS.demoProgress, h);
export const onSyncProgress = (h: (p: SyncProgress) => void) => onEvent(EVENTS.syncProgress, h);
export const onReportProgress = (h: (p: ReportProgress) => void) => onEvent(EVENTS.reportProgress, h);

// Session
export const appStatus = () => call<AppStatus>("app_status");
export const vaultCreate = (passphrase: string) => call<Overview>("vault_create", { passphrase });
export const vaultUnlock = (passphrase: string, remember: boolean) =>
  call<Overview>("vault_unlock", { passphrase, remember });
export const vaultUnlockRemembered = () => call<Overview>("vault_unlock_remembered");
export const demoOpen = () => call<Overview>("demo_open");
export const vaultLock = () => call<null>("vault_lock");
export const vaultOverview = () => call<Overview>("vault_overview");
export const vaultChangePassphrase = (old: string, next: string) =>
  call<null>("vault_change_passphrase", { old, new: next });
export const keychainSet = (remember: boolean, passphrase: string | null) =>
  call<null>("keychain_set", { remember, passphrase });

// Dashboard
export const dashboard = (range: RangeName, from: string | null = null, to: string | null = null) =>
  call<Dashboard>("dashboard", { range, from, to });

// Events
export type SearchArgs = {
  query: string;
  sort?: string | null;
  offset?: number | null;
  limit?: number | null;
  after?: string | null;
  facets?: boolean;
};
export const search = (a: SearchArgs) =>
  call<SearchPage>("search", {
    query: a.query,
    sort: a.sort ?? null,
    offset: a.offset ?? null,
    limit: a.limit ?? null,
    after: a.after ?? null,
    facets: a.facets ?? false,
  });
export const queryFields = () => call<QueryField[]>("query_fields");
export const eventDetail = (id: string, source: string) =>
  call<EventDetail>("event_detail", { id, source });
export const exportResults = (query: string, format: ExportFormat, redact: boolean, path: string) =>
  call<ExportSummary>("export_results", { query, format, redact, path });

// Investigations
export const bookmarkSet = (
  id: string,
  source: string,
  note: string,
  tags: string[],
  caseName: string | null,
) => call<Bookmark>("bookmark_set", { id, source, note, tags, case_name: caseName });
export const bookmarkRemove = (id: string, source: string) =>
  call<null>("bookmark_remove", { id, source });
export const bookmarkGet = (id: string, source: string) =>
  call<Bookmark | null>("bookmark_get", { id, source });
export const bookmarksList = (caseName: string | null = null) =>
  call<Bookmark[]>("bookmarks_list", { case_name: caseName });
export const caseCreate = (name: string, description: string) =>
  call<Case>("case_create", { name, description });
export const casesList = () => call<Case[]>("cases_list");
export const caseTimeline = (name: string) => call<Timeline>("case_timeline", { name });
export const caseSetOpen = (name: string, open: boolean) => call<Case>("case_set_open", { name, open });
export const caseExport = (name: string, dir: string) => call<CaseBundle>("case_export", { name, dir });
export const savedList = () => call<SavedSearch[]>("saved_list");
export const savedSave = (name: string, query: string) => call<SavedSearch>("saved_save", { name, query });
export const savedRemove = (name: string) => call<null>("saved_remove", { name });

// Reports
export type ReportArgs = {
  name: string | null;
  report_type: ReportType;
  quarter: string | null;
  from: string | null;
  to: string | null;
  scope: string;
};
export const reportGenerate = (a: ReportArgs) => call<StoredReport>("report_generate", a);
export const reportsList = () => call<StoredReport[]>("reports_list");
export const reportSave = (id: number, path: string) => call<null>("report_save", { id, path });
export const reportsDelete = (ids: number[]) => call<number>("reports_delete", { ids });
export const reportVerify = (path: string) => call<Verification>("report_verify", { path });

// Sources
export type RedoxSourceArgs = {
  name: string;
  organization_id: string;
  client_id: string;
  key_id: string;
  private_key_pem: string;
  host: string;
};
export const sourcesList = () => call<SourceInfo[]>("sources_list");
export const sourceAddRedox = (a: RedoxSourceArgs) => call<SourceInfo>("source_add_redox", a);
export const sourceTest = (name: string) => call<ConnectionTest>("source_test", { name });
export const sourceSync = (name: string) => call<SyncRun[]>("source_sync", { name });
export const syncHistory = (name: string | null, limit: number) =>
  call<SyncRun[]>("sync_history", { name, limit });
export const sourceRemove = (name: string) => call<Removed>("source_remove", { name });

// Other
export const activityList = (limit: number) => call<ActivityEntry[]>("activity_list", { limit });

// Dialogs (only save() and open({directory:true}) are allowed by the capabilities).
export async function saveDialog(defaultPath: string, extensions: string[], label: string): Promise<string | null> {
  if (import.meta.env.DEV && !isTauri()) return `/tmp/${defaultPath}`;
  const { save } = await import("@tauri-apps/plugin-dialog");
  return save({ defaultPath, filters: [{ name: label, extensions }] });
}

export async function chooseDirectory(title: string): Promise<string | null> {
  if (import.meta.env.DEV && !isTauri()) return "/tmp";
  const { open } = await import("@tauri-apps/plugin-dialog");
  const r = await open({ directory: true, multiple: false, title });
  return typeof r === "string" ? r : null;
}

// Added for the Investigations / Reports / Settings screens.
// report_verify takes the stored report's id (ReportId {id}), not a path.
export const reportVerifyById = (id: number) => call<Verification>("report_verify", { id });
/** bookmark_set with a nullable note: null keeps the existing note. */
export const bookmarkUpdate = (
  id: string,
  source: string,
  note: string | null,
  tags: string[],
  caseName: string | null,
) => call<Bookmark>("bookmark_set", { id, source, note, tags, case_name: caseName });
export type AppSettings = { auto_lock_minutes: number };
export const settingsGet = () => call<AppSettings>("settings_get");
// settings_set takes the Settings struct itself as its args.
export const settingsSet = (s: AppSettings) => call<AppSettings>("settings_set", s);
/** The save dialog for a new folder (a case bundle): no file-type filter. */
export async function saveFolderDialog(defaultPath: string, title: string): Promise<string | null> {
  if (import.meta.env.DEV && !isTauri()) return `/tmp/${defaultPath}`;
  const { save } = await import("@tauri-apps/plugin-dialog");
  return save({ defaultPath, title });
}
