//! Giving freed memory back to the system.
//!
//! Commands run on a pool of threads, and glibc gives each thread that
//! allocates its own arena. What a command frees there (query results,
//! SQLite's scratch, serialised replies) stays mapped to the app after it
//! returns: ~13 MiB after unlocking and painting the dashboard, measured
//! with `malloc_trim` from a debugger (BENCHMARKS.md). The idle watch calls
//! this once the UI has gone quiet after some work.

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
