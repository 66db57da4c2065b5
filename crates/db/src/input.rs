//! Turning the paths a user named into decoded files: directories are
//! walked, bzip2 / gzip / zstd are undone, zip archives (OSV's `all.zip`) are
//! opened member by member, and each result is handed to the first
//! importer that claims it.

use crate::error::DbError;
use crate::feeds::{FEEDS, Input, SourceBatch, Syntax};
use crate::shape::Shape;
use std::io::Read;
use std::path::{Path, PathBuf};
use tidewatch_types::Warning;

/// Decompressed files larger than this are refused: no real feed comes
/// close (the Debian tracker JSON is ~80 MiB), and a bomb must not take the
/// machine down.
const MAX_DECODED: u64 = 2 << 30;

/// The outcome of reading one file.
pub(crate) struct FileResult {
    pub batches: Vec<(SourceBatch, String)>,
    pub warnings: Vec<Warning>,
    pub files: usize,
    /// Files a feed claimed, whether or not they held any record (a CSAF
    /// document that only says "not affected" is still a feed file).
    pub claimed: usize,
}

/// Every regular file under `inputs`, sorted within each directory.
/// Hidden entries (`.git`, `.github`, dotfiles) inside a directory are
/// skipped: they are VCS metadata, never feed data.
pub(crate) fn collect(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, DbError> {
    let mut files = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| DbError::io(input, e))?;
        if meta.is_file() {
            files.push(input.clone());
            continue;
        }
        let walker = walkdir::WalkDir::new(input)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walker {
            let entry = entry.map_err(|e| {
                let path = e.path().unwrap_or(input).to_path_buf();
                DbError::io(path, std::io::Error::other(e.to_string()))
            })?;
            if entry.file_type().is_file() {
                files.push(entry.into_path());
            }
        }
    }
    Ok(files)
}

/// Reads, decodes and parses one file on disk.
pub(crate) fn read_file(path: &Path) -> Result<FileResult, DbError> {
    let bytes = std::fs::read(path).map_err(|e| DbError::io(path, e))?;
    let display = path.display().to_string();
    let mut out = FileResult {
        batches: Vec::new(),
        warnings: Vec::new(),
        files: 0,
        claimed: 0,
    };
    decode(&display, bytes, &display, &mut out)?;
    Ok(out)
}

/// `origin` is the on-disk file the bytes came from (recorded per source).
fn decode(
    display: &str,
    bytes: Vec<u8>,
    origin: &str,
    out: &mut FileResult,
) -> Result<(), DbError> {
    if bytes.starts_with(b"BZh") {
        let decoded = inflate(display, "bzip2", bzip2::read::BzDecoder::new(&bytes[..]))?;
        return decode(display, decoded, origin, out);
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let decoded = inflate(
            display,
            "gzip",
            flate2::read::MultiGzDecoder::new(&bytes[..]),
        )?;
        return decode(display, decoded, origin, out);
    }
    // Amazon's newer repository metadata is zstd-compressed.
    if bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        let decoder = zstd::stream::read::Decoder::new(&bytes[..])
            .map_err(|e| DbError::malformed(display, "zstd", e))?;
        let decoded = inflate(display, "zstd", decoder)?;
        return decode(display, decoded, origin, out);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return unzip(display, bytes, origin, out);
    }
    out.files += 1;
    let syntax = syntax_of(display, &bytes);
    let shape = match syntax {
        Syntax::Json => Shape::of_json(&bytes),
        Syntax::Yaml => Shape::of_yaml(&String::from_utf8_lossy(&bytes)),
        _ => Shape::default(),
    };
    let input = Input {
        path: display,
        bytes: &bytes,
        syntax,
        shape: &shape,
    };
    match FEEDS.iter().find(|f| (f.claims)(&input)) {
        Some(feed) => {
            out.claimed += 1;
            tracing::debug!(file = input.path, feed = feed.name, "importing");
            for batch in (feed.parse)(&input)? {
                out.batches.push((batch, origin.to_string()));
            }
        }
        None => out.warnings.push(Warning::new(
            display,
            format!("skipped: not a recognised feed file ({})", describe(syntax)),
        )),
    }
    Ok(())
}

fn inflate(display: &str, what: &'static str, reader: impl Read) -> Result<Vec<u8>, DbError> {
    let mut decoded = Vec::new();
    reader
        .take(MAX_DECODED + 1)
        .read_to_end(&mut decoded)
        .map_err(|e| DbError::malformed(display, what, e))?;
    if decoded.len() as u64 > MAX_DECODED {
        return Err(DbError::malformed(
            display,
            what,
            format!("decompresses to more than {MAX_DECODED} bytes"),
        ));
    }
    Ok(decoded)
}

fn unzip(display: &str, bytes: Vec<u8>, origin: &str, out: &mut FileResult) -> Result<(), DbError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| DbError::malformed(display, "zip", e))?;
    for i in 0..archive.len() {
        let mut member = archive
            .by_index(i)
            .map_err(|e| DbError::malformed(display, "zip", e))?;
        if !member.is_file() {
            continue;
        }
        let name = format!("{display}!/{}", member.name());
        if member.size() > MAX_DECODED {
            return Err(DbError::malformed(&name, "zip", "member too large"));
        }
        let mut data = Vec::new();
        (&mut member)
            .take(MAX_DECODED + 1)
            .read_to_end(&mut data)
            .map_err(|e| DbError::malformed(&name, "zip", e))?;
        drop(member);
        decode(&name, data, origin, out)?;
    }
    Ok(())
}

fn syntax_of(name: &str, bytes: &[u8]) -> Syntax {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    let body = body.get(start..).unwrap_or_default();
    let sample = body.get(..body.len().min(8192)).unwrap_or_default();
    if sample.contains(&0) {
        return Syntax::Other;
    }
    match body.first() {
        Some(b'{') | Some(b'[') => return Syntax::Json,
        Some(b'<') => return Syntax::Xml,
        _ => {}
    }
    let first_line = sample.split(|b| *b == b'\n').next().unwrap_or_default();
    let first_line = String::from_utf8_lossy(first_line).to_ascii_lowercase();
    if first_line.starts_with("#model_version") || first_line.starts_with("cve,epss") {
        return Syntax::Csv;
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".csv") {
        return Syntax::Csv;
    }
    if lower.ends_with(".yaml") || lower.ends_with(".yml") || body.starts_with(b"---") {
        return Syntax::Yaml;
    }
    Syntax::Other
}

fn describe(s: Syntax) -> &'static str {
    match s {
        Syntax::Json => "JSON",
        Syntax::Yaml => "YAML",
        Syntax::Xml => "XML",
        Syntax::Csv => "CSV",
        Syntax::Other => "unknown format",
    }
}
