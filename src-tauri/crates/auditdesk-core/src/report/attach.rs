//! Files embedded in a report PDF (the `/EmbeddedFiles` name tree, which PDF
//! readers list as attachments): a section that would be unreasonably long
//! to print is summarised and its full listing is attached, with the row
//! count and SHA-256 printed. printpdf cannot embed files, so the finished
//! PDF is reopened with lopdf (printpdf's own PDF writer) and saved again;
//! both are deterministic, so reports stay reproducible.

use std::io::Write as _;

use lopdf::{Dictionary, Object, Stream};

use crate::error::{Error, Result};

/// A CSV listing built row by row: compressed as it grows (a listing can
/// hold most of a quarter's events) and hashed uncompressed, which is what a
/// reader extracts.
pub struct Listing {
    pub name: String,
    pub rows: u64,
    encoder: flate2::write::ZlibEncoder<Vec<u8>>,
    hasher: sha2::Sha256,
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
        let mut listing = Listing {
            name: name.to_string(),
            rows: 0,
            encoder: flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default()),
            hasher: sha2::Digest::new(),
        };
        listing.record(header)?;
        listing.rows = 0;
        Ok(listing)
    }

    /// Adds one row (the same bytes go to the hash and the compressor).
    pub fn record<I, T>(&mut self, cells: I) -> Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        // One small writer per row: csv's quoting, and the row's bytes in hand.
        let mut row = csv::Writer::from_writer(Vec::new());
        row.write_record(cells).map_err(csv_err)?;
        let line = row.into_inner().map_err(csv_err)?;
        sha2::Digest::update(&mut self.hasher, &line);
        self.encoder.write_all(&line).map_err(csv_err)?;
        self.rows += 1;
        Ok(())
    }

    pub fn finish(self) -> Result<Attachment> {
        let bytes = self.encoder.total_in();
        let compressed = self.encoder.finish().map_err(csv_err)?;
        Ok(Attachment {
            name: self.name,
            rows: self.rows,
            sha256: hex::encode(sha2::Digest::finalize(self.hasher)),
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
    let capacity = pdf.len();
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
