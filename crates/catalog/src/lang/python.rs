//! Installed Python distributions: `*.dist-info/METADATA`,
//! `*.egg-info/PKG-INFO` (and `*.egg-info` as a single file), and eggs,
//! either as directories (`*.egg/EGG-INFO/PKG-INFO`) or as zip files
//! (`*.egg`, read with the `zip` crate).
//!
//! The metadata is RFC 822 style headers up to the first blank line, with
//! continuation lines starting with whitespace; the body after it is the
//! long description and is ignored. The package name is the display name
//! from `Name:`; the purl carries the PEP 503 normalised name, which is
//! what advisories are keyed by.

use crate::lang::lockfiles::identity::{Eco, library};
use crate::lang::lockfiles::{keep_text, read_text};
use crate::{Cataloger, Output};
use std::io::{Read, Seek};
use tidewatch_image::{FileData, Files, Want};
use tidewatch_types::{OsInfo, Package};

/// More than any real PKG-INFO; bounds what a hostile egg can make us
/// inflate.
const MAX_EGG_PKG_INFO: u64 = 4 * 1024 * 1024;

#[derive(Debug, Default)]
pub struct PythonCataloger;

/// What kind of metadata file a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// METADATA / PKG-INFO text (or a single-file `.egg-info`).
    Text,
    /// A zipped egg.
    EggZip,
}

fn kind(path: &str) -> Option<Kind> {
    let (parent, file) = match path.rsplit_once('/') {
        Some((p, f)) => (p, f),
        None => ("", path),
    };
    let parent_name = parent.rsplit('/').next().unwrap_or(parent);
    match file {
        "METADATA" if parent_name.ends_with(".dist-info") => Some(Kind::Text),
        "PKG-INFO"
            if parent_name.ends_with(".egg-info")
                || (parent_name == "EGG-INFO"
                    && parent.trim_end_matches("/EGG-INFO").ends_with(".egg")) =>
        {
            Some(Kind::Text)
        }
        _ if file.ends_with(".egg-info") && file.len() > ".egg-info".len() => Some(Kind::Text),
        _ if file.ends_with(".egg") && file.len() > ".egg".len() => Some(Kind::EggZip),
        _ => None,
    }
}

impl Cataloger for PythonCataloger {
    fn name(&self) -> &'static str {
        "python"
    }

    fn wants(&self, path: &str, size: u64, _mode: u32) -> Want {
        match kind(path) {
            Some(Kind::Text) => keep_text(path, size),
            Some(Kind::EggZip) => Want::Keep,
            None => Want::Skip,
        }
    }

    fn catalog(&self, files: &Files, _os: Option<&OsInfo>, out: &mut Output) {
        for (path, entry) in files.iter() {
            let text = match kind(path) {
                None => continue,
                Some(Kind::Text) => match read_text(files, path, out) {
                    Some(t) => t.into_owned(),
                    None => continue,
                },
                Some(Kind::EggZip) => match egg_pkg_info(&entry.data) {
                    Ok(t) => t,
                    Err(e) => {
                        out.warn(path, format!("unreadable egg: {e}"));
                        continue;
                    }
                },
            };
            match parse_metadata(&text) {
                Ok(meta) => out
                    .packages
                    .push(meta.into_package(crate::location(files, path))),
                Err(e) => out.warn(path, format!("malformed Python metadata: {e}")),
            }
        }
    }
}

/// `EGG-INFO/PKG-INFO` out of a zipped egg.
fn egg_pkg_info(data: &FileData) -> Result<String, String> {
    match data {
        FileData::Memory(b) => pkg_info_from_zip(std::io::Cursor::new(b.as_slice())),
        FileData::Spilled(_) => {
            let path = data.path().ok_or("spilled file without a path")?;
            let f = std::fs::File::open(path).map_err(|e| e.to_string())?;
            pkg_info_from_zip(f)
        }
    }
}

fn pkg_info_from_zip<R: Read + Seek>(r: R) -> Result<String, String> {
    let mut zip = zip::ZipArchive::new(r).map_err(|e| format!("not a zip archive ({e})"))?;
    let member = zip
        .by_name("EGG-INFO/PKG-INFO")
        .map_err(|e| format!("no EGG-INFO/PKG-INFO ({e})"))?;
    let mut buf = Vec::new();
    member
        .take(MAX_EGG_PKG_INFO)
        .read_to_end(&mut buf)
        .map_err(|e| format!("EGG-INFO/PKG-INFO: {e}"))?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// The facts tidewatch keeps from core metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Metadata {
    pub name: String,
    pub version: String,
    pub licenses: Vec<String>,
}

impl Metadata {
    fn into_package(self, location: tidewatch_types::Location) -> Package {
        let mut p = library(Eco::PyPI, &self.name, &self.version, location);
        p.licenses = self.licenses;
        p
    }
}

/// Parse the header block of METADATA / PKG-INFO.
pub(crate) fn parse_metadata(text: &str) -> Result<Metadata, String> {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut bad_line = None;
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim().is_empty() {
            if headers.is_empty() {
                continue;
            }
            // Old PKG-INFO keeps blank lines inside an indented
            // `Description:`; otherwise the body starts here.
            if lines
                .peek()
                .is_some_and(|next| next.starts_with([' ', '\t']))
            {
                continue;
            }
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = headers.last_mut() {
                v.push('\n');
                v.push_str(line.trim());
            }
            continue;
        }
        match line.split_once(':') {
            Some((k, v)) if !k.is_empty() && !k.contains(' ') => {
                headers.push((k.to_ascii_lowercase(), v.trim().to_string()))
            }
            _ => {
                bad_line.get_or_insert_with(|| truncate(line).to_string());
            }
        }
    }
    if let (Some(bad), false) = (&bad_line, headers.iter().any(|(k, _)| k == "name")) {
        return Err(format!("no Name header; not a header line: {bad:?}"));
    }
    let get = |key: &str| {
        headers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let name = get("name")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or("no Name header")?;
    let version = get("version")
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("no Version header for {name}"))?;
    let mut licenses = Vec::new();
    if let Some(expr) = get("license-expression").filter(|e| !e.is_empty()) {
        licenses.push(expr.to_string());
    } else if let Some(l) = get("license").filter(|l| is_license_name(l)) {
        licenses.push(l.to_string());
    } else {
        // `Classifier: License :: OSI Approved :: MIT License` → the last part.
        for (k, v) in &headers {
            if k == "classifier"
                && v.starts_with("License ::")
                && let Some(last) = v.rsplit("::").next().map(str::trim)
                && !last.is_empty()
                && last != "OSI Approved"
                && !licenses.iter().any(|l| l == last)
            {
                licenses.push(last.to_string());
            }
        }
    }
    Ok(Metadata {
        name: name.to_string(),
        version: version.to_string(),
        licenses,
    })
}

/// `License:` sometimes holds a whole licence text; only a short one-line
/// value is a licence name.
fn is_license_name(v: &str) -> bool {
    !v.is_empty() && !v.contains('\n') && v.len() <= 100 && !v.eq_ignore_ascii_case("UNKNOWN")
}

fn truncate(s: &str) -> &str {
    match s.char_indices().nth(60) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn paths_recognised() {
        assert_eq!(
            kind("usr/lib/python3/dist-packages/urllib3-1.26.12.dist-info/METADATA"),
            Some(Kind::Text)
        );
        assert_eq!(
            kind("site-packages/PyJWT-2.6.0.egg-info/PKG-INFO"),
            Some(Kind::Text)
        );
        assert_eq!(
            kind("usr/lib/python2.7/lib-dynload/Python-2.7.egg-info"),
            Some(Kind::Text)
        );
        assert_eq!(
            kind("site-packages/foo-1.0-py3.8.egg/EGG-INFO/PKG-INFO"),
            Some(Kind::Text)
        );
        assert_eq!(kind("site-packages/foo-1.0-py3.8.egg"), Some(Kind::EggZip));
        assert_eq!(kind("src/foo/METADATA"), None);
        assert_eq!(kind("foo-1.0/PKG-INFO"), None);
        assert_eq!(kind(".egg"), None);
        assert_eq!(kind("METADATA"), None);
    }

    #[test]
    fn headers_stop_at_body_and_join_continuations() {
        let m = parse_metadata(
            "Metadata-Version: 2.1\nName: Flask_Foo \nVersion: 1.0\nLicense: BSD\n  continued\n\nName: body\n",
        )
        .unwrap();
        assert_eq!(m.name, "Flask_Foo");
        assert_eq!(m.version, "1.0");
        // A multi-line License is licence text, not a name.
        assert!(m.licenses.is_empty());
    }

    #[test]
    fn licence_from_classifiers() {
        let m = parse_metadata(
            "Name: a\nVersion: 1\nLicense: UNKNOWN\nDescription: x\n        y\n\n        z\nClassifier: License :: OSI Approved :: MIT License\nClassifier: License :: OSI Approved\n",
        )
        .unwrap();
        assert_eq!(m.licenses, vec!["MIT License"]);
    }

    #[test]
    fn missing_version_or_garbage_is_an_error() {
        assert!(parse_metadata("Name: no-version\n").is_err());
        assert!(parse_metadata("\u{0}\u{1}garbage without colon").is_err());
        assert!(parse_metadata("").is_err());
    }
}
