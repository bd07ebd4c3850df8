//! Compresses the report fonts into OUT_DIR; `report::pdf` embeds them from
//! there and inflates them when a report starts.

use std::io::Write;
use std::path::PathBuf;

const FONTS: [&str; 2] = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    for name in FONTS {
        let source = format!("assets/fonts/{name}");
        println!("cargo::rerun-if-changed={source}");
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&std::fs::read(&source)?)?;
        std::fs::write(out.join(format!("{name}.z")), encoder.finish()?)?;
    }
    Ok(())
}
