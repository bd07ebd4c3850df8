// The first-run passphrase check: at least 12 characters, confirmed.

export const MIN_PASSPHRASE = 12;

export function passphraseHint(pass: string, confirm: string): { ok: boolean; message: string } {
  const n = Array.from(pass).length;
  if (n === 0) return { ok: false, message: `Use at least ${MIN_PASSPHRASE} characters; a few unrelated words work well.` };
  if (n < MIN_PASSPHRASE)
    return { ok: false, message: `${MIN_PASSPHRASE - n} more character${MIN_PASSPHRASE - n === 1 ? "" : "s"} needed (at least ${MIN_PASSPHRASE}).` };
  if (pass.trim().length === 0) return { ok: false, message: "The passphrase cannot be only spaces." };
  if (confirm.length === 0) return { ok: false, message: "Long enough. Type it again to confirm." };
  if (confirm !== pass) return { ok: false, message: "The two passphrases differ." };
  return { ok: true, message: n >= 20 ? "Strong: long and confirmed." : "Good: long enough and confirmed." };
}
