// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[allow(unsafe_code)]
fn main() {
    // SAFETY: the first thing the process does; no other thread exists yet.
    #[cfg(target_os = "linux")]
    unsafe {
        auditdesk_app::rendering::choose_for_this_machine();
    }
    auditdesk_app::run();
}
