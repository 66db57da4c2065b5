//! NuGet `packages.lock.json`: `dependencies` per target framework, each
//! `Name: {"type": "Direct"|"Transitive"|"CentralTransitive"|"Project",
//! "resolved": "1.2.3"}`. `Project` entries are the solution's own
//! projects. A package locked for several frameworks is reported once per
//! version.

use super::identity::{Eco, package};
use super::{LockfileError, Parsed};
use serde_json::Value;

pub(super) fn parse(text: &str) -> Result<Parsed, LockfileError> {
    let doc: Value = serde_json::from_str(text)?;
    let frameworks = doc
        .get("dependencies")
        .and_then(Value::as_object)
        .ok_or_else(|| LockfileError::Format("no \"dependencies\" object".into()))?;
    let mut parsed = Parsed::default();
    for (tfm, deps) in frameworks {
        let Some(deps) = deps.as_object() else {
            parsed.problems.push(format!("{tfm}: not an object"));
            continue;
        };
        for (name, entry) in deps {
            if entry.get("type").and_then(Value::as_str) == Some("Project") {
                continue;
            }
            match entry.get("resolved").and_then(Value::as_str).map(str::trim) {
                Some(v) if !v.is_empty() => parsed.packages.push(package(Eco::NuGet, name, v)),
                _ => parsed
                    .problems
                    .push(format!("{tfm}.{name}: no resolved version")),
            }
        }
    }
    Ok(parsed)
}
