// Every call to the Rust backend goes through this module.
//
// The commands and their types are generated from Rust by ts-rs
// (ui/src/bindings/, never edited by hand). Each helper takes the command's
// generated args object (none for commands whose args are `NoArgs`) and
// resolves to its generated result; a rejection is always an `IpcError`.
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { commands, EVENTS, type EventPayloads, type IpcError } from "../bindings/commands";
import type { ActivityArgs } from "../bindings/ActivityArgs";
import type { AddRedoxArgs } from "../bindings/AddRedoxArgs";
import type { BookmarkArgs } from "../bindings/BookmarkArgs";
import type { CaseExport } from "../bindings/CaseExport";
import type { CaseFilter } from "../bindings/CaseFilter";
import type { CaseName } from "../bindings/CaseName";
import type { CaseOpen } from "../bindings/CaseOpen";
import type { ChangePassphraseArgs } from "../bindings/ChangePassphraseArgs";
import type { DashboardArgs } from "../bindings/DashboardArgs";
import type { DeleteArgs } from "../bindings/DeleteArgs";
import type { EventRef } from "../bindings/EventRef";
import type { ExportArgs } from "../bindings/ExportArgs";
import type { GenerateArgs } from "../bindings/GenerateArgs";
import type { HistoryArgs } from "../bindings/HistoryArgs";
import type { KeychainArgs } from "../bindings/KeychainArgs";
import type { NewCase } from "../bindings/NewCase";
import type { PassphraseArgs } from "../bindings/PassphraseArgs";
import type { ReportId } from "../bindings/ReportId";
import type { SaveArgs } from "../bindings/SaveArgs";
import type { SavedArgs } from "../bindings/SavedArgs";
import type { SavedName } from "../bindings/SavedName";
import type { SearchArgs } from "../bindings/SearchArgs";
import type { Settings } from "../bindings/Settings";
import type { SourceName } from "../bindings/SourceName";
import type { UnlockArgs } from "../bindings/UnlockArgs";

export { EVENTS };
export type { EventPayloads, IpcError };

/**
 * Whatever a rejected call produced, as an IpcError. Our commands reject
 * with one already; Tauri itself rejects with a string (e.g. a command the
 * capabilities do not allow).
 */
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

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw toIpcError(e);
  }
}

// Events
export type EventName = keyof EventPayloads;

export function onEvent<E extends EventName>(
  event: E,
  handler: (payload: EventPayloads[E]) => void,
): Promise<UnlistenFn> {
  return listen<EventPayloads[E]>(event, (e) => handler(e.payload));
}

export const onDemoProgress = (h: (p: EventPayloads[typeof EVENTS.demoProgress]) => void) =>
  onEvent(EVENTS.demoProgress, h);
export const onSyncProgress = (h: (p: EventPayloads[typeof EVENTS.syncProgress]) => void) =>
  onEvent(EVENTS.syncProgress, h);
export const onReportProgress = (h: (p: EventPayloads[typeof EVENTS.reportProgress]) => void) =>
  onEvent(EVENTS.reportProgress, h);
/** The idle timer locked the vault (Settings → Auto-lock). */
export const onVaultLocked = (h: () => void) => onEvent(EVENTS.vaultLocked, () => h());

// Session
export const appStatus = () => call(() => commands.appStatus({}));
export const vaultCreate = (args: PassphraseArgs) => call(() => commands.vaultCreate(args));
export const vaultUnlock = (args: UnlockArgs) => call(() => commands.vaultUnlock(args));
export const vaultUnlockRemembered = () => call(() => commands.vaultUnlockRemembered({}));
export const demoOpen = () => call(() => commands.demoOpen({}));
export const vaultLock = () => call(() => commands.vaultLock({}));
export const vaultOverview = () => call(() => commands.vaultOverview({}));
export const vaultHeld = () => call(() => commands.vaultHeld({}));
export const vaultChangePassphrase = (args: ChangePassphraseArgs) =>
  call(() => commands.vaultChangePassphrase(args));
export const keychainSet = (args: KeychainArgs) => call(() => commands.keychainSet(args));
export const settingsGet = () => call(() => commands.settingsGet({}));
export const settingsSet = (args: Settings) => call(() => commands.settingsSet(args));

// Dashboard and Events
export const dashboard = (args: DashboardArgs) => call(() => commands.dashboard(args));
export const search = (args: SearchArgs) => call(() => commands.search(args));
export const queryFields = () => call(() => commands.queryFields({}));
export const eventDetail = (args: EventRef) => call(() => commands.eventDetail(args));
export const exportResults = (args: ExportArgs) => call(() => commands.exportResults(args));

// Investigations
/** Creates or changes a bookmark: a null note keeps the existing one; tags are added. */
export const bookmarkSet = (args: BookmarkArgs) => call(() => commands.bookmarkSet(args));
export const bookmarkRemove = (args: EventRef) => call(() => commands.bookmarkRemove(args));
export const bookmarkGet = (args: EventRef) => call(() => commands.bookmarkGet(args));
export const bookmarksList = (args: CaseFilter) => call(() => commands.bookmarksList(args));
export const caseCreate = (args: NewCase) => call(() => commands.caseCreate(args));
export const casesList = () => call(() => commands.casesList({}));
export const caseTimeline = (args: CaseName) => call(() => commands.caseTimeline(args));
export const caseSetOpen = (args: CaseOpen) => call(() => commands.caseSetOpen(args));
export const caseExport = (args: CaseExport) => call(() => commands.caseExport(args));
export const savedList = () => call(() => commands.savedList({}));
export const savedSave = (args: SavedArgs) => call(() => commands.savedSave(args));
export const savedRemove = (args: SavedName) => call(() => commands.savedRemove(args));

// Reports
export const reportGenerate = (args: GenerateArgs) => call(() => commands.reportGenerate(args));
export const reportsList = () => call(() => commands.reportsList({}));
export const reportSave = (args: SaveArgs) => call(() => commands.reportSave(args));
export const reportsDelete = (args: DeleteArgs) => call(() => commands.reportsDelete(args));
/** Recomputes a stored report's evidence; rejects with code "evidence" when it no longer matches. */
export const reportVerify = (args: ReportId) => call(() => commands.reportVerify(args));

// Sources
export const sourcesList = () => call(() => commands.sourcesList({}));
export const sourceAddRedox = (args: AddRedoxArgs) => call(() => commands.sourceAddRedox(args));
export const sourceTest = (args: SourceName) => call(() => commands.sourceTest(args));
export const sourceSync = (args: SourceName) => call(() => commands.sourceSync(args));
export const syncHistory = (args: HistoryArgs) => call(() => commands.syncHistory(args));
export const sourceRemove = (args: SourceName) => call(() => commands.sourceRemove(args));

// Settings
export const activityList = (args: ActivityArgs) => call(() => commands.activityList(args));

// Dialogs (the capabilities allow only the save dialog).
export async function saveDialog(defaultPath: string, extensions: string[], label: string): Promise<string | null> {
  const { save } = await import("@tauri-apps/plugin-dialog");
  return save({ defaultPath, filters: [{ name: label, extensions }] });
}

/** The save dialog for a new folder (a case bundle): no file-type filter. */
export async function saveFolderDialog(defaultPath: string, title: string): Promise<string | null> {
  const { save } = await import("@tauri-apps/plugin-dialog");
  return save({ defaultPath, title });
}
