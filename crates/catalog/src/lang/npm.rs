//! Installed npm packages: `**/node_modules/<name>/package.json` and
//! `**/node_modules/@scope/<name>/package.json`.
//!
//! Only a package root counts: the `package.json` directly inside a
//! `node_modules/<name>` (or `node_modules/@scope/<name>`) directory, or
//! directly inside one of Debian's global module roots
//! (`usr/share/nodejs/<name>`, `usr/lib/nodejs/<name>`,
//! `usr/lib/<triplet>/nodejs/<name>`), where the distro's `node-*`
//! packages put them (the OS ownership pass then matches those against
//! the distro's advisories).
//! Packages also ship nested `package.json` files (`lib/package.json`,
//! `dist/esm/package.json` with just `{"type": "module"}`) that describe no
//! package; they are never read. The name comes from the file, not the
//! path (a directory can be an alias). The project's own top-level
//! `package.json` is not a dependency and is not read either.
//!
//! npm's own dependencies, bundled inside the npm install
//! (`node_modules/npm/node_modules/**`), are skipped by default: they are
//! part of the npm tool, whose advisories cover them, and listing them
//! floods reports of every `node` image. [`NpmCataloger::with_npm_internals`]
//! includes them. Packages named in a parent's `bundleDependencies` are
//! marked with metadata `bundled=true`.

use crate::lang::lockfiles::identity::{Eco, library};
use crate::lang::lockfiles::{keep_text, read_json};
use crate::{Cataloger, Output};
use serde_json::Value;
use std::collections::HashSet;
use tidewatch_image::{Files, Want};
use tidewatch_types::OsInfo;

#[derive(Debug, Default)]
pub struct NpmCataloger {
    npm_internals: bool,
}

impl NpmCataloger {
    pub fn new() -> Self {
        Self::default()
    }

    /// Also list the packages bundled inside the npm tool itself.
    pub fn with_npm_internals(include: bool) -> Self {
        NpmCataloger {
            npm_internals: include,
        }
    }
}

const NM: &str = "node_modules/";

/// The directory of the package whose root `package.json` is at `path`,
/// or `None` when `path` is not a package root inside `node_modules`.
fn package_root(path: &str) -> Option<&str> {
    let dir = path.strip_suffix("/package.json")?;
    let tail = match dir.rfind("/node_modules/") {
        Some(i) => i + "/node_modules/".len(),
        None if dir.starts_with(NM) => NM.len(),
        None => debian_root(dir)?,
    };
    let last = dir.get(tail..)?;
    let parts: Vec<&str> = last.split('/').collect();
    let ok = match parts.as_slice() {
        [name] => !name.is_empty() && !name.starts_with('@') && !name.starts_with('.'),
        [scope, name] => {
            scope.len() > 1 && scope.starts_with('@') && !name.is_empty() && !name.starts_with('.')
        }
        _ => false,
    };
    ok.then_some(dir)
}

/// Debian installs node modules (`node-*` packages) into global roots
/// without a `node_modules` component: `usr/share/nodejs/<name>`,
/// `usr/lib/nodejs/<name>` and `usr/lib/<triplet>/nodejs/<name>`. Returns
/// where the package name starts.
fn debian_root(dir: &str) -> Option<usize> {
    for root in ["usr/share/nodejs/", "usr/lib/nodejs/"] {
        if dir.starts_with(root) {
            return Some(root.len());
        }
    }
    let rest = dir.strip_prefix("usr/lib/")?;
    let (triplet, after) = rest.split_once('/')?;
    after
        .starts_with("nodejs/")
        .then_some("usr/lib/".len() + triplet.len() + 1 + "nodejs/".len())
}

fn in_npm_internals(path: &str) -> bool {
    path.starts_with("node_modules/npm/node_modules/")
        || path.contains("/node_modules/npm/node_modules/")
}

impl Cataloger for NpmCataloger {
    fn name(&self) -> &'static str {
        "npm"
    }

    fn wants(&self, path: &str, size: u64, _mode: u32) -> Want {
        if !path.ends_with("/package.json") || package_root(path).is_none() {
            return Want::Skip;
        }
        if !self.npm_internals && in_npm_internals(path) {
            return Want::Skip;
        }
        keep_text(path, size)
    }

    fn catalog(&self, files: &Files, _os: Option<&OsInfo>, out: &mut Output) {
        let start = out.packages.len();
        // (package dir, names it bundles)
        let mut bundlers: Vec<(String, Vec<String>)> = Vec::new();
        for (path, _) in files.iter() {
            if self.wants(path, 0, 0) != Want::Keep {
                continue;
            }
            let Some(dir) = package_root(path) else {
                continue;
            };
            let Some(doc) = read_json(files, path, "package.json", out) else {
                continue;
            };
            match read_package(&doc) {
                Ok(pkg) => {
                    if !pkg.bundled.is_empty() {
                        bundlers.push((dir.to_string(), pkg.bundled));
                    }
                    let mut p = library(
                        Eco::Npm,
                        &pkg.name,
                        &pkg.version,
                        crate::location(files, path),
                    );
                    p.licenses = pkg.licenses;
                    out.packages.push(p);
                }
                Err(e) => out.warn(path, format!("package.json: {e}")),
            }
        }
        let bundled: HashSet<String> = bundlers
            .iter()
            .flat_map(|(dir, names)| {
                names
                    .iter()
                    .map(move |n| format!("{dir}/node_modules/{n}/package.json"))
            })
            .collect();
        if bundled.is_empty() {
            return;
        }
        for p in out.packages.iter_mut().skip(start) {
            if p.locations
                .first()
                .is_some_and(|l| bundled.contains(&l.path))
            {
                p.metadata.insert("bundled".into(), "true".into());
            }
        }
    }
}

/// What one package.json says.
#[derive(Debug)]
pub(crate) struct PackageJson {
    pub name: String,
    pub version: String,
    pub licenses: Vec<String>,
    /// Dependency names listed in `bundleDependencies`.
    pub bundled: Vec<String>,
}

pub(crate) fn read_package(doc: &Value) -> Result<PackageJson, String> {
    let obj = doc.as_object().ok_or("not a JSON object")?;
    let name = obj
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("");
    if name.is_empty() {
        return Err("no name".into());
    }
    if !valid_name(name) {
        return Err(format!("invalid package name {name:?}"));
    }
    let version = obj
        .get("version")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("");
    if version.is_empty() {
        return Err(format!("no version for {name}"));
    }
    let mut licenses = Vec::new();
    for key in ["license", "licenses"] {
        if let Some(v) = obj.get(key) {
            collect_licenses(v, &mut licenses);
        }
    }
    let bundled = ["bundleDependencies", "bundledDependencies"]
        .iter()
        .filter_map(|k| obj.get(*k))
        .flat_map(|v| match v {
            Value::Array(a) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect::<Vec<_>>(),
            // `true` bundles every dependency.
            Value::Bool(true) => obj
                .get("dependencies")
                .and_then(Value::as_object)
                .map(|d| d.keys().cloned().collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        })
        .collect();
    Ok(PackageJson {
        name: name.to_string(),
        version: version.to_string(),
        licenses,
        bundled,
    })
}

/// npm's own rule, loosely: one path segment, or `@scope/name`.
pub(crate) fn valid_name(name: &str) -> bool {
    let segs: Vec<&str> = name.split('/').collect();
    let ok_seg =
        |s: &str| !s.is_empty() && !s.starts_with('.') && !s.chars().any(|c| c.is_whitespace());
    match segs.as_slice() {
        [n] => ok_seg(n) && !n.starts_with('@'),
        [scope, n] => scope.starts_with('@') && scope.len() > 1 && ok_seg(n),
        _ => false,
    }
}

/// `"MIT"`, `{"type": "MIT"}`, or an array of either.
fn collect_licenses(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if !s.trim().is_empty() => out.push(s.trim().to_string()),
        Value::Object(o) => {
            if let Some(t) = o
                .get("type")
                .and_then(Value::as_str)
                .filter(|t| !t.trim().is_empty())
            {
                out.push(t.trim().to_string());
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_licenses(x, out)),
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn package_roots() {
        assert_eq!(
            package_root("app/node_modules/lodash/package.json"),
            Some("app/node_modules/lodash")
        );
        assert!(package_root("node_modules/@babel/parser/package.json").is_some());
        assert!(package_root("a/node_modules/b/node_modules/c/package.json").is_some());
        assert!(package_root("a/node_modules/@s/b/node_modules/@t/c/package.json").is_some());
        assert!(package_root("a/node_modules/b/lib/package.json").is_none());
        assert!(package_root("a/node_modules/@s/package.json").is_none());
        assert!(package_root("a/node_modules/.bin/package.json").is_none());
        assert!(package_root("app/package.json").is_none());
        assert!(package_root("package.json").is_none());
        assert!(package_root("xnode_modules/a/package.json").is_none());
        assert!(package_root("usr/share/nodejs/acorn/package.json").is_some());
        assert!(package_root("usr/share/nodejs/@types/node/package.json").is_some());
        assert!(
            package_root("usr/lib/x86_64-linux-gnu/nodejs/cjs-module-lexer/package.json").is_some()
        );
        assert!(package_root("usr/share/nodejs/acorn/dist/package.json").is_none());
        assert!(package_root("usr/share/nodejs/package.json").is_none());
    }

    #[test]
    fn names_and_licences() {
        assert!(valid_name("@babel/parser") && valid_name("lodash"));
        assert!(
            !valid_name("@invalid/packageName/") && !valid_name("@scope") && !valid_name("a b")
        );
        let doc: Value = serde_json::from_str(
            r#"{"name":"tv4","version":"1.3.0","license":[{"type":"Public Domain"},{"type":""},"MIT"],"licenses":null}"#,
        )
        .unwrap();
        assert_eq!(
            read_package(&doc).unwrap().licenses,
            ["Public Domain", "MIT"]
        );
    }
}
