//! Where a passphrase comes from: `--passphrase-file`, `AUDITDESK_PASSPHRASE`,
//! or a prompt when standard input is a terminal. Nothing else; in a script
//! with none of these the vault stays locked (exit 3).

use std::io::IsTerminal;
use std::path::Path;

use auditdesk_core::Error;
use zeroize::Zeroizing;

pub const ENV: &str = "AUDITDESK_PASSPHRASE";
pub const NEW_ENV: &str = "AUDITDESK_NEW_PASSPHRASE";

pub type Secret = Zeroizing<String>;

fn read_file(path: &Path) -> Result<Secret, Error> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?);
    // The file's last newline is not part of the passphrase.
    let trimmed = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(&text);
    Ok(Zeroizing::new(trimmed.to_string()))
}

fn prompt(label: &str) -> Result<Secret, Error> {
    rpassword::prompt_password(label)
        .map(Zeroizing::new)
        .map_err(|e| Error::Locked(format!("cannot read a passphrase from the terminal: {e}")))
}

/// The passphrase given without asking, if any: a file named on the
/// command line wins over the environment, being the more explicit choice.
pub fn given(env: &str, file: Option<&Path>) -> Result<Option<Secret>, Error> {
    if let Some(file) = file {
        return read_file(file).map(Some);
    }
    Ok(std::env::var(env).ok().map(Zeroizing::new))
}

pub fn can_prompt() -> bool {
    std::io::stdin().is_terminal()
}

/// An existing vault's passphrase.
pub fn existing(file: Option<&Path>, vault: &Path) -> Result<Secret, Error> {
    if let Some(secret) = given(ENV, file)? {
        return Ok(secret);
    }
    if can_prompt() {
        return prompt(&format!("Passphrase for {}: ", vault.display()));
    }
    Err(Error::Locked(format!(
        "no passphrase given: set {ENV}, use --passphrase-file, or run on a terminal"
    )))
}

/// A new passphrase, asked twice on a terminal.
pub fn new(env: &str, file: Option<&Path>, what: &str) -> Result<Secret, Error> {
    if let Some(secret) = given(env, file)? {
        return Ok(secret);
    }
    if !can_prompt() {
        return Err(Error::Invalid(format!(
            "no {} given: set {env}, pass it in a file, or run on a terminal",
            what.to_lowercase()
        )));
    }
    let first = prompt(&format!("{what}: "))?;
    let second = prompt(&format!("{what} again: "))?;
    if first != second {
        return Err(Error::Invalid("the two passphrases differ".into()));
    }
    Ok(first)
}
