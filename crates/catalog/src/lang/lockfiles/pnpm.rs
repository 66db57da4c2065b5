//! `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x.
//!
//! Package keys changed form across versions: `/name/1.2.3_peer@1.0.0`
//! (v5), `/name@1.2.3(peer@1.0.0)` (v6), `name@1.2.3(peer@1.0.0)` (v9).
//! Keys that are not `name@version` (git and tarball dependencies such
//! as `github.com/user/repo/<commit>`) are not registry packages: a
//! registry advisory for a same-named package would not describe them,
//! so they are skipped. v5/v6 mark development-only packages with
//! `dev: true`; v9 no longer records it per package.

use super::package_lock::npm_package;
use super::{LockfileError, Parsed};
use serde_json::Value;

pub(super) fn parse(text: &str) -> Result<Parsed, LockfileError> {
    let doc: Value =
        serde_saphyr::from_str(text).map_err(|e| LockfileError::Yaml(e.to_string()))?;
    let version = match doc.get("lockfileVersion") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(LockfileError::Format("no lockfileVersion".into())),
    };
    let v5 = version.starts_with('5');
    let mut parsed = Parsed::default();
    let Some(packages) = doc.get("packages") else {
        return Ok(parsed);
    };
    let Some(packages) = packages.as_object() else {
        return Err(LockfileError::Format(
            "\"packages\" is not a mapping".into(),
        ));
    };
    for (key, entry) in packages {
        let Some((name, version)) = split_key(key, v5) else {
            // git / tarball entries carry their own `name`; anything else is garbage.
            if entry.get("name").is_none() {
                parsed
                    .problems
                    .push(format!("cannot read a package from key {key:?}"));
            }
            continue;
        };
        let dev = entry.get("dev").and_then(Value::as_bool) == Some(true);
        if let Some(p) = npm_package(name, version, dev) {
            parsed.packages.push(p);
        }
    }
    Ok(parsed)
}

/// `(name, version)` out of a package key.
fn split_key(key: &str, v5: bool) -> Option<(&str, &str)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    let key = key.split('(').next().unwrap_or(key);
    if v5 {
        let (name, version) = key.rsplit_once('/')?;
        let version = version.split('_').next().unwrap_or(version);
        return (!name.is_empty() && !version.is_empty()).then_some((name, version));
    }
    let at = key.get(1..)?.rfind('@')? + 1;
    let (name, version) = (key.get(..at)?, key.get(at + 1..)?);
    (!name.is_empty() && !version.is_empty()).then_some((name, version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_each_version() {
        assert_eq!(
            split_key("/@babel/core/7.1.0_eslint@8.0.0", true),
            Some(("@babel/core", "7.1.0"))
        );
        assert_eq!(
            split_key("/lodash/4.17.21", true),
            Some(("lodash", "4.17.21"))
        );
        assert_eq!(
            split_key("/@babel/core@7.1.0(eslint@8.0.0)", false),
            Some(("@babel/core", "7.1.0"))
        );
        assert_eq!(
            split_key("lodash@4.17.21", false),
            Some(("lodash", "4.17.21"))
        );
        assert_eq!(split_key("lodash", false), None);
        assert_eq!(split_key("/", true), None);
    }
}
