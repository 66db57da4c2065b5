//! Python lockfiles: `poetry.lock` (TOML), `Pipfile.lock` (JSON) and
//! pinned `requirements*.txt`.
//!
//! Requirements files pin with `==` (or `===`); anything else (`>=`,
//! `~=`, wildcards `==1.*`, URLs, editable installs) does not say which
//! version is installed and is ignored. `-r other.txt` / `-c` includes
//! are not followed from here: every `requirements*.txt` (and every
//! `*.txt` under a `requirements/` directory) is read on its own. Extras
//! (`name[extra]`), environment markers (`; python_version < "3.8"`),
//! `--hash` options, comments and `\` continuations are understood.

use super::identity::{Eco, package};
use super::{LockfileError, Parsed, mark_dev};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct PoetryLock {
    #[serde(default)]
    package: Vec<PoetryPackage>,
}

#[derive(Deserialize)]
struct PoetryPackage {
    name: String,
    version: String,
    #[serde(default)]
    category: Option<String>,
}

pub(super) fn poetry(text: &str) -> Result<Parsed, LockfileError> {
    let lock: PoetryLock = toml::from_str(text)?;
    let mut parsed = Parsed::default();
    for p in lock.package {
        if p.name.trim().is_empty() || p.version.trim().is_empty() {
            parsed
                .problems
                .push(format!("package {:?} without name or version", p.name));
            continue;
        }
        let mut pkg = package(Eco::PyPI, p.name.trim(), p.version.trim());
        if p.category.as_deref() == Some("dev") {
            mark_dev(&mut pkg);
        }
        parsed.packages.push(pkg);
    }
    Ok(parsed)
}

pub(super) fn pipfile(text: &str) -> Result<Parsed, LockfileError> {
    let doc: Value = serde_json::from_str(text)?;
    let mut parsed = Parsed::default();
    for (section, dev) in [("default", false), ("develop", true)] {
        let Some(deps) = doc.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (name, entry) in deps {
            // Git and path dependencies have no "version".
            let Some(spec) = entry.get("version").and_then(Value::as_str) else {
                continue;
            };
            match spec.trim().strip_prefix("==") {
                Some(v) if !v.trim().is_empty() => {
                    let mut p = package(Eco::PyPI, name, v.trim());
                    if dev {
                        mark_dev(&mut p);
                    }
                    parsed.packages.push(p);
                }
                _ => parsed
                    .problems
                    .push(format!("{section}.{name}: version {spec:?} is not pinned")),
            }
        }
    }
    Ok(parsed)
}

pub(super) fn requirements(text: &str) -> Result<Parsed, LockfileError> {
    let mut parsed = Parsed::default();
    let mut logical = String::new();
    for raw in text.lines() {
        // A comment starts at `#` preceded by whitespace (or at the start).
        let line = match raw.find(" #").or_else(|| raw.find("\t#")) {
            Some(i) => &raw[..i],
            None if raw.trim_start().starts_with('#') => "",
            None => raw,
        };
        if let Some(cont) = line.trim_end().strip_suffix('\\') {
            logical.push_str(cont);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let req = std::mem::take(&mut logical);
        if let Some((name, version)) = pinned(&req) {
            parsed.packages.push(package(Eco::PyPI, name, version));
        }
    }
    Ok(parsed)
}

/// `name[extras]==version ; markers --hash=…` → `(name, version)`.
fn pinned(req: &str) -> Option<(&str, &str)> {
    let req = req.trim();
    if req.is_empty() || req.starts_with('-') || req.contains("://") || req.contains(" @ ") {
        return None;
    }
    let req = req.split(';').next()?.trim();
    let req = req.split(" --").next()?.trim();
    let name_end =
        req.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))?;
    let name = req.get(..name_end)?;
    let mut rest = req.get(name_end..)?.trim_start();
    if rest.starts_with('[') {
        rest = rest.get(rest.find(']')? + 1..)?.trim_start();
    }
    let version = rest
        .strip_prefix("===")
        .or_else(|| rest.strip_prefix("=="))?
        .trim();
    // A pin is one exact version; `==1.2,<2`, `==1.*` are ranges.
    let version = version.split_whitespace().next()?;
    if name.is_empty() || version.is_empty() || version.contains([',', '*', '<', '>', '!', '~']) {
        return None;
    }
    Some((name, version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins() {
        assert_eq!(pinned("requests==2.19.1"), Some(("requests", "2.19.1")));
        assert_eq!(
            pinned("Django[argon2] == 2.2.0 ; python_version >= \"3.6\""),
            Some(("Django", "2.2.0"))
        );
        assert_eq!(
            pinned("urllib3==1.24.1 --hash=sha256:abc"),
            Some(("urllib3", "1.24.1"))
        );
        assert_eq!(pinned("six===1.16.0"), Some(("six", "1.16.0")));
        assert_eq!(pinned("flask>=2.0"), None);
        assert_eq!(pinned("flask==2.*"), None);
        assert_eq!(pinned("flask==2.0,<3"), None);
        assert_eq!(pinned("-r base.txt"), None);
        assert_eq!(pinned("-e git+https://x/y.git#egg=y"), None);
        assert_eq!(pinned("pkg @ https://x/pkg-1.0.whl"), None);
        assert_eq!(pinned("==1.0"), None);
    }
}
