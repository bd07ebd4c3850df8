//! The desktop app's start-up and memory figures for BENCHMARKS.md (run by
//! `make bench-app`, on the `dist` build): from the app process's start to
//! its first screen painted, from the click on Unlock to the dashboard
//! painted (both on the page's clock, from the UI's marks in
//! `ui/src/lib/marks.ts`; the same spans seen through the driver are
//! printed too), and idle memory after the dashboard. Ignored by default;
//! it prints medians and asserts only that the app worked.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use auditdesk_core::Vault;
use auditdesk_core::sync::{self, SyncOptions};

use super::webdriver::Driver;
use super::{Killed, app_pid, root, start_ticks, tauri_driver, tree, wait_for_port};

const PORT: u16 = 4454;
const NATIVE_PORT: u16 = 4455;
const PASSPHRASE: &str = "measure the start of the app";

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn smaps_kib(pid: u32, field: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    text.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The largest resident mappings of `pid` by what backs them (a file, or
/// the kind of anonymous memory), in KiB, largest first.
fn resident_by_backing(pid: u32) -> Vec<(String, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    let mut sums: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut current = String::new();
    for line in text.lines() {
        let mut fields = line.split_whitespace();
        let first = fields.next().unwrap_or_default();
        if first.contains('-') && first.chars().next().is_some_and(|c| c.is_ascii_hexdigit()) {
            let backing = line.split_whitespace().nth(5).unwrap_or("[anonymous]");
            current = backing.rsplit('/').next().unwrap_or(backing).to_string();
        } else if first == "Rss:" {
            let kib: u64 = fields.next().and_then(|v| v.parse().ok()).unwrap_or(0);
            *sums.entry(current.clone()).or_default() += kib;
        }
    }
    let mut sums: Vec<(String, u64)> = sums.into_iter().collect();
    sums.sort_by_key(|s| std::cmp::Reverse(s.1));
    sums
}

/// When `pid` started, in milliseconds since the Unix epoch: its start
/// time in clock ticks after boot plus the moment of boot (now minus
/// `/proc/uptime`). Good to ~20 ms.
fn started_epoch_ms(pid: u32) -> f64 {
    let ticks = start_ticks(pid) as f64;
    let tck = Command::new("getconf").arg("CLK_TCK").output().unwrap();
    let tck: f64 = String::from_utf8_lossy(&tck.stdout).trim().parse().unwrap();
    let uptime = std::fs::read_to_string("/proc/uptime").unwrap();
    let uptime: f64 = uptime.split_whitespace().next().unwrap().parse().unwrap();
    let boot = epoch_ms() - uptime * 1000.0;
    boot + ticks / tck * 1000.0
}

fn epoch_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

/// When the UI marked `name` (ui/src/lib/marks.ts: after the screen's
/// first paint), in milliseconds since the Unix epoch.
fn mark_epoch_ms(driver: &Driver, name: &str) -> f64 {
    let script = format!(
        "const m = performance.getEntriesByName('{name}', 'mark')[0]; \
         return m ? performance.timeOrigin + m.startTime : null"
    );
    let mut at = None;
    driver.until(name, Duration::from_secs(10), || {
        at = driver.script(&script).as_f64();
        at.is_some()
    });
    at.unwrap()
}

fn name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[test]
#[ignore = "a measurement for BENCHMARKS.md: run `make bench-app`"]
fn app_start_and_memory() {
    let app: PathBuf = std::env::var_os("AUDITDESK_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/dist/auditdesk-app"));
    assert!(app.exists(), "no app at {app:?}");
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let vault_dir = data.join("auditdesk/vault");

    let driver_process = Killed(
        Command::new(tauri_driver())
            .args(["--port", &PORT.to_string()])
            .args(["--native-port", &NATIVE_PORT.to_string()])
            .env("XDG_DATA_HOME", &data)
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env_remove("AUDITDESK_VAULT")
            .env_remove("AUDITDESK_KDF_TARGET_MS")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap(),
    );
    wait_for_port(PORT);
    wait_for_port(NATIVE_PORT);

    // A user vault created through the app, so that this build calibrates
    // its Argon2id as it would for a user (to ~0.5 s: DESIGN §4), then
    // filled with the demo organisation (~43,000 events).
    {
        let driver = Driver::start(&format!("http://127.0.0.1:{PORT}"), &app);
        let input = driver.wait("[data-testid=create-passphrase]", Duration::from_secs(30));
        driver.type_into(&input, PASSPHRASE);
        driver.type_into(&driver.find("[data-testid=create-confirm]"), PASSPHRASE);
        driver.click(&driver.find("[data-testid=create-submit]"));
        driver.wait("[data-testid=dashboard-empty]", Duration::from_secs(30));
    }
    let mut vault = Vault::open(&vault_dir, PASSPHRASE).unwrap();
    auditdesk_sim::demo::add_source(&vault, "demo", chrono::Utc::now()).unwrap();
    let sim = auditdesk_sim::demo::serve(&vault, "demo").unwrap().unwrap();
    let options = SyncOptions {
        host: Some(sim.url.clone()),
        ..SyncOptions::default()
    };
    sync::sync_source(&mut vault, "demo", &options, &mut |_| {}).unwrap();
    drop(sim);
    drop(vault);
    let t_cost = Vault::read_header(&vault_dir).unwrap().kdf.t_cost;

    let (mut to_usable, mut to_dashboard, mut rss, mut pss, mut app_rss) =
        (vec![], vec![], vec![], vec![], vec![]);
    let (mut start_to_painted, mut click_to_painted) = (vec![], vec![]);
    let (mut submit_to_unlocked, mut unlocked_to_painted) = (vec![], vec![]);
    let mut through_driver = vec![];
    for _ in 0..runs {
        let start = Instant::now();
        let driver = Driver::start(&format!("http://127.0.0.1:{PORT}"), &app);
        let input = driver.wait("[data-testid=unlock-passphrase]", Duration::from_secs(30));
        to_usable.push(start.elapsed().as_secs_f64() * 1000.0);
        let pid = app_pid(driver_process.0.id(), &app);
        let started = started_epoch_ms(pid);
        start_to_painted.push(mark_epoch_ms(&driver, "auditdesk:first-screen") - started);
        // Where the start went: the page's own timeline, from our process's start.
        let timeline = driver.script(
            "const n = performance.getEntriesByType('navigation')[0] || {}; \
             return [performance.timeOrigin, ['response', n.responseEnd], ['DOMContentLoaded', n.domContentLoadedEventEnd], \
             ['load', n.loadEventEnd], \
             ...performance.getEntries().filter(e => e.entryType !== 'navigation').map(e => [e.name, Math.round(e.startTime)])]",
        );
        let origin = timeline[0].as_f64().unwrap_or(0.0);
        let after: Vec<String> = timeline
            .as_array()
            .map(|a| {
                a.iter()
                    .skip(1)
                    .map(|e| format!("{} {}", e[0], e[1]))
                    .collect()
            })
            .unwrap_or_default();
        eprintln!(
            "page timeline: navigation starts {:.0} ms after the process; then, in ms after it: {}",
            origin - started,
            after.join(", ")
        );
        driver.type_into(&input, PASSPHRASE);
        let submit = driver.find("[data-testid=unlock-submit]");
        let unlock = Instant::now();
        let clicked = epoch_ms();
        driver.click(&submit);
        driver.wait("[data-testid=metric-total]", Duration::from_secs(30));
        to_dashboard.push(unlock.elapsed().as_secs_f64() * 1000.0);
        let painted = mark_epoch_ms(&driver, "auditdesk:dashboard");
        let submitted = mark_epoch_ms(&driver, "auditdesk:unlock-submitted");
        let unlocked = mark_epoch_ms(&driver, "auditdesk:unlocked");
        click_to_painted.push(painted - submitted);
        through_driver.push(painted - clicked);
        submit_to_unlocked.push(unlocked - submitted);
        unlocked_to_painted.push(painted - unlocked);
        // Idle: nothing happens for a while after the dashboard.
        std::thread::sleep(Duration::from_secs(5));
        let pids = tree(pid);
        let names: Vec<String> = pids.iter().map(|p| name(*p)).collect();
        rss.push(pids.iter().map(|p| smaps_kib(*p, "Rss:")).sum::<u64>() as f64 / 1024.0);
        pss.push(pids.iter().map(|p| smaps_kib(*p, "Pss:")).sum::<u64>() as f64 / 1024.0);
        app_rss.push(smaps_kib(pid, "Rss:") as f64 / 1024.0);
        eprintln!(
            "processes: {names:?}; app anonymous {} MiB, file-backed {} MiB",
            smaps_kib(pid, "Anonymous:") / 1024,
            (smaps_kib(pid, "Rss:") - smaps_kib(pid, "Anonymous:")) / 1024
        );
        let largest: Vec<String> = resident_by_backing(pid)
            .into_iter()
            .take(10)
            .map(|(backing, kib)| format!("{backing} {} MiB", kib / 1024))
            .collect();
        eprintln!("app process, largest resident: {}", largest.join(", "));
        for p in &pids {
            eprintln!(
                "  {}: RSS {} MiB, PSS {} MiB, anonymous {} MiB",
                name(*p),
                smaps_kib(*p, "Rss:") / 1024,
                smaps_kib(*p, "Pss:") / 1024,
                smaps_kib(*p, "Anonymous:") / 1024
            );
        }
        drop(driver);
        std::thread::sleep(Duration::from_millis(500));
    }
    println!(
        "app-start runs={runs} process_start_to_first_screen_painted_ms_median={:.0} \
         unlock_submitted_to_dashboard_painted_ms_median={:.0} (vault_unlock_call_ms_median={:.0}, \
         unlocked_to_dashboard_painted_ms_median={:.0}) (through the driver: launch_to_unlock_screen_ms_median={:.0} \
         click_request_to_dashboard_painted_ms_median={:.0} click_request_to_dashboard_found_ms_median={:.0}) \
         argon2id_passes_calibrated_by_the_app={t_cost} idle_rss_mib_median={:.0} \
         (app process alone {:.0}) idle_pss_mib_median={:.0}",
        median(start_to_painted),
        median(click_to_painted),
        median(submit_to_unlocked),
        median(unlocked_to_painted),
        median(to_usable),
        median(through_driver),
        median(to_dashboard),
        median(rss),
        median(app_rss),
        median(pss)
    );
}
