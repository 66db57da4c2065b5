//! `package-lock.json` (and npm-shrinkwrap.json), lockfile versions 1–3.
//!
//! v2/v3 list every installed path under `packages` (`node_modules/a`,
//! `node_modules/a/node_modules/@s/b`); the root (`""`), workspace
//! directories and `link` entries are the project's own code and are
//! skipped. v1 has only the nested `dependencies` tree, walked
//! recursively. Versions that are not registry versions (`file:`, git
//! URLs, tarball URLs) cannot be matched and are skipped.

use super::identity::{Eco, package};
use super::{LockfileError, Parsed, mark_dev};
use crate::lang::npm::valid_name;
use serde_json::{Map, Value};
use tidewatch_types::Package;

pub(super) fn parse(text: &str) -> Result<Parsed, LockfileError> {
    let doc: Value = serde_json::from_str(text)?;
    let obj = doc
        .as_object()
        .ok_or_else(|| LockfileError::Format("not a JSON object".into()))?;
    let mut parsed = Parsed::default();
    if let Some(packages) = obj.get("packages").and_then(Value::as_object) {
        for (path, entry) in packages {
            let Some(tail) = installed_name(path) else {
                continue;
            };
            if entry.get("link").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let name = entry.get("name").and_then(Value::as_str).unwrap_or(tail);
            let Some(version) = entry.get("version").and_then(Value::as_str) else {
                parsed.problems.push(format!("{path}: no version"));
                continue;
            };
            push(&mut parsed, name, version, is_dev(entry));
        }
    } else if let Some(deps) = obj.get("dependencies").and_then(Value::as_object) {
        walk_v1(deps, &mut parsed, 0);
    } else {
        return Err(LockfileError::Format(
            "neither \"packages\" nor \"dependencies\"".into(),
        ));
    }
    Ok(parsed)
}

/// The package name an installed path stands for (after the last
/// `node_modules/`), or `None` for the root and workspace directories.
fn installed_name(path: &str) -> Option<&str> {
    let at = path.rfind("node_modules/")?;
    if at > 0 && path.as_bytes().get(at - 1) != Some(&b'/') {
        return None;
    }
    path.get(at + "node_modules/".len()..)
        .filter(|n| !n.is_empty())
}

fn is_dev(entry: &Value) -> bool {
    entry.get("dev").and_then(Value::as_bool) == Some(true)
        || entry.get("devOptional").and_then(Value::as_bool) == Some(true)
}

/// v1: `{"name": {"version": …, "dev": …, "dependencies": {…}}}`.
fn walk_v1(deps: &Map<String, Value>, parsed: &mut Parsed, depth: usize) {
    // Real trees are a few levels deep; a hostile one must not exhaust the stack.
    if depth > 64 {
        parsed
            .problems
            .push("dependency tree nested too deeply".into());
        return;
    }
    for (name, entry) in deps {
        match entry.get("version").and_then(Value::as_str) {
            Some(v) => push(
                parsed,
                name,
                v,
                entry.get("dev").and_then(Value::as_bool) == Some(true),
            ),
            None => parsed.problems.push(format!("{name}: no version")),
        }
        if let Some(nested) = entry.get("dependencies").and_then(Value::as_object) {
            walk_v1(nested, parsed, depth + 1);
        }
    }
}

fn push(parsed: &mut Parsed, name: &str, version: &str, dev: bool) {
    if let Some(p) = npm_package(name, version, dev) {
        parsed.packages.push(p);
    }
}

/// A registry package; aliases (`npm:real@1.0.0`) resolve to the real
/// package, other non-registry specs give `None`.
pub(super) fn npm_package(name: &str, version: &str, dev: bool) -> Option<Package> {
    let (name, version) = match version.strip_prefix("npm:") {
        Some(alias) => match alias.rsplit_once('@') {
            Some((n, v)) if !n.is_empty() => (n, v),
            _ => return None,
        },
        None => (name, version),
    };
    let version = version.trim();
    if version.is_empty() || !version.starts_with(|c: char| c.is_ascii_digit()) || !valid_name(name)
    {
        return None;
    }
    let mut p = package(Eco::Npm, name, version);
    if dev {
        mark_dev(&mut p);
    }
    Some(p)
}
