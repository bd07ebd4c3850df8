//! How WebKitGTK paints when the machine has no GPU.
//!
//! Without a DRM render node, Mesa can only rasterise on the CPU
//! (llvmpipe). WebKit's accelerated compositing then runs its GL path on
//! the CPU too: it costs the web process ~90 MiB and start-up time, and
//! buys nothing for pages like ours (text, tables, SVG; no WebGL, no
//! canvas). On such machines (VMs, remote desktops, CI under Xvfb) the app
//! asks WebKit for its non-composited 2D path instead, which is also the
//! usual fix for WebKit's "Could not create default EGL display" abort on
//! machines whose EGL is broken.
//!
//! On that path the app's own process draws nothing with GL, yet three
//! things would open a GL display in it and so load Mesa's software driver
//! (`swrast_dri` and `libLLVM`, ~49 MiB resident, never used after): GTK
//! picking GL-capable visuals when it opens the X display; WebKit asking EGL
//! which DRM device to hand the web process; and Debian's WebKit checking,
//! with a GL context of its own, whether the GPU is NVIDIA's before it
//! offers DMA-BUF (`disable-nvidia-dmabuf.patch`). The variables below
//! answer those up front. Checked against WebKitGTK 2.50.6 as Debian 12
//! ships it (`DRMMainDevice.cpp`, `AcceleratedBackingStore.cpp`) and GTK
//! 3.24. The web process still opens its own EGL display, as before.
//!
//! A user's `WEBKIT_DISABLE_COMPOSITING_MODE=0` (compositing kept) turns
//! all of this off; any of these variables the user set is left as it is.

use std::ffi::{OsStr, OsString};
use std::path::Path;

const COMPOSITING_ENV: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// What the app sets for the 2D path, each only when the user has not.
const SOFTWARE_PATH: [(&str, &str); 4] = [
    (COMPOSITING_ENV, "1"),
    // GTK would otherwise open GLX to pick GL-capable visuals; nothing in
    // this process draws with GL once compositing is off.
    ("GDK_GL", "disable"),
    // The DMA-BUF renderer only carries composited frames; disabling it
    // also skips the NVIDIA check and its GL context.
    ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
    // The variable cannot say "no device", so it names a node that cannot
    // exist. WebKit looks its primary node up through libdrm, finds none,
    // and so treats the device as absent, as EGL would have told it here;
    // nothing opens the path.
    ("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/dri/none"),
];

/// The variables to set on this machine: the software path's, minus those
/// the user set, when `dri` has no render node and the user has not kept
/// compositing on (WebKit reads any value but `0` as "off"); otherwise
/// none. `user` reads the environment.
pub fn software_path_env(
    dri: &Path,
    user: impl Fn(&str) -> Option<OsString>,
) -> Vec<(&'static str, &'static str)> {
    if user(COMPOSITING_ENV).as_deref() == Some(OsStr::new("0")) || has_render_node(dri) {
        return Vec::new();
    }
    SOFTWARE_PATH
        .into_iter()
        .filter(|(name, _)| user(name).is_none())
        .collect()
}

fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Sets WebKit's and GTK's rendering choices for this process and the
/// WebKit processes it starts.
///
/// # Safety
/// It changes the environment: call it while the process has one thread
/// only, first thing in `main`.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
pub unsafe fn choose_for_this_machine() {
    // Everything is read before anything is set.
    for (name, value) in software_path_env(Path::new("/dev/dri"), |n| std::env::var_os(n)) {
        // SAFETY: the caller guarantees no other thread exists, so nothing
        // reads the environment while it changes.
        unsafe { std::env::set_var(name, value) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(set: &[(&str, &str)]) -> Vec<String> {
        set.iter().map(|(n, _)| n.to_string()).collect()
    }

    #[test]
    fn the_software_path_is_taken_only_without_a_render_node_and_without_a_user_choice() {
        let dir = tempfile::tempdir().unwrap();
        let dri = dir.path().join("dri");
        let nobody = |_: &str| None;
        let all = names(&SOFTWARE_PATH);
        // No /dev/dri at all, as in a container.
        assert_eq!(names(&software_path_env(&dri, nobody)), all);
        std::fs::create_dir(&dri).unwrap();
        std::fs::write(dri.join("card0"), b"").unwrap();
        // A display card but no render node: still no GPU to render with.
        assert_eq!(names(&software_path_env(&dri, nobody)), all);
        std::fs::write(dri.join("renderD128"), b"").unwrap();
        assert!(software_path_env(&dri, nobody).is_empty());
        std::fs::remove_file(dri.join("renderD128")).unwrap();

        // The user keeping compositing on turns all of it off.
        let keeps = |n: &str| (n == COMPOSITING_ENV).then(|| OsString::from("0"));
        assert!(software_path_env(&dri, keeps).is_empty());
        // The user turning it off (the usual advice) gets the rest.
        let off = |n: &str| (n == COMPOSITING_ENV).then(|| OsString::from("1"));
        let set = software_path_env(&dri, off);
        assert_eq!(names(&set), all[1..]);
        // Any other variable the user set is left as it is.
        let gl = |n: &str| (n == "GDK_GL").then(|| OsString::from("always"));
        let set = software_path_env(&dri, gl);
        assert!(set.iter().all(|(n, _)| *n != "GDK_GL"));
        assert_eq!(set.len(), SOFTWARE_PATH.len() - 1);
        assert!(set.contains(&(COMPOSITING_ENV, "1")));
        assert!(set.contains(&("WEBKIT_DISABLE_DMABUF_RENDERER", "1")));
    }
}
