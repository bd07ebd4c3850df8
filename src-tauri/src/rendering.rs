//! How WebKitGTK paints when the machine has no GPU.
//!
//! Without a DRM render node, Mesa can only rasterise on the CPU
//! (llvmpipe). WebKit's accelerated compositing then runs its GL path on
//! the CPU too: it costs the web process ~90 MiB and start-up time, and
//! buys nothing for pages like ours (text, tables, SVG; no WebGL, no
//! canvas). On such machines (VMs, remote desktops, CI under Xvfb) the app
//! asks WebKit for its non-composited 2D path instead, which is also the
//! usual fix for WebKit's "Could not create default EGL display" abort on
//! machines whose EGL is broken. A user's own `WEBKIT_DISABLE_COMPOSITING_MODE`
//! (`0` keeps compositing) always wins.

use std::path::Path;

const COMPOSITING_ENV: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Whether the app should turn WebKit's compositing off: no render node
/// in `dri` and no choice of the user's in the environment.
pub fn wants_2d(dri: &Path, user_choice: Option<&std::ffi::OsStr>) -> bool {
    user_choice.is_none() && !has_render_node(dri)
}

fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Sets WebKit's compositing choice for this process and the WebKit
/// processes it starts.
///
/// # Safety
/// It changes the environment: call it while the process has one thread
/// only, first thing in `main`.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
pub unsafe fn choose_for_this_machine() {
    let user_choice = std::env::var_os(COMPOSITING_ENV);
    if wants_2d(Path::new("/dev/dri"), user_choice.as_deref()) {
        // SAFETY: the caller guarantees no other thread exists, so nothing
        // reads the environment while it changes.
        unsafe { std::env::set_var(COMPOSITING_ENV, "1") };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compositing_goes_off_only_without_a_render_node_and_without_a_user_choice() {
        let dir = tempfile::tempdir().unwrap();
        let dri = dir.path().join("dri");
        // No /dev/dri at all, as in a container.
        assert!(wants_2d(&dri, None));
        std::fs::create_dir(&dri).unwrap();
        std::fs::write(dri.join("card0"), b"").unwrap();
        // A display card but no render node: still no GPU to render with.
        assert!(wants_2d(&dri, None));
        std::fs::write(dri.join("renderD128"), b"").unwrap();
        assert!(!wants_2d(&dri, None));
        std::fs::remove_file(dri.join("renderD128")).unwrap();
        assert!(!wants_2d(&dri, Some(std::ffi::OsStr::new("0"))));
    }
}
