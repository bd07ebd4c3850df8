//! Compliance reports (DESIGN §7): SOX, GDPR, HIPAA, ISO 27001, PCI DSS and
//! custom reports over a period and an optional scope query. `framework`
//! holds the frameworks' control tables, `content`
//! gathers what a report says from the vault (the control mapping is the
//! reviewable table `frameworks.json`), `render` lays it out as a
//! deterministic PDF (the same inputs, including the `--as-of` generation
//! time, give the same bytes), `evidence` computes the Merkle manifest a
//! report prints, `store` keeps reports and their PDFs in the vault, and
//! `run` drives the lifecycle and `report verify`.

mod attach;
mod content;
mod evidence;
mod framework;
mod merkle;
mod pass;
pub mod pdf;
mod period;
mod render;
mod run;
mod store;

use std::path::Path;

pub use content::{Content, ControlResult, Finding};
pub use evidence::{Manifest, manifest};
pub use framework::{Control, ControlKind, Framework, ReportType, framework};
pub use period::Period;
pub use run::{Generated, Progress, Request, Verification, generate, verify};
pub use store::{StoredReport, delete, get, list, pdf as stored_pdf};

use crate::error::{Error, Result};

/// Saves a copy of a report's PDF (through a partial file renamed into
/// place, like every export).
pub fn save_pdf(pdf: &[u8], out: &Path) -> Result<()> {
    crate::export::write_atomically(out, |partial| {
        std::fs::write(partial, pdf).map_err(Error::io(partial))?;
        Ok(pdf.len() as u64)
    })?;
    Ok(())
}
