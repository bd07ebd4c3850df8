// Pure logic for the session: when the demo opens by itself, and what the
// Unlock screen says when the idle timer locked the vault.
import type { AppStatus } from "../bindings/AppStatus";

/**
 * The app was launched with `--demo` (as `make run` does) and no vault is
 * open: the Unlock screen opens the demo workspace by itself.
 */
export function opensDemoAtStart(status: Pick<AppStatus, "open_demo_at_start" | "unlocked"> | null): boolean {
  return !!status && status.open_demo_at_start && !status.unlocked;
}

/** Shown on the Unlock screen after the `vault-locked` event. */
export const IDLE_LOCK_NOTICE =
  "The vault was locked after a period of inactivity (Settings → Auto-lock). Unlock it to continue.";
