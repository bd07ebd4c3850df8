//! File import (DESIGN §2.2): NDJSON, JSON arrays (or a Redox envelope) and
//! CSV in the portal export shapes. A file is one transaction: the first bad
//! record fails the whole import with its line and field, and the vault is
//! left exactly as it was. Re-importing a file adds nothing.

mod readers;
mod record;
pub mod time;

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};

use rusqlite::TransactionBehavior;
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use record::{Record, normalize_header};
pub use time::parse_timestamp;

use crate::domain::Classifier;
use crate::error::{Error, Result};
use crate::events::{EventWriter, PreparedEvent, Upsert};
use crate::sources::{self, DEFAULT_IMPORT_SOURCE};
use crate::vault::Vault;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Ndjson,
    Json,
    Csv,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text.to_ascii_lowercase().as_str() {
            "ndjson" | "jsonl" | "jsonlines" => Some(Format::Ndjson),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Ndjson => "ndjson",
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }
}

/// Why an import failed, and where: file, line (1-based, where the record
/// starts), and the field as the file names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct ImportError {
    pub file: String,
    pub line: Option<u64>,
    pub field: Option<String>,
    pub message: String,
}

impl ImportError {
    pub fn at(file: &str, line: u64, field: Option<String>, message: impl Into<String>) -> Self {
        ImportError {
            file: file.to_string(),
            line: Some(line),
            field,
            message: message.into(),
        }
    }

    pub fn whole_file(file: &str, message: impl Into<String>) -> Self {
        ImportError {
            file: file.to_string(),
            line: None,
            field: None,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ": line {line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field {field:?}")?;
        }
        write!(f, ": {}; nothing was imported", self.message)
    }
}

/// A problem inside one record, before the reader adds the line.
#[derive(Debug, Clone)]
pub struct RecordError {
    pub field: String,
    pub message: String,
}

impl RecordError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        RecordError {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub format: Option<Format>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImportSummary {
    pub file: String,
    pub format: Format,
    pub source: String,
    pub records: u64,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub sha256: String,
}

/// Records go from the parsing thread to the writing thread this many at a
/// time: one channel operation (and at most one wake-up) per batch rather
/// than per record.
const PIPELINE_BATCH: usize = 256;
/// Batches in flight between the two threads.
const PIPELINE_DEPTH: usize = 8;

/// Hashes the file as it is read, so the summary names exactly what was imported.
/// It also counts the bytes read, for progress.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// How far an import has got. Reported every `PROGRESS_EVERY` records and
/// once at the end, from the thread that writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportProgress {
    pub records: u64,
    pub bytes_read: u64,
    pub bytes_total: u64,
}

const PROGRESS_EVERY: u64 = 10_000;

pub fn import_file(
    vault: &mut Vault,
    path: &Path,
    options: &ImportOptions,
) -> Result<ImportSummary> {
    import_file_with_progress(vault, path, options, &mut |_| {})
}

/// `import_file`, calling `progress` as records are written.
pub fn import_file_with_progress(
    vault: &mut Vault,
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportSummary> {
    let display = path.display().to_string();
    let file = File::open(path).map_err(Error::io(path))?;
    let bytes_total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bytes_read = Arc::new(AtomicU64::new(0));
    let mut reader = BufReader::with_capacity(
        1 << 20,
        HashingReader {
            inner: file,
            hasher: Sha256::new(),
            read: Arc::clone(&bytes_read),
        },
    );
    let format = match options.format {
        Some(f) => f,
        None => detect_format(path, &mut reader).map_err(Error::io(path))?,
    };
    let mut report = |records: u64| {
        progress(ImportProgress {
            records,
            bytes_read: bytes_read.load(Ordering::Relaxed).min(bytes_total),
            bytes_total,
        })
    };
    // One file is one transaction, often a large one: the bulk-load journal.
    vault.with_rollback_journal(|vault| {
        import_in_transaction(vault, path, &display, reader, format, options, &mut report)
    })
}

fn import_in_transaction(
    vault: &mut Vault,
    path: &Path,
    display: &str,
    reader: BufReader<HashingReader<File>>,
    format: Format,
    options: &ImportOptions,
    report: &mut dyn FnMut(u64),
) -> Result<ImportSummary> {
    let display = display.to_string();
    let source_name = options
        .source
        .clone()
        .unwrap_or_else(|| DEFAULT_IMPORT_SOURCE.to_string());
    let started = chrono::Utc::now().timestamp_millis();
    let classifier = Classifier::builtin();
    let tx = vault
        .conn_mut()
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    let new_source = sources::find(&tx, &source_name)?.is_none();
    let source = sources::find_or_create_file_source(&tx, &source_name)?;
    let mut summary = ImportSummary {
        file: display.clone(),
        format,
        source: source.name.clone(),
        records: 0,
        new: 0,
        updated: 0,
        unchanged: 0,
        sha256: String::new(),
    };
    // Two threads: this one writes to the database while a producer reads,
    // parses, classifies and hashes the next records. The first error on
    // either side ends both, and the transaction is then rolled back.
    let mut writer = EventWriter::new(&tx, source.id, &source.name)?;
    if new_source {
        writer = writer.for_new_source();
    }
    let (sender, receiver) =
        mpsc::sync_channel::<Result<Vec<(u64, PreparedEvent)>>>(PIPELINE_DEPTH);
    let reader = std::thread::scope(|scope| -> Result<_> {
        let producer = scope.spawn(|| {
            let mut reader = reader;
            let mut seen: HashMap<[u8; 32], u32> = HashMap::new();
            let mut batch = Vec::with_capacity(PIPELINE_BATCH);
            let mut handle = |record: Record| -> Result<()> {
                let line = record.line;
                let event = record
                    .to_event()
                    .map_err(|e| ImportError::from((line, display.as_str(), e)))?;
                let id = match &event.event_id {
                    Some(id) => id.clone(),
                    None => content_id(&event.body.raw, &mut seen),
                };
                let prepared = PreparedEvent::new(&source.name, classifier.normalize(event, id));
                batch.push((line, prepared));
                if batch.len() < PIPELINE_BATCH {
                    return Ok(());
                }
                let full = std::mem::replace(&mut batch, Vec::with_capacity(PIPELINE_BATCH));
                // A closed channel means the writer failed; it reports why.
                sender
                    .send(Ok(full))
                    .map_err(|_| Error::Invalid("import stopped".into()))
            };
            let read = match format {
                Format::Ndjson => readers::read_ndjson(&mut reader, &display, &mut handle),
                Format::Json => readers::read_json(&mut reader, &display, &mut handle),
                Format::Csv => readers::read_csv(&mut reader, &display, &mut handle),
            };
            // What was read before an error is written first, so the
            // error stays the first one the writer reports.
            let _ = sender.send(Ok(batch));
            if let Err(e) = read {
                let _ = sender.send(Err(e));
            }
            drop(sender);
            reader
        });
        for batch in receiver {
            for (line, prepared) in batch? {
                // A record the writer refuses (say, too many events in one
                // millisecond) is reported at its line like any other bad record.
                let upserted = writer.upsert(prepared).map_err(|e| match e {
                    Error::Invalid(message) => {
                        ImportError::at(&display, line, None, message).into()
                    }
                    other => other,
                })?;
                match upserted {
                    Upsert::New => summary.new += 1,
                    Upsert::Updated => summary.updated += 1,
                    Upsert::Unchanged => summary.unchanged += 1,
                }
                summary.records += 1;
                if summary.records.is_multiple_of(PROGRESS_EVERY) {
                    report(summary.records);
                }
            }
        }
        producer
            .join()
            .map_err(|_| Error::Invalid("the import reader thread panicked".into()))
    })?;
    writer.finish()?;
    report(summary.records);
    let mut reader = reader;
    // Drain whatever the parser did not need so the hash covers the file.
    std::io::copy(&mut reader, &mut std::io::sink()).map_err(Error::io(path))?;
    summary.sha256 = hex::encode(reader.into_inner().hasher.finalize());
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    tx.execute(
        "INSERT INTO imports (source_id, file_name, file_sha256, format, started_at, finished_at,
            records, new, updated, unchanged)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        rusqlite::params![
            source.id,
            file_name,
            summary.sha256,
            format.as_str(),
            started,
            chrono::Utc::now().timestamp_millis(),
            summary.records as i64,
            summary.new as i64,
            summary.updated as i64,
            summary.unchanged as i64,
        ],
    )?;
    tx.commit()?;
    Ok(summary)
}

/// A stable id for a record that has none: the hash of its raw content,
/// plus the occurrence number for identical rows within one file, so two
/// genuinely identical rows stay two events and a re-import maps each back
/// to the same id.
fn content_id(raw: &serde_json::Value, seen: &mut HashMap<[u8; 32], u32>) -> String {
    let canonical = crate::integrity::canonical_string(raw);
    let digest: [u8; 32] = Sha256::digest(canonical.as_bytes()).into();
    let count = seen.entry(digest).or_insert(0);
    *count += 1;
    let mut hasher = Sha256::new();
    hasher.update(digest);
    if *count > 1 {
        hasher.update(count.to_be_bytes());
    }
    let id: [u8; 32] = hasher.finalize().into();
    format!("imp-{}", hex::encode(&id[..16]))
}

/// By extension first; otherwise by the first significant byte.
fn detect_format<R: BufRead>(path: &Path, reader: &mut R) -> std::io::Result<Format> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if let Some(f) = Format::parse(&ext) {
        return Ok(f);
    }
    let buf = reader.fill_buf()?;
    let text = buf
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(buf)
        .trim_ascii_start();
    Ok(match text.first() {
        Some(b'[') => Format::Json,
        Some(b'{') if readers::first_line_is_json(text) => Format::Ndjson,
        Some(b'{') => Format::Json,
        _ => Format::Csv,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_reported_in_order_and_ends_at_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("e.ndjson");
        let mut text = String::new();
        for i in 0..25_000 {
            text.push_str(&format!(
                "{{\"id\":\"p{i}\",\"createdAt\":\"2026-01-01T00:00:{:02}.{:03}Z\",\"type\":\"log-search\"}}\n",
                i % 60,
                i % 1000
            ));
        }
        std::fs::write(&file, &text).unwrap();
        let mut vault = Vault::init(&dir.path().join("v"), "progress passphrase").unwrap();
        let mut seen = Vec::new();
        let summary =
            import_file_with_progress(&mut vault, &file, &ImportOptions::default(), &mut |p| {
                seen.push(p)
            })
            .unwrap();
        assert_eq!(summary.new, 25_000);
        let records: Vec<u64> = seen.iter().map(|p| p.records).collect();
        assert_eq!(records, [10_000, 20_000, 25_000]);
        let last = seen.last().unwrap();
        assert_eq!(last.bytes_total, text.len() as u64);
        assert_eq!(last.bytes_read, last.bytes_total);
    }
}
