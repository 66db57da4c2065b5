//! Alpine secdb (`secdb.alpinelinux.org/vX.Y/{main,community}.json`, and
//! the older YAML form of the same data): per origin package, the CVEs
//! fixed in each package version.
//!
//! Each CVE becomes a record affecting the origin in `Alpine:vX.Y` before
//! its fixed version. A fixed version of `0` means the release was never
//! affected (`not_affected`). A CVE listed under two fixed versions of one
//! package becomes two ranges, so versions below the later fix still match:
//! a missed fix is worse than a duplicate. Sources are
//! `alpine-secdb:vX.Y` (main and community together).

use super::{Feed, Input, NewAdvisory, NewAffected, SourceBatch, Syntax, advisory, fixed_range};
use crate::error::DbError;
use serde::Deserialize;
use std::collections::BTreeMap;
use tidewatch_types::FixState;

pub(crate) const FEED: Feed = Feed {
    name: "alpine-secdb",
    claims,
    parse,
};

const FORMAT: &str = "Alpine secdb";

fn claims(input: &Input<'_>) -> bool {
    matches!(input.syntax, Syntax::Json | Syntax::Yaml)
        && input.shape.has(0, "distroversion")
        && input.shape.has(0, "packages")
}

#[derive(Deserialize)]
struct SecDb {
    distroversion: String,
    #[serde(default)]
    packages: Option<Vec<Entry>>,
}

#[derive(Deserialize)]
struct Entry {
    pkg: Pkg,
}

#[derive(Deserialize)]
struct Pkg {
    name: String,
    /// Fixed version → ids fixed there. `BTreeMap` keeps output stable.
    #[serde(default)]
    secfixes: Option<BTreeMap<String, Option<Vec<String>>>>,
}

fn parse(input: &Input<'_>) -> Result<Vec<SourceBatch>, DbError> {
    let db: SecDb = match input.syntax {
        Syntax::Json => input.json(FORMAT)?,
        _ => input.yaml(FORMAT)?,
    };
    let release = db.distroversion.trim();
    let valid_release = release.strip_prefix('v').is_some_and(|v| {
        !v.is_empty()
            && v.split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    }) || release == "edge";
    if !valid_release {
        return Err(input.malformed(
            FORMAT,
            format!("distroversion {release:?} is not of the form vX.Y"),
        ));
    }
    let ecosystem = format!("Alpine:{release}");
    let mut batch = SourceBatch::new(format!("alpine-secdb:{release}"), "alpine-secdb");
    // (advisory id → index) so a CVE fixed in several packages is one record.
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for entry in db.packages.into_iter().flatten() {
        let name = entry.pkg.name.trim();
        if name.is_empty() {
            return Err(input.malformed(FORMAT, "package with an empty name"));
        }
        for (fixed, ids) in entry.pkg.secfixes.into_iter().flatten() {
            let fixed = fixed.trim();
            if fixed.is_empty() || fixed.contains(char::is_whitespace) {
                return Err(input.malformed(
                    FORMAT,
                    format!("{name}: fixed version {fixed:?} is not a version"),
                ));
            }
            for raw in ids.into_iter().flatten() {
                // Entries look like `CVE-2016-9932 XSA-200`: the first token
                // is the id, the rest are aliases.
                let mut tokens = raw.split_whitespace();
                let Some(id) = tokens.next() else { continue };
                let aliases: Vec<String> = tokens.map(str::to_string).collect();
                let mut affected = NewAffected::new(&ecosystem, name);
                if fixed == "0" {
                    affected.fix_state = Some(FixState::NotAffected);
                } else {
                    affected.ranges.push(fixed_range(fixed));
                }
                let i = *index.entry(id.to_string()).or_insert_with(|| {
                    batch.advisories.push(NewAdvisory {
                        advisory: advisory(id, "alpine-secdb"),
                        affected: Vec::new(),
                    });
                    batch.advisories.len() - 1
                });
                if let Some(adv) = batch.advisories.get_mut(i) {
                    for a in aliases {
                        if !adv.advisory.aliases.contains(&a) {
                            adv.advisory.aliases.push(a);
                        }
                    }
                    merge(&mut adv.affected, affected);
                }
            }
        }
    }
    Ok(vec![batch])
}

/// Adds `new` to the advisory's records, folding a second fixed version of
/// the same package into the existing record as another range.
fn merge(records: &mut Vec<NewAffected>, new: NewAffected) {
    if let Some(existing) = records.iter_mut().find(|r| r.package == new.package) {
        match (existing.fix_state, new.fix_state) {
            // "Not affected" next to a real fix: the fix is the stronger claim.
            (Some(FixState::NotAffected), None) => *existing = new,
            (_, Some(FixState::NotAffected)) => {}
            _ => {
                for r in new.ranges {
                    if !existing.ranges.contains(&r) {
                        existing.ranges.push(r);
                    }
                }
            }
        }
    } else {
        records.push(new);
    }
}
