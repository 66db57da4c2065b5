//! `Cargo.lock`, formats v1 to v4 (the `[[package]]` tables are the same;
//! v1 kept checksums in `[metadata]`, which we do not need).
//!
//! Only crates from crates.io (`registry+https://github.com/rust-lang/
//! crates.io-index` or the sparse `sparse+https://index.crates.io/`) are
//! matched against crates.io advisories. Workspace members and path
//! dependencies (no `source`), git dependencies and crates from other
//! registries are listed without an ecosystem, with their source in the
//! metadata, since a crates.io advisory does not describe them.

use super::identity::{Eco, package};
use super::{LockfileError, Parsed};
use serde::Deserialize;

#[derive(Deserialize)]
struct CargoLock {
    #[serde(default)]
    package: Vec<CargoPackage>,
}

#[derive(Deserialize)]
struct CargoPackage {
    name: String,
    version: String,
    #[serde(default)]
    source: Option<String>,
}

fn is_crates_io(source: &str) -> bool {
    source == "registry+https://github.com/rust-lang/crates.io-index"
        || source == "sparse+https://index.crates.io/"
}

pub(super) fn parse(text: &str) -> Result<Parsed, LockfileError> {
    let lock: CargoLock = toml::from_str(text)?;
    let mut parsed = Parsed::default();
    for c in lock.package {
        let mut p = package(Eco::CratesIo, &c.name, &c.version);
        match c.source.as_deref() {
            Some(s) if is_crates_io(s) => {}
            other => {
                p.ecosystem = None;
                p.metadata
                    .insert("source".into(), other.unwrap_or("path").to_string());
            }
        }
        parsed.packages.push(p);
    }
    Ok(parsed)
}
