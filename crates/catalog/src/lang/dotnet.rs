//! .NET applications' dependency manifests: `**/*.deps.json`.
//!
//! Only `libraries` entries with `"type": "package"` are NuGet packages;
//! `project` entries are the application's own assemblies, and
//! `referenceassembly` / `runtimepack` entries belong to the SDK or the
//! runtime. The key is `Name/Version`.

use crate::lang::lockfiles::identity::{Eco, library};
use crate::lang::lockfiles::{keep_text, read_json};
use crate::{Cataloger, Output};
use serde_json::Value;
use tidewatch_image::{Files, Want};
use tidewatch_types::OsInfo;

#[derive(Debug, Default)]
pub struct DepsJsonCataloger;

fn is_deps_json(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.ends_with(".deps.json") && file.len() > ".deps.json".len()
}

impl Cataloger for DepsJsonCataloger {
    fn name(&self) -> &'static str {
        "dotnet-deps"
    }

    fn wants(&self, path: &str, size: u64, _mode: u32) -> Want {
        if is_deps_json(path) {
            keep_text(path, size)
        } else {
            Want::Skip
        }
    }

    fn catalog(&self, files: &Files, _os: Option<&OsInfo>, out: &mut Output) {
        for (path, _) in files.iter() {
            if !is_deps_json(path) {
                continue;
            }
            let Some(doc) = read_json(files, path, "deps.json", out) else {
                continue;
            };
            let Some(libraries) = doc.get("libraries") else {
                // A deps.json may legitimately list no libraries.
                continue;
            };
            let Some(libraries) = libraries.as_object() else {
                out.warn(path, "malformed deps.json: \"libraries\" is not an object");
                continue;
            };
            for (key, lib) in libraries {
                if lib.get("type").and_then(Value::as_str) != Some("package") {
                    continue;
                }
                match key.split_once('/') {
                    Some((name, version))
                        if !name.trim().is_empty() && !version.trim().is_empty() =>
                    {
                        out.packages.push(library(
                            Eco::NuGet,
                            name.trim(),
                            version.trim(),
                            crate::location(files, path),
                        ));
                    }
                    _ => out.warn(path, format!("library key {key:?} is not Name/Version")),
                }
            }
        }
    }
}
