// Generated from the Rust command list and types (src-tauri/src/bindings.rs).
// Do not edit: `UPDATE_BINDINGS=1 cargo test -p auditdesk-app bindings` rewrites it.
import { invoke } from "@tauri-apps/api/core";
import type { ActivityArgs } from "./ActivityArgs";
import type { ActivityEntry } from "./ActivityEntry";
import type { AddRedoxArgs } from "./AddRedoxArgs";
import type { AppStatus } from "./AppStatus";
import type { Bookmark } from "./Bookmark";
import type { BookmarkArgs } from "./BookmarkArgs";
import type { Case } from "./Case";
import type { CaseBundle } from "./CaseBundle";
import type { CaseExport } from "./CaseExport";
import type { CaseFilter } from "./CaseFilter";
import type { CaseName } from "./CaseName";
import type { CaseOpen } from "./CaseOpen";
import type { ChangePassphraseArgs } from "./ChangePassphraseArgs";
import type { ConnectionTest } from "./ConnectionTest";
import type { Dashboard } from "./Dashboard";
import type { DashboardArgs } from "./DashboardArgs";
import type { DeleteArgs } from "./DeleteArgs";
import type { EventDetail } from "./EventDetail";
import type { EventRef } from "./EventRef";
import type { ExportArgs } from "./ExportArgs";
import type { ExportSummary } from "./ExportSummary";
import type { FieldHelp } from "./FieldHelp";
import type { GenerateArgs } from "./GenerateArgs";
import type { Held } from "./Held";
import type { HistoryArgs } from "./HistoryArgs";
import type { IpcError } from "./IpcError";
import type { KeychainArgs } from "./KeychainArgs";
import type { NewCase } from "./NewCase";
import type { NoArgs } from "./NoArgs";
import type { Overview } from "./Overview";
import type { PassphraseArgs } from "./PassphraseArgs";
import type { ReportId } from "./ReportId";
import type { ReportProgress } from "./ReportProgress";
import type { ReportVerification } from "./ReportVerification";
import type { SaveArgs } from "./SaveArgs";
import type { SavedArgs } from "./SavedArgs";
import type { SavedName } from "./SavedName";
import type { SavedSearch } from "./SavedSearch";
import type { SearchArgs } from "./SearchArgs";
import type { SearchPage } from "./SearchPage";
import type { Settings } from "./Settings";
import type { Source } from "./Source";
import type { SourceInfo } from "./SourceInfo";
import type { SourceName } from "./SourceName";
import type { SourceRemoved } from "./SourceRemoved";
import type { StoredReport } from "./StoredReport";
import type { SyncProgress } from "./SyncProgress";
import type { SyncRun } from "./SyncRun";
import type { Timeline } from "./Timeline";
import type { UnlockArgs } from "./UnlockArgs";

export type { IpcError };

/** Every command; a rejected promise carries an `IpcError`. */
export const commands = {
  appStatus: (args: NoArgs): Promise<AppStatus> => invoke("app_status", { args }),
  vaultCreate: (args: PassphraseArgs): Promise<Held> => invoke("vault_create", { args }),
  vaultUnlock: (args: UnlockArgs): Promise<Held> => invoke("vault_unlock", { args }),
  vaultUnlockRemembered: (args: NoArgs): Promise<Held> => invoke("vault_unlock_remembered", { args }),
  demoOpen: (args: NoArgs): Promise<Held> => invoke("demo_open", { args }),
  vaultLock: (args: NoArgs): Promise<null> => invoke("vault_lock", { args }),
  vaultOverview: (args: NoArgs): Promise<Overview> => invoke("vault_overview", { args }),
  vaultHeld: (args: NoArgs): Promise<Held> => invoke("vault_held", { args }),
  vaultChangePassphrase: (args: ChangePassphraseArgs): Promise<null> => invoke("vault_change_passphrase", { args }),
  keychainSet: (args: KeychainArgs): Promise<null> => invoke("keychain_set", { args }),
  settingsGet: (args: NoArgs): Promise<Settings> => invoke("settings_get", { args }),
  settingsSet: (args: Settings): Promise<Settings> => invoke("settings_set", { args }),
  dashboard: (args: DashboardArgs): Promise<Dashboard> => invoke("dashboard", { args }),
  search: (args: SearchArgs): Promise<SearchPage> => invoke("search", { args }),
  queryFields: (args: NoArgs): Promise<Array<FieldHelp>> => invoke("query_fields", { args }),
  eventDetail: (args: EventRef): Promise<EventDetail> => invoke("event_detail", { args }),
  exportResults: (args: ExportArgs): Promise<ExportSummary> => invoke("export_results", { args }),
  bookmarkSet: (args: BookmarkArgs): Promise<Bookmark> => invoke("bookmark_set", { args }),
  bookmarkRemove: (args: EventRef): Promise<null> => invoke("bookmark_remove", { args }),
  bookmarkGet: (args: EventRef): Promise<Bookmark | null> => invoke("bookmark_get", { args }),
  bookmarksList: (args: CaseFilter): Promise<Array<Bookmark>> => invoke("bookmarks_list", { args }),
  caseCreate: (args: NewCase): Promise<Case> => invoke("case_create", { args }),
  casesList: (args: NoArgs): Promise<Array<Case>> => invoke("cases_list", { args }),
  caseTimeline: (args: CaseName): Promise<Timeline> => invoke("case_timeline", { args }),
  caseSetOpen: (args: CaseOpen): Promise<Case> => invoke("case_set_open", { args }),
  caseExport: (args: CaseExport): Promise<CaseBundle> => invoke("case_export", { args }),
  savedList: (args: NoArgs): Promise<Array<SavedSearch>> => invoke("saved_list", { args }),
  savedSave: (args: SavedArgs): Promise<SavedSearch> => invoke("saved_save", { args }),
  savedRemove: (args: SavedName): Promise<null> => invoke("saved_remove", { args }),
  reportGenerate: (args: GenerateArgs): Promise<StoredReport> => invoke("report_generate", { args }),
  reportsList: (args: NoArgs): Promise<Array<StoredReport>> => invoke("reports_list", { args }),
  reportSave: (args: SaveArgs): Promise<null> => invoke("report_save", { args }),
  reportsDelete: (args: DeleteArgs): Promise<number> => invoke("reports_delete", { args }),
  reportVerify: (args: ReportId): Promise<ReportVerification> => invoke("report_verify", { args }),
  sourcesList: (args: NoArgs): Promise<Array<SourceInfo>> => invoke("sources_list", { args }),
  sourceAddRedox: (args: AddRedoxArgs): Promise<Source> => invoke("source_add_redox", { args }),
  sourceTest: (args: SourceName): Promise<ConnectionTest> => invoke("source_test", { args }),
  sourceSync: (args: SourceName): Promise<Array<SyncRun>> => invoke("source_sync", { args }),
  syncHistory: (args: HistoryArgs): Promise<Array<SyncRun>> => invoke("sync_history", { args }),
  sourceRemove: (args: SourceName): Promise<SourceRemoved> => invoke("source_remove", { args }),
  activityList: (args: ActivityArgs): Promise<Array<ActivityEntry>> => invoke("activity_list", { args }),
};

/** Events the app emits, and their payloads. */
export const EVENTS = {
  syncProgress: "sync-progress",
  demoProgress: "demo-progress",
  reportProgress: "report-progress",
  vaultLocked: "vault-locked",
} as const;

export type EventPayloads = {
  "sync-progress": SyncProgress;
  "demo-progress": SyncProgress;
  "report-progress": ReportProgress;
  "vault-locked": null;
};
