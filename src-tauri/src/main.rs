// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    auditdesk_app::rendering::choose_for_this_machine();
    auditdesk_app::run();
}
