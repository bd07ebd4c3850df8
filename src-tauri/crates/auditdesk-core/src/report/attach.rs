//! Files embedded in a report PDF (the `/EmbeddedFiles` name tree, which PDF
//! readers list as attachments): a section that would be unreasonably long
//! to print is summarised and its full listing is attached, with the row
//! count and SHA-256 printed. printpdf cannot embed files, so the finished
//! PDF is reopened with lopdf (printpdf's own PDF writer) and saved again;
//! both are deterministic, so reports stay reproducible.

use std::io::Write as _;

use lopdf::{Dictionary, Object, Stream};

use crate::error::{Error, Result};

/// A CSV listing built row by row. A listing can hold most of a quarter's
/// events (hundreds of MiB of CSV), so it is compressed as it grows, and on
/// a second thread: the caller reads the vault while the CSV is hashed
/// (uncompressed, which is what a reader extracts) and deflated.
pub struct Listing {
    pub name: String,
    pub rows: u64,
    writer: csv::Writer<Chunks>,
    worker: std::thread::JoinHandle<Result<(String, u64, Vec<u8>)>>,
}

/// CSV bytes gathered into chunks for the worker.
struct Chunks {
    buf: Vec<u8>,
    tx: std::sync::mpsc::SyncSender<Vec<u8>>,
}

const CHUNK: usize = 256 * 1024;

impl std::io::Write for Chunks {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Chunks {
    fn send(&mut self) -> std::io::Result<()> {
        let full = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK + 1024));
        self.tx
            .send(full)
            .map_err(|_| std::io::Error::other("the listing's compressor stopped"))
    }
}

/// A finished listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub rows: u64,
    pub sha256: String,
    pub bytes: u64,
    /// zlib (FlateDecode) data of the CSV.
    compressed: Vec<u8>,
}

fn csv_err(e: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("report attachment: {e}"))
}

impl Listing {
    pub fn new(name: &str, header: &[&str]) -> Result<Listing> {
        // A few chunks in flight: enough to keep both threads busy, bounded
        // so a slow compressor holds back the reader instead of memory.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
        let worker = std::thread::spawn(move || -> Result<(String, u64, Vec<u8>)> {
            let mut hasher = sha2::Sha256::default();
            let mut encoder =
                flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            for chunk in rx {
                sha2::Digest::update(&mut hasher, &chunk);
                encoder.write_all(&chunk).map_err(csv_err)?;
            }
            let total = encoder.total_in();
            let compressed = encoder.finish().map_err(csv_err)?;
            Ok((
                hex::encode(sha2::Digest::finalize(hasher)),
                total,
                compressed,
            ))
        });
        let chunks = Chunks {
            buf: Vec::with_capacity(CHUNK + 1024),
            tx,
        };
        let mut writer = csv::Writer::from_writer(chunks);
        writer.write_record(header).map_err(csv_err)?;
        Ok(Listing {
            name: name.to_string(),
            rows: 0,
            writer,
            worker,
        })
    }

    pub fn record<I, T>(&mut self, cells: I) -> Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.writer.write_record(cells).map_err(csv_err)?;
        self.rows += 1;
        Ok(())
    }

    pub fn finish(self) -> Result<Attachment> {
        let mut chunks = self.writer.into_inner().map_err(csv_err)?;
        if !chunks.buf.is_empty() {
            chunks.send().map_err(csv_err)?;
        }
        drop(chunks);
        let (sha256, bytes, compressed) = self
            .worker
            .join()
            .map_err(|_| Error::Invalid("report attachment: the compressor panicked".into()))??;
        Ok(Attachment {
            name: self.name,
            rows: self.rows,
            sha256,
            bytes,
            compressed,
        })
    }
}

/// The PDF with `files` attached. Takes both by value: a listing can be
/// tens of MiB, and no second copy of it is made.
pub fn embed(pdf: Vec<u8>, files: Vec<Attachment>) -> Result<Vec<u8>> {
    if files.is_empty() {
        return Ok(pdf);
    }
    let pdf_err = |e: lopdf::Error| Error::Invalid(format!("attaching files to the PDF: {e}"));
    let mut doc = lopdf::Document::load_mem(&pdf).map_err(pdf_err)?;
    // Sized for the whole output: growing by doubling would hold two
    // copies of the attachments at once.
    let capacity = pdf.len() + files.iter().map(|f| f.compressed.len()).sum::<usize>() + (1 << 20);
    drop(pdf);
    let mut sorted: Vec<Attachment> = files;
    // A name tree's keys are in byte order.
    sorted.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    let mut names: Vec<Object> = Vec::new();
    for file in sorted {
        let mut params = Dictionary::new();
        params.set("Size", file.bytes as i64);
        let description = format!("{} rows, SHA-256 {}", file.rows, file.sha256);
        let mut dict = Dictionary::new();
        dict.set("Type", Object::Name(b"EmbeddedFile".to_vec()));
        // lopdf escapes the "/" (to #2F) when it writes the name.
        dict.set("Subtype", Object::Name(b"text/csv".to_vec()));
        dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        dict.set("Params", params);
        let stream = Stream::new(dict, file.compressed).with_compression(false);
        let stream_id = doc.add_object(stream);
        let mut ef = Dictionary::new();
        ef.set("F", Object::Reference(stream_id));
        ef.set("UF", Object::Reference(stream_id));
        let mut spec = Dictionary::new();
        spec.set("Type", Object::Name(b"Filespec".to_vec()));
        spec.set("F", Object::string_literal(file.name.clone()));
        spec.set("UF", Object::string_literal(file.name.clone()));
        spec.set("EF", ef);
        spec.set("Desc", Object::string_literal(description));
        let spec_id = doc.add_object(spec);
        names.push(Object::string_literal(file.name.clone()));
        names.push(Object::Reference(spec_id));
    }
    let mut tree = Dictionary::new();
    tree.set("Names", names);
    let mut catalog_names = Dictionary::new();
    catalog_names.set("EmbeddedFiles", tree);
    doc.catalog_mut()
        .map_err(pdf_err)?
        .set("Names", catalog_names);
    let mut out = Vec::with_capacity(capacity);
    doc.save_to(&mut out)
        .map_err(|e| Error::Invalid(format!("saving the PDF with its attachments: {e}")))?;
    Ok(out)
}
