//! Installed Composer packages: `**/vendor/composer/installed.json`, in
//! Composer 1 form (a top-level array of packages) and Composer 2 form
//! (`{"packages": [...], "dev-package-names": [...]}`). Packages Composer 2
//! lists as dev-only carry metadata `dev=true`.
//!
//! The same package entries make up `composer.lock`, whose parser in
//! `lockfiles/composer.rs` reuses [`package_entry`].

use crate::lang::lockfiles::identity::{Eco, package};
use crate::lang::lockfiles::{keep_text, mark_dev, read_json};
use crate::{Cataloger, Output};
use serde_json::Value;
use tidewatch_image::{Files, Want};
use tidewatch_types::{OsInfo, Package};

#[derive(Debug, Default)]
pub struct ComposerInstalledCataloger;

fn is_installed_json(path: &str) -> bool {
    path == "vendor/composer/installed.json" || path.ends_with("/vendor/composer/installed.json")
}

impl Cataloger for ComposerInstalledCataloger {
    fn name(&self) -> &'static str {
        "composer-installed"
    }

    fn wants(&self, path: &str, size: u64, _mode: u32) -> Want {
        if is_installed_json(path) {
            keep_text(path, size)
        } else {
            Want::Skip
        }
    }

    fn catalog(&self, files: &Files, _os: Option<&OsInfo>, out: &mut Output) {
        for (path, _) in files.iter() {
            if !is_installed_json(path) {
                continue;
            }
            let Some(doc) = read_json(files, path, "installed.json", out) else {
                continue;
            };
            let (entries, dev_names) = match &doc {
                Value::Array(a) => (a, Vec::new()),
                Value::Object(o) => match o.get("packages") {
                    Some(Value::Array(a)) => (a, string_array(o.get("dev-package-names"))),
                    _ => {
                        out.warn(path, "malformed installed.json: no \"packages\" array");
                        continue;
                    }
                },
                _ => {
                    out.warn(
                        path,
                        "malformed installed.json: neither an array nor an object",
                    );
                    continue;
                }
            };
            for (i, entry) in entries.iter().enumerate() {
                match package_entry(entry) {
                    Ok(mut p) => {
                        p.locations.push(crate::location(files, path));
                        if dev_names.contains(&p.name) {
                            mark_dev(&mut p);
                        }
                        out.packages.push(p);
                    }
                    Err(e) => out.warn(path, format!("package #{i}: {e}")),
                }
            }
        }
    }
}

pub(crate) fn string_array(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// One Composer package entry (`name`, `version`, `license`).
pub(crate) fn package_entry(entry: &Value) -> Result<Package, String> {
    let name = entry
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("");
    if name.is_empty() {
        return Err("no name".into());
    }
    let version = entry
        .get("version")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("");
    if version.is_empty() {
        return Err(format!("no version for {name}"));
    }
    let mut p = package(Eco::Packagist, name, version);
    p.licenses = match entry.get("license") {
        Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
        v => string_array(v),
    };
    Ok(p)
}
