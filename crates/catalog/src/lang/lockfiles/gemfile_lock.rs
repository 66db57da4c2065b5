//! `Gemfile.lock`: the `specs:` of its `GEM`, `GIT` and `PATH` sections.
//!
//! Spec lines sit at four spaces (`    rack (2.2.3)`); their own
//! dependencies at six and are skipped. A platform suffix
//! (`nokogiri (1.13.10-x86_64-linux)`) is not part of the version (gem
//! versions never contain `-`). Gems from `GIT` or `PATH` sources are not
//! the rubygems.org releases advisories describe: they are listed without
//! an ecosystem, with their source in the metadata.

use super::identity::{Eco, package};
use super::{LockfileError, Parsed};

pub(super) fn parse(text: &str) -> Result<Parsed, LockfileError> {
    let mut parsed = Parsed::default();
    let mut section = "";
    let mut in_specs = false;
    let mut saw_section = false;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            section = line.trim();
            saw_section = true;
            in_specs = false;
            continue;
        }
        if line.trim() == "specs:" {
            in_specs = matches!(section, "GEM" | "GIT" | "PATH");
            continue;
        }
        if !in_specs || !line.starts_with("    ") || line.starts_with("     ") {
            continue;
        }
        let spec = line.trim();
        let parsed_spec = spec
            .split_once(" (")
            .and_then(|(n, rest)| rest.strip_suffix(')').map(|v| (n.trim(), v.trim())));
        let Some((name, version)) = parsed_spec.filter(|(n, v)| !n.is_empty() && !v.is_empty())
        else {
            parsed
                .problems
                .push(format!("line {}: malformed spec {spec:?}", i + 1));
            continue;
        };
        let (version, platform) = match version.split_once('-') {
            Some((v, p)) => (v, Some(p)),
            None => (version, None),
        };
        let mut p = package(Eco::RubyGems, name, version);
        if let Some(platform) = platform {
            p.metadata.insert("platform".into(), platform.into());
        }
        if section != "GEM" {
            p.ecosystem = None;
            p.metadata
                .insert("source".into(), section.to_ascii_lowercase());
        }
        parsed.packages.push(p);
    }
    if !saw_section {
        return Err(LockfileError::Format("no GEM/GIT/PATH section".into()));
    }
    Ok(parsed)
}
