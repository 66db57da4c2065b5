//! `composer.lock`: `packages` and `packages-dev` (marked `dev=true`),
//! whose entries have the same shape as `vendor/composer/installed.json`.

use super::{LockfileError, Parsed, mark_dev};
use crate::lang::php::package_entry;
use serde_json::Value;

pub(super) fn parse(text: &str) -> Result<Parsed, LockfileError> {
    let doc: Value = serde_json::from_str(text)?;
    if !doc.is_object() {
        return Err(LockfileError::Format("not a JSON object".into()));
    }
    let mut parsed = Parsed::default();
    for (key, dev) in [("packages", false), ("packages-dev", true)] {
        let Some(list) = doc.get(key).and_then(Value::as_array) else {
            continue;
        };
        for (i, entry) in list.iter().enumerate() {
            match package_entry(entry) {
                Ok(mut p) => {
                    if dev {
                        mark_dev(&mut p);
                    }
                    parsed.packages.push(p);
                }
                Err(e) => parsed.problems.push(format!("{key} #{i}: {e}")),
            }
        }
    }
    Ok(parsed)
}
