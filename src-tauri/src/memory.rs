//! Giving freed memory back to the system.
//!
//! Commands run on a pool of threads, which glibc spreads over several
//! malloc arenas (up to 8 per core). What a command frees in them (query
//! results, SQLite's scratch, serialised replies) stays mapped to the app
//! after it returns, since only the main arena's top is trimmed on its own:
//! ~13 MiB after unlocking and painting the dashboard, measured by calling
//! `malloc_trim` from a debugger (BENCHMARKS.md, "Desktop app"). The idle
//! watch calls this once the UI has gone quiet after some work.

/// Returns free pages of every malloc arena to the system.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn return_freed() {
    // SAFETY: malloc_trim only walks glibc's own arenas under their locks;
    // it takes no pointers of ours and is safe to call from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other allocators return memory on their own terms.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn return_freed() {}
