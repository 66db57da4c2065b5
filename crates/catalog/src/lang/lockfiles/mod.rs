//! Lockfile parsers for `tidewatch fs`: the dependency pins a source tree
//! declares (`package-lock.json`, `poetry.lock`, `Cargo.lock`, …), one
//! module per format.
//!
//! Lockfiles describe what a build *would* install, not what an image
//! contains, so these catalogers are not part of the image list
//! ([`crate::lang::catalogers`]); the CLI adds them for `fs` scans.
//! Development dependencies are listed too (a vulnerable test runner is
//! still a finding worth seeing) and carry the metadata `dev=true`.

pub mod identity;

use crate::{Cataloger, Output};
use std::borrow::Cow;
use tidewatch_image::{Files, Want};
use tidewatch_types::{OsInfo, Package};

/// Why a lockfile could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum LockfileError {
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("invalid YAML: {0}")]
    Yaml(String),
    #[error("invalid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("{0}")]
    Format(String),
}

/// What a parser found: packages without locations (the cataloger adds
/// them), plus problems with single entries that did not stop the rest.
#[derive(Debug, Default)]
pub struct Parsed {
    pub packages: Vec<Package>,
    pub problems: Vec<String>,
}

/// Parses one lockfile's text.
type ParseFn = fn(&str) -> Result<Parsed, LockfileError>;

/// A cataloger for one lockfile format: a file-name test and a parser.
struct Lockfile {
    name: &'static str,
    matches: fn(file_name: &str, path: &str) -> bool,
    parse: ParseFn,
}

impl Cataloger for Lockfile {
    fn name(&self) -> &'static str {
        self.name
    }

    fn wants(&self, path: &str, _size: u64, _mode: u32) -> Want {
        let file_name = path.rsplit('/').next().unwrap_or(path);
        if (self.matches)(file_name, path) {
            Want::Keep
        } else {
            Want::Skip
        }
    }

    fn catalog(&self, files: &Files, _os: Option<&OsInfo>, out: &mut Output) {
        for (path, _) in files.iter() {
            if self.wants(path, 0, 0) != Want::Keep {
                continue;
            }
            let Some(text) = read_text(files, path, out) else {
                continue;
            };
            match (self.parse)(&text) {
                Ok(parsed) => {
                    for problem in parsed.problems {
                        out.warn(path, problem);
                    }
                    for mut p in parsed.packages {
                        p.locations.push(crate::location(files, path));
                        out.packages.push(p);
                    }
                }
                Err(e) => out.warn(path, format!("malformed {}: {e}", self.name)),
            }
        }
    }
}

/// Lockfiles inside installed dependency trees belong to those packages'
/// own development, not to the project being scanned.
#[allow(dead_code)] // used by the npm-family lockfiles
fn in_dependency_tree(path: &str) -> bool {
    path.starts_with("node_modules/") || path.contains("/node_modules/")
}

/// The lockfile catalogers, for `tidewatch fs`.
pub fn lockfile_catalogers() -> Vec<Box<dyn Cataloger>> {
    let list: Vec<Lockfile> = vec![];
    list.into_iter()
        .map(|l| Box::new(l) as Box<dyn Cataloger>)
        .collect()
}

/// A kept file's text (lossily decoded: a stray Latin-1 byte in a
/// description must not hide the package), or a warning.
pub(crate) fn read_text<'a>(
    files: &'a Files,
    path: &str,
    out: &mut Output,
) -> Option<Cow<'a, str>> {
    let entry = files.get(path)?;
    match entry.data.bytes() {
        Ok(Cow::Borrowed(b)) => Some(String::from_utf8_lossy(b)),
        Ok(Cow::Owned(b)) => Some(Cow::Owned(String::from_utf8_lossy(&b).into_owned())),
        Err(e) => {
            out.warn(path, format!("cannot read file: {e}"));
            None
        }
    }
}

/// A package's `dev=true` mark.
#[allow(dead_code)] // used by the lockfile parsers
pub(crate) fn mark_dev(p: &mut Package) {
    p.metadata.insert("dev".into(), "true".into());
}
