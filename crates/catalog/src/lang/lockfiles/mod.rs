//! Lockfile parsers for `tidewatch fs`: the dependency pins a source tree
//! declares (`package-lock.json`, `poetry.lock`, `Cargo.lock`, …), one
//! module per format.
//!
//! Lockfiles describe what a build *would* install, not what an image
//! contains, so these catalogers are not part of the image list
//! ([`crate::lang::catalogers`]); the CLI adds them for `fs` scans.
//! Development dependencies are listed too (a vulnerable test runner is
//! still a finding worth seeing) and carry the metadata `dev=true`.

mod cargo_lock;
mod composer_lock;
mod gemfile_lock;
mod go_mod;
pub mod identity;
mod nuget_lock;
mod package_lock;
mod pnpm;
mod python_locks;
mod yarn;

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

    fn wants(&self, path: &str, size: u64, _mode: u32) -> Want {
        let file_name = path.rsplit('/').next().unwrap_or(path);
        if (self.matches)(file_name, path) {
            keep_text(path, size)
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
                    for mut p in dedup(parsed.packages) {
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
fn in_dependency_tree(path: &str) -> bool {
    path.starts_with("node_modules/") || path.contains("/node_modules/")
}

/// `requirements*.txt`, and any `.txt` in a `requirements/` directory.
fn is_requirements(file_name: &str, path: &str) -> bool {
    (file_name.starts_with("requirements") && file_name.ends_with(".txt"))
        || (file_name.ends_with(".txt")
            && (path.starts_with("requirements/") || path.contains("/requirements/")))
}

/// One package per (name, version, ecosystem) in a file: lockfiles
/// repeat a package per peer set or target framework. A package needed
/// outside development anywhere is not a dev package.
fn dedup(packages: Vec<Package>) -> Vec<Package> {
    let mut out: Vec<Package> = Vec::with_capacity(packages.len());
    let mut seen: std::collections::HashMap<(String, String, Option<String>), usize> =
        Default::default();
    for p in packages {
        let key = (p.name.clone(), p.version.clone(), p.ecosystem.clone());
        match seen.get(&key) {
            Some(&i) => {
                if !p.metadata.contains_key("dev")
                    && let Some(kept) = out.get_mut(i)
                {
                    kept.metadata.remove("dev");
                }
            }
            None => {
                seen.insert(key, out.len());
                out.push(p);
            }
        }
    }
    out
}

/// The lockfile catalogers, for `tidewatch fs`.
pub fn lockfile_catalogers() -> Vec<Box<dyn Cataloger>> {
    let list = vec![
        Lockfile {
            name: "package-lock.json",
            matches: |f, p| {
                matches!(f, "package-lock.json" | "npm-shrinkwrap.json") && !in_dependency_tree(p)
            },
            parse: package_lock::parse,
        },
        Lockfile {
            name: "yarn.lock",
            matches: |f, p| f == "yarn.lock" && !in_dependency_tree(p),
            parse: yarn::parse,
        },
        Lockfile {
            name: "pnpm-lock.yaml",
            matches: |f, p| f == "pnpm-lock.yaml" && !in_dependency_tree(p),
            parse: pnpm::parse,
        },
        Lockfile {
            name: "poetry.lock",
            matches: |f, _| f == "poetry.lock",
            parse: python_locks::poetry,
        },
        Lockfile {
            name: "Pipfile.lock",
            matches: |f, _| f == "Pipfile.lock",
            parse: python_locks::pipfile,
        },
        Lockfile {
            name: "requirements.txt",
            matches: is_requirements,
            parse: python_locks::requirements,
        },
        Lockfile {
            name: "Cargo.lock",
            matches: |f, _| f == "Cargo.lock",
            parse: cargo_lock::parse,
        },
        Lockfile {
            name: "go.mod",
            matches: |f, _| f == "go.mod",
            parse: go_mod::parse,
        },
        Lockfile {
            name: "composer.lock",
            matches: |f, p| f == "composer.lock" && !p.contains("vendor/"),
            parse: composer_lock::parse,
        },
        Lockfile {
            name: "Gemfile.lock",
            matches: |f, _| f == "Gemfile.lock",
            parse: gemfile_lock::parse,
        },
        Lockfile {
            name: "packages.lock.json",
            matches: |f, _| f == "packages.lock.json",
            parse: nuget_lock::parse,
        },
    ];
    list.into_iter()
        .map(|l| Box::new(l) as Box<dyn Cataloger>)
        .collect()
}

/// Largest manifest or metadata file read whole (`package.json`,
/// `METADATA`, `*.gemspec`, `installed.json`, `*.deps.json`, …): real ones
/// are kilobytes; the cap keeps a crafted one (a few MB of gzip can hold
/// gigabytes of zeros) from exhausting memory or the spill directory.
pub const MANIFEST_MAX: u64 = 16 * 1024 * 1024;
/// Largest lockfile read whole: a monorepo's `package-lock.json` or
/// `yarn.lock` reaches tens of megabytes, so these get more room.
pub const LOCKFILE_MAX: u64 = 256 * 1024 * 1024;

/// Is `path` one of the lockfiles these catalogers read?
fn is_lockfile(path: &str) -> bool {
    let file_name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        file_name,
        "package-lock.json"
            | "npm-shrinkwrap.json"
            | "yarn.lock"
            | "pnpm-lock.yaml"
            | "poetry.lock"
            | "Pipfile.lock"
            | "Cargo.lock"
            | "go.mod"
            | "composer.lock"
            | "Gemfile.lock"
            | "packages.lock.json"
    ) || is_requirements(file_name, path)
}

/// The size limit for a text file a cataloger reads whole, by its name.
pub(crate) fn text_limit(path: &str) -> u64 {
    if is_lockfile(path) {
        LOCKFILE_MAX
    } else {
        MANIFEST_MAX
    }
}

/// Where a project installs what its lockfile pins, relative to the
/// lockfile's directory: npm, yarn and pnpm into `node_modules/`,
/// Composer into `vendor/` (`vendor/composer/installed.json`), Bundler
/// with a deployment path into `vendor/bundle/`.
const INSTALL_DIRS: &[&str] = &["node_modules/", "vendor/"];

/// A lockfile entry whose package is also installed in the same project
/// (same name, version and ecosystem, found under the lockfile's directory
/// in one of [`INSTALL_DIRS`]) is the same package seen twice: the entry
/// is dropped and the lockfile becomes one more location of the installed
/// package, so a `fs` scan of a project with both reports it once.
pub(crate) fn fold_into_installed(packages: &mut Vec<Package>) {
    type Key = (String, String, Option<String>);
    let key = |p: &Package| -> Key { (p.name.clone(), p.version.clone(), p.ecosystem.clone()) };
    let from_lockfile =
        |p: &Package| p.locations.len() == 1 && p.locations.iter().all(|l| is_lockfile(&l.path));
    // Installed packages by identity: (index, their paths).
    let mut installed: std::collections::HashMap<Key, Vec<usize>> = Default::default();
    for (i, p) in packages.iter().enumerate() {
        if !from_lockfile(p) {
            installed.entry(key(p)).or_default().push(i);
        }
    }
    if installed.is_empty() {
        return;
    }
    let mut merged: Vec<(usize, tidewatch_types::Location)> = Vec::new();
    let mut drop = vec![false; packages.len()];
    for (i, p) in packages.iter().enumerate() {
        if !from_lockfile(p) {
            continue;
        }
        let Some(candidates) = installed.get(&key(p)) else {
            continue;
        };
        let Some(lock) = p.locations.first() else {
            continue;
        };
        let dir = match lock.path.rfind('/') {
            Some(at) => lock.path.get(..=at).unwrap_or_default(),
            None => "",
        };
        let same_project = candidates.iter().copied().find(|&j| {
            packages.get(j).is_some_and(|q| {
                q.locations.iter().any(|l| {
                    l.path
                        .strip_prefix(dir)
                        .is_some_and(|rest| INSTALL_DIRS.iter().any(|d| rest.starts_with(d)))
                })
            })
        });
        if let Some(j) = same_project {
            merged.push((j, lock.clone()));
            if let Some(d) = drop.get_mut(i) {
                *d = true;
            }
        }
    }
    for (j, location) in merged {
        if let Some(q) = packages.get_mut(j) {
            q.locations.push(location);
        }
    }
    let mut flags = drop.into_iter();
    packages.retain(|_| !flags.next().unwrap_or(false));
}

/// `Keep` for a text file a cataloger reads whole, unless it is over its
/// [`text_limit`]: then the image reader skips its bytes and warns.
pub(crate) fn keep_text(path: &str, size: u64) -> Want {
    let limit = text_limit(path);
    if size > limit {
        Want::TooLarge { limit }
    } else {
        Want::Keep
    }
}

/// A kept file's text (lossily decoded: a stray Latin-1 byte in a
/// description must not hide the package), or a warning. A file over its
/// [`text_limit`] is not read (a second line behind [`keep_text`], for
/// files that reach a cataloger by other routes).
pub(crate) fn read_text<'a>(
    files: &'a Files,
    path: &str,
    out: &mut Output,
) -> Option<Cow<'a, str>> {
    let entry = files.get(path)?;
    let limit = text_limit(path);
    if entry.size > limit {
        out.warn(
            path,
            format!(
                "file is {} bytes, over the {limit}-byte limit for this kind of file; not read",
                entry.size
            ),
        );
        return None;
    }
    match entry.data.bytes() {
        Ok(Cow::Borrowed(b)) => Some(String::from_utf8_lossy(b)),
        Ok(Cow::Owned(b)) => Some(Cow::Owned(String::from_utf8_lossy(&b).into_owned())),
        Err(e) => {
            out.warn(path, format!("cannot read file: {e}"));
            None
        }
    }
}

/// Reads `path` as JSON; on failure warns `malformed <what>: <error>` for
/// that file and gives `None`, so catalogers just skip it.
pub(crate) fn read_json(
    files: &Files,
    path: &str,
    what: &str,
    out: &mut Output,
) -> Option<serde_json::Value> {
    let text = read_text(files, path, out)?;
    match serde_json::from_str(&text) {
        Ok(v) => Some(v),
        Err(e) => {
            out.warn(path, format!("malformed {what}: {e}"));
            None
        }
    }
}

/// A package's `dev=true` mark.
pub(crate) fn mark_dev(p: &mut Package) {
    p.metadata.insert("dev".into(), "true".into());
}
