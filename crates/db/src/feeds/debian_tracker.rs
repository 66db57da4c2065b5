//! The Debian security tracker JSON
//! (`security-tracker.debian.org/tracker/data/json`):
//! `{source package: {CVE: {releases: {codename: {status, fixed_version,
//! urgency, nodsa, nodsa_reason}}}}}`.
//!
//! Per release and source package: `resolved` with a fixed version → a
//! fixed range (`0` → `not_affected`); `open` → `end_of_life` (urgency
//! `end-of-life`), `will_not_fix` (`ignored`), `fix_deferred` (`no-dsa`,
//! `postponed`) or `not_fixed`; `undetermined` → `under_investigation`.
//! Urgency becomes the per-package severity (`unimportant` → NEGLIGIBLE;
//! a trailing `**` — urgency guessed from NVD — is dropped). `sid` is
//! `Debian:sid`; other unnumbered suites (`experimental`) are skipped. Sources are
//! `debian-tracker:<codename>`.

use super::debian_oval::RELEASES;
use super::{
    Feed, Input, NewAdvisory, NewAffected, SourceBatch, Syntax, advisory, all_versions, fixed_range,
};
use crate::error::DbError;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use tidewatch_types::{FixState, Severity};

pub(crate) const FEED: Feed = Feed {
    name: "debian-tracker",
    claims,
    parse,
};

const FORMAT: &str = "Debian security tracker";

fn claims(input: &Input<'_>) -> bool {
    let s = input.shape;
    input.syntax == Syntax::Json
        && !s.array
        && s.levels[1].first().is_some_and(|k| {
            k.starts_with("CVE-") || k.starts_with("TEMP-") || k.starts_with("DSA-")
        })
        && (s.has(2, "releases") || s.has(2, "description") || s.has(2, "scope"))
}

type Tracker = BTreeMap<String, BTreeMap<String, Issue>>;

#[derive(Deserialize)]
struct Issue {
    #[serde(default, deserialize_with = "map_or_empty_list")]
    releases: BTreeMap<String, Release>,
}

#[derive(Deserialize)]
struct Release {
    status: String,
    fixed_version: Option<String>,
    urgency: Option<String>,
    nodsa: Option<String>,
    nodsa_reason: Option<String>,
}

/// PHP-style JSON writes an empty map as `[]`.
fn map_or_empty_list<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Release>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Map(BTreeMap<String, Release>),
        List(Vec<serde::de::IgnoredAny>),
    }
    match Either::deserialize(d)? {
        Either::Map(m) => Ok(m),
        Either::List(l) if l.is_empty() => Ok(BTreeMap::new()),
        Either::List(_) => Err(serde::de::Error::custom(
            "`releases` is a non-empty list, expected an object",
        )),
    }
}

fn parse(input: &Input<'_>) -> Result<Vec<SourceBatch>, DbError> {
    let tracker: Tracker = input.json(FORMAT)?;
    let codename_to_major: HashMap<&str, &str> = RELEASES.iter().map(|(m, c)| (*c, *m)).collect();
    let mut batches: BTreeMap<&str, SourceBatch> = BTreeMap::new();
    for (package, issues) in &tracker {
        for (cve, issue) in issues {
            for (codename, rel) in &issue.releases {
                // Unstable has no number; the catalog calls it `Debian:sid`.
                let release = match codename_to_major.get(codename.as_str()) {
                    Some(major) => *major,
                    None if codename == "sid" => "sid",
                    None => continue,
                };
                let mut f = NewAffected::new(format!("Debian:{release}"), package);
                let urgency = rel
                    .urgency
                    .as_deref()
                    .unwrap_or_default()
                    .trim_end_matches('*');
                f.severity = match urgency {
                    "" | "end-of-life" | "not yet assigned" => None,
                    u => u.parse::<Severity>().ok(),
                };
                match rel.status.as_str() {
                    "resolved" => {
                        match rel.fixed_version.as_deref().map(str::trim) {
                            Some("0") => f.fix_state = Some(FixState::NotAffected),
                            Some(v) if !v.is_empty() => f.ranges.push(fixed_range(v)),
                            _ => {
                                return Err(input.malformed(
                                FORMAT,
                                format!("{package} {cve} {codename}: resolved without a fixed version"),
                            ));
                            }
                        }
                    }
                    "open" => {
                        f.ranges.push(all_versions());
                        f.fix_state = Some(if urgency == "end-of-life" {
                            FixState::EndOfLife
                        } else {
                            match rel.nodsa_reason.as_deref() {
                                Some("ignored") => FixState::WillNotFix,
                                Some("postponed") => FixState::FixDeferred,
                                _ if rel.nodsa.is_some() => FixState::FixDeferred,
                                _ => FixState::NotFixed,
                            }
                        });
                    }
                    "undetermined" => {
                        f.ranges.push(all_versions());
                        f.fix_state = Some(FixState::UnderInvestigation);
                    }
                    other => {
                        return Err(input.malformed(
                            FORMAT,
                            format!("{package} {cve} {codename}: unknown status {other:?}"),
                        ));
                    }
                }
                let batch = batches.entry(codename.as_str()).or_insert_with(|| {
                    SourceBatch::new(format!("debian-tracker:{codename}"), "debian-tracker")
                });
                batch.advisories.push(NewAdvisory {
                    advisory: advisory(cve, "debian-tracker"),
                    affected: vec![f],
                });
            }
        }
    }
    Ok(batches.into_values().collect())
}
