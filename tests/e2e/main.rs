//! End to end: the real built app (`target/debug/auditdesk-app`) in its
//! WebKit webview under Xvfb, driven through tauri-driver and
//! WebKitWebDriver the way a new user goes: first run → demo workspace →
//! dashboard (figures equal the core's) → search → expand an event →
//! bookmark it with a note → generate a report → save it through the save
//! dialog → the PDF verifies. Every screen is saved as a screenshot in
//! `target/e2e/`. Run by `make e2e` (part of `make test`), which builds
//! the app and tauri-driver first.

#![allow(clippy::unwrap_used)]

mod measure;
mod webdriver;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use auditdesk_core::Vault;
use auditdesk_core::dashboard::{self, Range};
use webdriver::Driver;

const DEMO_PASSPHRASE: &str = "auditdesk demo passphrase";
const PORT: u16 = 4444;
/// WebKitWebDriver's, behind tauri-driver.
const NATIVE_PORT: u16 = 4445;

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// tauri-driver in a process group of its own, so WebKitWebDriver and the
/// app go down with it.
pub(crate) struct Killed(pub(crate) Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let pid = self.0.id() as i32;
        // SAFETY: signalling a process group we created; no memory involved.
        #[allow(unsafe_code)]
        unsafe {
            libc::kill(-pid, libc::SIGTERM);
        }
        let _ = self.0.wait();
    }
}

pub(crate) fn tauri_driver() -> PathBuf {
    let local = root().join(".tools/bin/tauri-driver");
    if local.exists() {
        return local;
    }
    PathBuf::from("tauri-driver")
}

pub(crate) fn wait_for_port(port: u16) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "tauri-driver or its WebKitWebDriver did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every process in the tree under `pid`, `pid` included.
pub(crate) fn tree(pid: u32) -> Vec<u32> {
    let mut all = vec![pid];
    let mut i = 0;
    while i < all.len() {
        let children = format!("/proc/{0}/task/{0}/children", all[i]);
        if let Ok(text) = std::fs::read_to_string(children) {
            all.extend(
                text.split_whitespace()
                    .filter_map(|p| p.parse::<u32>().ok()),
            );
        }
        i += 1;
    }
    all
}

/// When `pid` started, in clock ticks after boot (`/proc/<pid>/stat`
/// field 22).
pub(crate) fn start_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which may hold spaces, in parentheses.
    stat.rfind(')')
        .and_then(|end| stat.get(end + 2..))
        .and_then(|after| after.split_whitespace().nth(19))
        .and_then(|ticks| ticks.parse().ok())
        .unwrap_or(0)
}

/// The app process WebKitWebDriver launched under tauri-driver `driver`:
/// the newest process in its tree running `binary`.
pub(crate) fn app_pid(driver: u32, binary: &Path) -> u32 {
    let binary = binary.canonicalize().unwrap();
    tree(driver)
        .into_iter()
        .filter(|p| std::fs::read_link(format!("/proc/{p}/exe")).is_ok_and(|exe| exe == binary))
        .max_by_key(|p| start_ticks(*p))
        .expect("no app process under tauri-driver")
}

/// Whether this machine has a GPU render node (src-tauri/src/rendering.rs).
fn has_render_node() -> bool {
    std::fs::read_dir("/dev/dri").is_ok_and(|entries| {
        entries
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

fn number(text: &str) -> u64 {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {text:?}"))
}

/// A picture of the X screen, native dialogs included. Not WebDriver's
/// screenshot: WebKitGTK 2.50 never answers it on its non-composited path,
/// which the app takes on machines without a GPU (src-tauri/src/rendering.rs),
/// as under Xvfb.
fn shot(dir: &Path, name: &str) {
    // What was just inserted may not be painted yet.
    std::thread::sleep(Duration::from_millis(300));
    let path = dir.join(format!("{name}.png"));
    let status = Command::new("import")
        .args(["-window", "root"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success() && path.exists(), "no screenshot {name}");
}

fn xdotool(args: &[&str]) {
    let status = Command::new("xdotool").args(args).status().unwrap();
    assert!(status.success(), "xdotool {args:?}");
}

fn figures(driver: &Driver) -> [u64; 4] {
    [
        "metric-total",
        "metric-critical-error",
        "metric-warning",
        "metric-active-users",
    ]
    .map(|id| {
        let e = driver.find(&format!("[data-testid={id}]"));
        number(
            &driver
                .attribute(&e, "data-value")
                .unwrap_or_else(|| driver.text(&e)),
        )
    })
}

fn core_figures(dir: &Path) -> [u64; 4] {
    let vault = Vault::open(dir, DEMO_PASSPHRASE).unwrap();
    let d = dashboard::dashboard(vault.conn(), Range::Last7d, chrono::Utc::now()).unwrap();
    [d.total, d.critical_error, d.warning, d.active_users]
}

#[test]
#[ignore = "needs the built app, tauri-driver and an X display: run `make e2e`"]
fn a_new_user_goes_from_first_run_to_a_verified_report() {
    let app = root().join("target/debug/auditdesk-app");
    assert!(
        app.exists(),
        "build the app first: cargo build -p auditdesk-app"
    );
    let shots = root().join("target/e2e");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).unwrap();
    // A fresh user: nothing in the data directory.
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let demo_dir = data.join("auditdesk/demo");
    let driver_process = Killed(
        Command::new(tauri_driver())
            .args(["--port", &PORT.to_string()])
            .args(["--native-port", &NATIVE_PORT.to_string()])
            .env("XDG_DATA_HOME", &data)
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env_remove("AUDITDESK_VAULT")
            .env_remove("AUDITDESK_PASSPHRASE")
            // The app's own rendering choices are under test (below).
            .env_remove("WEBKIT_DISABLE_COMPOSITING_MODE")
            .env_remove("GDK_GL")
            .env_remove("WEBKIT_DISABLE_DMABUF_RENDERER")
            .env_remove("WEBKIT_WEB_RENDER_DEVICE_FILE")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("tauri-driver (cargo install tauri-driver --locked)"),
    );
    // tauri-driver listens before the WebKitWebDriver it starts does, and
    // drops a session request it cannot forward yet.
    wait_for_port(PORT);
    wait_for_port(NATIVE_PORT);
    let driver = Driver::start(&format!("http://127.0.0.1:{PORT}"), &app);

    // First run: no vault yet, so the choice of creating one or the demo.
    let demo = driver.wait("[data-testid=open-demo]", Duration::from_secs(30));
    driver.find("[data-testid=create-passphrase]");
    shot(&shots, "01-first-run");
    driver.click(&demo);

    // The demo workspace syncs from the embedded simulator, then the dashboard.
    driver.wait("[data-testid=metric-total]", Duration::from_secs(180));
    std::thread::sleep(Duration::from_millis(500));
    let before = core_figures(&demo_dir);
    let shown = figures(&driver);
    let after = core_figures(&demo_dir);
    assert!(shown[0] > 0, "the demo dashboard shows no events");
    // The range ends at "now": an event may cross its edge between reads.
    assert!(
        shown == before || shown == after,
        "dashboard {shown:?} differs from the core's {before:?} / {after:?}"
    );
    shot(&shots, "02-dashboard");

    // Without a GPU the app's own process paints nothing with GL, so it
    // must not have loaded Mesa's software driver (~49 MiB resident).
    if !has_render_node() {
        let pid = app_pid(driver_process.0.id(), &app);
        let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap();
        for driver_library in ["swrast_dri", "libLLVM", "libgallium"] {
            assert!(
                !maps.contains(driver_library),
                "the app process loaded {driver_library} on a machine without a render node"
            );
        }
    }

    // The CSP holds: an inline style attribute is refused, and nothing the
    // page loaded came from outside the app (its assets and the IPC).
    let inline = driver.script(
        "const d = document.createElement('div'); d.innerHTML = '<p style=\"color: rgb(1, 2, 3)\">x</p>'; \
         document.body.appendChild(d); const c = getComputedStyle(d.firstChild).color; d.remove(); return c;",
    );
    assert_ne!(
        inline.as_str(),
        Some("rgb(1, 2, 3)"),
        "inline styles are not blocked"
    );
    let origins = driver.script(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).origin).concat([location.origin]);",
    );
    for origin in origins.as_array().unwrap() {
        let origin = origin.as_str().unwrap_or("");
        assert!(
            origin.starts_with("tauri://")
                || origin.starts_with("http://tauri.localhost")
                || origin.starts_with("ipc://")
                || origin.starts_with("http://ipc.localhost")
                || origin == "null",
            "a resource from {origin}"
        );
    }

    // Events: a query, its total equal to the core's count.
    driver.click(&driver.find("[data-testid=nav-events]"));
    let input = driver.find("[data-testid=query-input]");
    let query = "category:permission severity>=warning";
    driver.clear(&input);
    driver.type_into(&input, &format!("{query}\u{E007}"));
    let expected = {
        let vault = Vault::open(&demo_dir, DEMO_PASSPHRASE).unwrap();
        auditdesk_core::search::count(vault.conn(), &auditdesk_core::search::parse(query).unwrap())
            .unwrap()
    };
    assert!(expected > 0);
    driver.until("the result total", Duration::from_secs(20), || {
        driver
            .all("[data-testid=results-total]")
            .first()
            .map(|e| driver.property(e, "textContent"))
            .is_some_and(|text| text.trim() == expected.to_string())
    });
    shot(&shots, "03-events");

    // A bad query says where it is wrong.
    driver.clear(&input);
    driver.type_into(&input, "severity>=nonsense\u{E007}");
    let error = driver.wait("[data-testid=query-error]", Duration::from_secs(10));
    assert!(
        driver.text(&error).to_lowercase().contains("severity"),
        "{}",
        driver.text(&error)
    );
    shot(&shots, "04-query-error");
    driver.clear(&input);
    driver.type_into(&input, &format!("{query}\u{E007}"));
    driver.until("the rows", Duration::from_secs(20), || {
        driver.all("[data-testid=query-error]").is_empty()
            && !driver.all("[data-testid=event-row]").is_empty()
    });

    // Expand the first event, bookmark it with a note.
    let row = driver.find("[data-testid=event-row]");
    let event_id = driver.attribute(&row, "data-event-id").unwrap();
    driver.click(&row);
    driver.wait("[data-testid=event-detail]", Duration::from_secs(10));
    shot(&shots, "05-event-detail");
    driver.click(&driver.find("[data-testid=bookmark-toggle]"));
    let note = driver.find("[data-testid=bookmark-note]");
    driver.type_into(&note, "e2e: check who approved this change");
    driver.click(&driver.find("[data-testid=bookmark-save]"));
    driver.until("the bookmark in the vault", Duration::from_secs(10), || {
        let vault = Vault::open(&demo_dir, DEMO_PASSPHRASE).unwrap();
        auditdesk_core::bookmarks::list(vault.conn(), None)
            .unwrap()
            .iter()
            .any(|b| b.event_id == event_id && b.note == "e2e: check who approved this change")
    });
    shot(&shots, "06-bookmarked");

    // Keyboard: j moves the selection, Enter expands, ? lists the shortcuts.
    driver.script("document.activeElement && document.activeElement.blur(); return null");
    driver.keys("j");
    driver.until("j to select the second row", Duration::from_secs(5), || {
        driver
            .all("[data-testid=event-row]")
            .get(1)
            .and_then(|r| driver.attribute(r, "aria-selected"))
            .as_deref()
            == Some("true")
    });
    driver.keys("\u{E007}");
    driver.until(
        "Enter to expand the second row",
        Duration::from_secs(5),
        || {
            driver
                .all("[data-testid=event-row]")
                .get(1)
                .and_then(|r| driver.attribute(r, "aria-expanded"))
                .as_deref()
                == Some("true")
        },
    );
    driver.keys("?");
    driver.wait("[data-testid=shortcuts]", Duration::from_secs(5));
    shot(&shots, "06b-shortcuts");
    driver.keys("\u{E00C}");

    // Investigations lists it.
    driver.click(&driver.find("[data-testid=nav-investigations]"));
    driver.until("the bookmark listed", Duration::from_secs(10), || {
        driver
            .page_text()
            .contains("e2e: check who approved this change")
    });
    shot(&shots, "07-investigations");

    // Reports: generate a PCI DSS report of the last 30 days.
    driver.click(&driver.find("[data-testid=nav-reports]"));
    driver.wait("[data-testid=report-generate]", Duration::from_secs(10));
    shot(&shots, "08-reports");
    driver.click(&driver.find("[data-testid=report-generate]"));
    driver.until("a completed report", Duration::from_secs(240), || {
        driver
            .all("[data-testid=report-row]")
            .iter()
            .any(|r| driver.attribute(r, "data-status").as_deref() == Some("completed"))
    });
    shot(&shots, "09-report-done");

    // Download through the (native GTK) save dialog, typed into like a user.
    let pdf = home.path().join("report.pdf");
    driver.click(&driver.find("[data-testid=report-download]"));
    std::thread::sleep(Duration::from_secs(2));
    shot(&shots, "10-save-dialog");
    // The dialog preselects the name without ".pdf": replace all of it.
    xdotool(&["key", "ctrl+a"]);
    xdotool(&["type", "--delay", "30", pdf.to_str().unwrap()]);
    xdotool(&["key", "Return"]);
    let start = Instant::now();
    while !pdf.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the PDF was not saved at {pdf:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_millis(500));
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let vault = Vault::open(&demo_dir, DEMO_PASSPHRASE).unwrap();
    let verified = auditdesk_core::report::verify(vault.conn(), &bytes).unwrap();
    assert_eq!(verified.recorded, verified.recomputed);
    drop(vault);

    // The other screens, for the record.
    driver.click(&driver.find("[data-testid=nav-sources]"));
    driver.until("the demo source", Duration::from_secs(10), || {
        driver.page_text().contains("demo")
    });
    shot(&shots, "11-sources");
    driver.click(&driver.find("[data-testid=nav-settings]"));
    std::thread::sleep(Duration::from_millis(500));
    shot(&shots, "12-settings");
    driver.script("document.documentElement.dataset.theme = 'dark'");
    driver.click(&driver.find("[data-testid=nav-dashboard]"));
    driver.wait("[data-testid=metric-total]", Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(500));
    shot(&shots, "13-dashboard-dark");
    drop(driver);
    drop(driver_process);
}
