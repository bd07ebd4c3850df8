//! A case handed over as a folder: `case.json` (the case, its bookmarks and
//! notes, each event with its raw source JSON and status history),
//! `events.csv` (the events in the export columns, plus the note), and
//! `MANIFEST.sha256` (`sha256sum -c` format) naming every other file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{COLUMNS, cells, hit, sha256_file};
use crate::activity::{self, Action};
use crate::cases::{self, Case};
use crate::error::{Error, Result};
use crate::events;

pub const MANIFEST: &str = "MANIFEST.sha256";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FileHash {
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseBundle {
    pub dir: PathBuf,
    pub case: String,
    pub events: u64,
    pub files: Vec<FileHash>,
}

#[derive(Serialize)]
struct CaseFile<'a> {
    case: &'a Case,
    bookmarks: Vec<BookmarkEntry<'a>>,
}

#[derive(Serialize)]
struct BookmarkEntry<'a> {
    #[serde(flatten)]
    bookmark: &'a crate::bookmarks::Bookmark,
    event: &'a events::EventDetail,
}

/// Writes the bundle into `dir`, which must not exist yet (or be empty).
pub fn export_case(conn: &rusqlite::Connection, name: &str, dir: &Path) -> Result<CaseBundle> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(Error::io(dir))?
            .next()
            .is_some()
    {
        return Err(Error::Invalid(format!(
            "{} is not empty; a case bundle needs a new folder",
            dir.display()
        )));
    }
    let timeline = cases::timeline(conn, name)?;
    let details = timeline
        .timeline
        .iter()
        .map(|b| events::find(conn, &b.event_id, Some(&b.source)))
        .collect::<Result<Vec<_>>>()?;
    let mut partial = dir.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial).map_err(Error::io(&partial))?;
    let written = (|| -> Result<Vec<FileHash>> {
        let case_json = partial.join("case.json");
        let body = CaseFile {
            case: &timeline.case,
            bookmarks: timeline
                .timeline
                .iter()
                .zip(&details)
                .map(|(bookmark, event)| BookmarkEntry { bookmark, event })
                .collect(),
        };
        let text = serde_json::to_string_pretty(&body)
            .map_err(|e| Error::Invalid(format!("case.json: {e}")))?;
        std::fs::write(&case_json, text + "\n").map_err(Error::io(&case_json))?;

        let csv_path = partial.join("events.csv");
        let file = std::fs::File::create(&csv_path).map_err(Error::io(&csv_path))?;
        let mut w = csv::Writer::from_writer(file);
        let csv_err = |e: csv::Error| Error::Invalid(format!("events.csv: {e}"));
        let mut header: Vec<&str> = COLUMNS.to_vec();
        header.push("note");
        w.write_record(&header).map_err(csv_err)?;
        for (bookmark, detail) in timeline.timeline.iter().zip(&details) {
            let mut row = cells(&hit(detail.event.clone(), false)).to_vec();
            row.push(bookmark.note.clone());
            w.write_record(&row).map_err(csv_err)?;
        }
        w.flush().map_err(Error::io(&csv_path))?;

        let mut files = Vec::new();
        for name in ["case.json", "events.csv"] {
            let path = partial.join(name);
            files.push(FileHash {
                name: name.to_string(),
                sha256: sha256_file(&path)?,
                bytes: std::fs::metadata(&path).map_err(Error::io(&path))?.len(),
            });
        }
        let manifest = partial.join(MANIFEST);
        let mut m = std::fs::File::create(&manifest).map_err(Error::io(&manifest))?;
        for f in &files {
            writeln!(m, "{}  {}", f.sha256, f.name).map_err(Error::io(&manifest))?;
        }
        m.sync_all().map_err(Error::io(&manifest))?;
        Ok(files)
    })();
    let files = match written {
        Ok(files) => files,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&partial);
            return Err(e);
        }
    };
    if dir.exists() {
        std::fs::remove_dir(dir).map_err(Error::io(dir))?;
    }
    std::fs::rename(&partial, dir).map_err(Error::io(dir))?;
    activity::record(
        conn,
        Action::CaseExport,
        name,
        serde_json::json!({"dir": dir.display().to_string(), "events": details.len(), "files": files}),
    )?;
    Ok(CaseBundle {
        dir: dir.to_path_buf(),
        case: timeline.case.name,
        events: details.len() as u64,
        files,
    })
}
