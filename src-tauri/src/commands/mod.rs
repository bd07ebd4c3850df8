//! The IPC commands. Each is a plain function `(ctx, args) -> Result<T>`
//! in a module per screen; `commands!` wraps it as a Tauri command that
//! runs off the UI thread and maps the error to `IpcError`, and lists it
//! for the TypeScript bindings. One list, so the handler, the permissions
//! (`names.rs`, checked by a test) and the bindings cannot disagree.

mod investigations;
mod names;
mod reports;
mod review;
mod session;
mod sources;

use serde::Deserialize;
use tauri::Emitter;
use ts_rs::TS;

use crate::bindings::Generator;
use crate::ipc_error::IpcError;
use crate::state::AppState;

pub use names::COMMANDS as NAMES;

/// What a command gets besides its arguments.
pub struct Ctx {
    pub state: AppState,
    pub app: tauri::AppHandle,
}

impl Ctx {
    /// Progress is best effort: a closed window must not fail the work.
    pub fn emit<T: serde::Serialize + Clone>(&self, event: &str, payload: T) {
        let _ = self.app.emit(event, payload);
    }
}

/// The arguments of a command that takes none.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct NoArgs {}

macro_rules! commands {
    ($($module:ident :: $name:ident($args:ty) -> $ret:ty;)*) => {
        $(
            #[tauri::command]
            async fn $name(
                state: tauri::State<'_, AppState>,
                app: tauri::AppHandle,
                args: $args,
            ) -> Result<$ret, IpcError> {
                let ctx = Ctx { state: state.inner().clone(), app };
                let _busy = ctx.state.begin();
                tauri::async_runtime::spawn_blocking(move || $module::$name(&ctx, args))
                    .await
                    .map_err(IpcError::crashed)?
                    .map_err(IpcError::from)
            }
        )*

        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }

        /// The commands in declaration order.
        #[cfg(test)]
        pub const DECLARED: &[&str] = &[$(stringify!($name)),*];

        pub fn typescript(out: &mut Generator) {
            $( out.command::<$args, $ret>(stringify!($name)); )*
        }
    };
}

use auditdesk_core::{
    activity::Entry, bookmarks::Bookmark, cases::Case, cases::Timeline, dashboard::Dashboard,
    events::EventDetail, export::CaseBundle, export::Summary as ExportSummary, overview::Overview,
    report::StoredReport, report::Verification, saved::SavedSearch, search::FieldHelp,
    search::SearchPage, sources::Removed, sources::Source, sources::SourceInfo,
    sync::ConnectionTest, sync::SyncRun,
};

commands! {
    session::app_status(NoArgs) -> session::AppStatus;
    session::vault_create(session::PassphraseArgs) -> session::Held;
    session::vault_unlock(session::UnlockArgs) -> session::Held;
    session::vault_unlock_remembered(NoArgs) -> session::Held;
    session::demo_open(NoArgs) -> session::Held;
    session::vault_lock(NoArgs) -> ();
    session::vault_overview(NoArgs) -> Overview;
    session::vault_held(NoArgs) -> session::Held;
    session::vault_change_passphrase(session::ChangePassphraseArgs) -> ();
    session::keychain_set(session::KeychainArgs) -> ();
    session::settings_get(NoArgs) -> crate::state::Settings;
    session::settings_set(crate::state::Settings) -> crate::state::Settings;
    review::dashboard(review::DashboardArgs) -> Dashboard;
    review::search(review::SearchArgs) -> SearchPage;
    review::query_fields(NoArgs) -> Vec<FieldHelp>;
    review::event_detail(review::EventRef) -> EventDetail;
    review::export_results(review::ExportArgs) -> ExportSummary;
    investigations::bookmark_set(investigations::BookmarkArgs) -> Bookmark;
    investigations::bookmark_remove(review::EventRef) -> ();
    investigations::bookmark_get(review::EventRef) -> Option<Bookmark>;
    investigations::bookmarks_list(investigations::CaseFilter) -> Vec<Bookmark>;
    investigations::case_create(investigations::NewCase) -> Case;
    investigations::cases_list(NoArgs) -> Vec<Case>;
    investigations::case_timeline(investigations::CaseName) -> Timeline;
    investigations::case_set_open(investigations::CaseOpen) -> Case;
    investigations::case_export(investigations::CaseExport) -> CaseBundle;
    investigations::saved_list(NoArgs) -> Vec<SavedSearch>;
    investigations::saved_save(investigations::SavedArgs) -> SavedSearch;
    investigations::saved_remove(investigations::SavedName) -> ();
    reports::report_generate(reports::GenerateArgs) -> StoredReport;
    reports::reports_list(NoArgs) -> Vec<StoredReport>;
    reports::report_save(reports::SaveArgs) -> ();
    reports::reports_delete(reports::DeleteArgs) -> u64;
    reports::report_verify(reports::ReportId) -> Verification;
    sources::sources_list(NoArgs) -> Vec<SourceInfo>;
    sources::source_add_redox(sources::AddRedoxArgs) -> Source;
    sources::source_test(sources::SourceName) -> ConnectionTest;
    sources::source_sync(sources::SourceName) -> Vec<SyncRun>;
    sources::sync_history(sources::HistoryArgs) -> Vec<SyncRun>;
    sources::source_remove(sources::SourceName) -> Removed;
    sources::activity_list(sources::ActivityArgs) -> Vec<Entry>;
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_permission_list_names_every_command_in_order() {
        assert_eq!(super::DECLARED, super::NAMES);
    }
}
