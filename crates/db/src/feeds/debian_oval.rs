//! Debian OVAL (`oval-definitions-<codename>.xml[.bz2]`): one definition
//! per (CVE, source package) with a "DPKG is earlier than V" test.
//!
//! Records are on source packages in `Debian:<major>` (from the platform
//! `Debian GNU/Linux 12`). "Earlier than 0" can never be true, so those are
//! stored as `not_affected`. Sources are `debian-oval:<codename>`.

use super::oval::{self, Oval};
use super::{Feed, Input, NewAdvisory, NewAffected, SourceBatch, Syntax, advisory, fixed_range};
use crate::error::DbError;
use tidewatch_types::FixState;

pub(crate) const FEED: Feed = Feed {
    name: "debian-oval",
    claims,
    parse,
};

const FORMAT: &str = "Debian OVAL";

fn claims(input: &Input<'_>) -> bool {
    input.syntax == Syntax::Xml && oval::is_oval(input.head(16 * 1024), "oval:org.debian")
}

/// Debian release numbers and codenames, for naming sources.
pub(crate) const RELEASES: &[(&str, &str)] = &[
    ("6", "squeeze"),
    ("7", "wheezy"),
    ("8", "jessie"),
    ("9", "stretch"),
    ("10", "buster"),
    ("11", "bullseye"),
    ("12", "bookworm"),
    ("13", "trixie"),
    ("14", "forky"),
    ("15", "duke"),
];

fn parse(input: &Input<'_>) -> Result<Vec<SourceBatch>, DbError> {
    let doc: Oval = oval::parse(input.path, FORMAT, input.bytes)?;
    let mut batches: Vec<SourceBatch> = Vec::new();
    for def in &doc.definitions {
        if def.class != "vulnerability" && def.class != "patch" {
            continue;
        }
        let Some(major) = def
            .platforms
            .iter()
            .find_map(|p| p.strip_prefix("Debian GNU/Linux "))
            .map(str::trim)
        else {
            return Err(input.malformed(
                FORMAT,
                format!(
                    "definition {} names no `Debian GNU/Linux N` platform",
                    def.id
                ),
            ));
        };
        if major.is_empty() || !major.bytes().all(|b| b.is_ascii_digit()) {
            return Err(input.malformed(
                FORMAT,
                format!("platform release {major:?} is not a number"),
            ));
        }
        let id = def
            .title
            .as_deref()
            .and_then(|t| t.split_whitespace().next())
            .or_else(|| def.references.first().map(|(_, id)| id.as_str()))
            .ok_or_else(|| {
                input.malformed(FORMAT, format!("definition {} has no title", def.id))
            })?;
        let mut adv = advisory(id, "debian-oval");
        for (_, r) in &def.references {
            if r != id && !adv.aliases.contains(r) {
                adv.aliases.push(r.clone());
            }
        }
        let ecosystem = format!("Debian:{major}");
        let mut affected = Vec::new();
        if let Some(criteria) = &def.criteria {
            criteria.walk(&mut |test_ref, _| {
                if let Some((names, evr)) = doc.less_than(test_ref) {
                    for name in names {
                        let mut f = NewAffected::new(&ecosystem, name);
                        let fixed = oval::strip_zero_epoch(&evr);
                        if fixed == "0" {
                            f.fix_state = Some(FixState::NotAffected);
                        } else {
                            f.ranges.push(fixed_range(fixed));
                        }
                        if !affected.contains(&f) {
                            affected.push(f);
                        }
                    }
                }
            });
        }
        if affected.is_empty() {
            continue;
        }
        let source = match RELEASES.iter().find(|(m, _)| *m == major) {
            Some((_, codename)) => format!("debian-oval:{codename}"),
            None => format!("debian-oval:{major}"),
        };
        let batch = match batches.iter_mut().find(|b| b.name == source) {
            Some(b) => b,
            None => {
                batches.push(SourceBatch::new(source, "debian-oval"));
                let last = batches.len() - 1;
                &mut batches[last]
            }
        };
        batch.advisories.push(NewAdvisory {
            advisory: adv,
            affected,
        });
    }
    Ok(batches)
}
