//! `yarn.lock`, both Yarn 1 (its own indented format) and Yarn 2+
//! "berry" (YAML with a `__metadata` key).
//!
//! Yarn 1 entries are a key line listing the requested descriptors
//! (`"@babel/core@^7.0.0", "@babel/core@^7.1.0":`) followed by indented
//! fields, of which `version "7.1.2"` is the one we need. Berry entries
//! carry `resolution: "name@npm:1.2.3"`; only `npm:` resolutions are
//! registry packages (`workspace:`, `link:`, `patch:` … are the project's
//! own code or a patched copy of an npm entry listed anyway).

use super::package_lock::npm_package;
use super::{LockfileError, Parsed};
use serde_json::Value;
use std::collections::BTreeMap;

pub(super) fn parse(text: &str) -> Result<Parsed, LockfileError> {
    if text.lines().any(|l| l.starts_with("__metadata:")) {
        berry(text)
    } else {
        classic(text)
    }
}

/// The package name and range of a descriptor `name@range` /
/// `@scope/name@range`.
fn descriptor(d: &str) -> Option<(&str, &str)> {
    let d = d.trim().trim_matches('"');
    let at = d.get(1..)?.find('@')? + 1;
    let name = d.get(..at).filter(|n| !n.is_empty())?;
    Some((name, d.get(at + 1..)?))
}

/// The registry package a Yarn 1 descriptor resolves to: aliases
/// (`alias@npm:real@^1`) name the real package; git, GitHub, file and
/// URL ranges are not registry packages (`None`).
fn registry_name(d: &str) -> Option<&str> {
    let (name, range) = descriptor(d)?;
    if let Some(aliased) = range.strip_prefix("npm:") {
        return match descriptor(aliased) {
            Some((real, _)) => Some(real),
            None => Some(aliased),
        };
    }
    let foreign = range.contains(':') || (range.contains('/') && !range.starts_with('@'));
    (!foreign).then_some(name)
}

fn classic(text: &str) -> Result<Parsed, LockfileError> {
    let mut parsed = Parsed::default();
    let mut current: Option<(String, usize)> = None;
    let mut found_version = true;
    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            if let (Some((name, at)), false) = (&current, found_version) {
                parsed
                    .problems
                    .push(format!("line {at}: {name} has no version"));
            }
            current = None;
            found_version = true;
            let Some(key) = line.strip_suffix(':') else {
                parsed.problems.push(format!(
                    "line {lineno}: expected an entry key ending in ':'"
                ));
                continue;
            };
            let first = key.split(',').next().unwrap_or(key);
            match (descriptor(first), registry_name(first)) {
                (Some(_), Some(n)) => {
                    current = Some((n.to_string(), lineno));
                    found_version = false;
                }
                // git, file and URL dependencies are not registry packages.
                (Some(_), None) => {}
                (None, _) => parsed.problems.push(format!(
                    "line {lineno}: cannot read a package name from {first:?}"
                )),
            }
            continue;
        }
        let field = line.trim();
        // Only the entry's own field, at two spaces; deeper lines are
        // its dependency lists.
        if let (Some(v), Some((name, _))) = (field.strip_prefix("version "), &current)
            && line.starts_with("  ")
            && !line.starts_with("    ")
        {
            let v = v.trim().trim_matches('"');
            if let Some(p) = npm_package(name, v, false) {
                parsed.packages.push(p);
            }
            found_version = true;
        }
    }
    if let (Some((name, at)), false) = (&current, found_version) {
        parsed
            .problems
            .push(format!("line {at}: {name} has no version"));
    }
    Ok(parsed)
}

fn berry(text: &str) -> Result<Parsed, LockfileError> {
    let doc: BTreeMap<String, Value> =
        serde_saphyr::from_str(text).map_err(|e| LockfileError::Yaml(e.to_string()))?;
    let mut parsed = Parsed::default();
    for (key, entry) in doc {
        if key == "__metadata" {
            continue;
        }
        let Some(resolution) = entry.get("resolution").and_then(Value::as_str) else {
            parsed.problems.push(format!("{key}: no resolution"));
            continue;
        };
        let Some(at) = resolution.get(1..).and_then(|r| r.find('@')).map(|i| i + 1) else {
            parsed
                .problems
                .push(format!("{key}: unreadable resolution {resolution:?}"));
            continue;
        };
        let (name, spec) = resolution.split_at(at);
        let Some(version) = spec.strip_prefix("@npm:") else {
            continue;
        };
        if let Some(p) = npm_package(name, version, false) {
            parsed.packages.push(p);
        }
    }
    Ok(parsed)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_names() {
        assert_eq!(registry_name("\"@babel/core@^7.0.0\""), Some("@babel/core"));
        assert_eq!(registry_name("lodash@^4.17.0"), Some("lodash"));
        assert_eq!(
            registry_name("wc@npm:string-width@^4.2.0"),
            Some("string-width")
        );
        assert_eq!(registry_name("fork@github:me/fork#abc"), None);
        assert_eq!(registry_name("fork@me/fork"), None);
        assert_eq!(registry_name("local@file:../local"), None);
        assert_eq!(descriptor("lodash"), None);
        assert_eq!(descriptor("@"), None);
    }
}
