//! FriendsOfPHP security advisories (`<vendor>/<package>/<id>.yaml`): a
//! title, an optional CVE, `reference: composer://vendor/package` and per
//! branch a list of Composer constraints (`['>=2.7.0', '<2.7.51']`) that
//! together bound the affected versions of that branch.
//!
//! The branches, OR-ed, become exact OSV events through
//! `tidewatch_version::requirement::to_ranges` (Composer order); branches
//! that meet merge into one range. The id is
//! the CVE when there is one (the feed has no id of its own), otherwise
//! `<vendor>/<package>/<file stem>`; two files for one CVE and package
//! merge into one record. One source: `friendsofphp:Packagist`.

use super::{Feed, Input, NewAffected, SourceBatch, Syntax, advisory};
use crate::error::DbError;
use serde::Deserialize;
use std::collections::BTreeMap;
use tidewatch_types::AffectedRange;
use tidewatch_version::Scheme;
use tidewatch_version::requirement::to_ranges;

pub(crate) const FEED: Feed = Feed {
    name: "friendsofphp",
    claims,
    parse,
};

const FORMAT: &str = "FriendsOfPHP advisory";
const ECOSYSTEM: &str = "Packagist";

fn claims(input: &Input<'_>) -> bool {
    input.syntax == Syntax::Yaml
        && input.shape.has(0, "branches")
        && input.shape.has(0, "reference")
}

#[derive(Deserialize)]
struct Record {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    cve: Option<String>,
    reference: String,
    /// Branch name → its constraints. `BTreeMap` keeps output stable.
    branches: BTreeMap<String, Branch>,
}

#[derive(Deserialize)]
struct Branch {
    #[serde(default)]
    versions: Vec<String>,
}

fn parse(input: &Input<'_>) -> Result<Vec<SourceBatch>, DbError> {
    let record: Record = input.yaml(FORMAT)?;
    let package = record
        .reference
        .trim()
        .strip_prefix("composer://")
        .map(str::trim)
        .filter(|p| p.split('/').count() == 2 && p.split('/').all(|s| !s.is_empty()))
        .ok_or_else(|| {
            input.malformed(
                FORMAT,
                format!(
                    "reference {:?} is not composer://vendor/package",
                    record.reference
                ),
            )
        })?;
    let cve = record
        .cve
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty() && *c != "~");
    let id = match cve {
        Some(cve) => cve.to_string(),
        None => {
            let stem = std::path::Path::new(input.path.rsplit("!/").next().unwrap_or(input.path))
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            format!("{package}/{stem}")
        }
    };
    let mut adv = advisory(&id, "friendsofphp");
    adv.title = record
        .title
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());

    if record.branches.is_empty() {
        return Err(input.malformed(FORMAT, format!("{id}: no branches")));
    }
    let mut branches = Vec::new();
    for (name, branch) in &record.branches {
        if branch.versions.is_empty() {
            return Err(input.malformed(FORMAT, format!("{id}: branch {name:?} lists no versions")));
        }
        let constraint: Vec<&str> = branch.versions.iter().map(|v| v.trim()).collect();
        branches.push(constraint.join(","));
    }
    // One constraint for all branches, so that branches which meet
    // (`<3.1.0` then `>=3.1.0`) merge and no branch end poses as a fix.
    let ranges = to_ranges(Scheme::Composer, &branches.join(" || "))
        .map_err(|e| input.malformed(FORMAT, format!("{id}: {e}")))?;
    let mut affected = NewAffected::new(ECOSYSTEM, package);
    affected.ranges = ranges.into_iter().map(AffectedRange::ecosystem).collect();

    Ok(SourceBatch::single(
        format!("friendsofphp:{ECOSYSTEM}"),
        "friendsofphp",
        adv,
        vec![affected],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feeds::parse_claimed;
    use tidewatch_types::RangeEvent;

    fn run(text: &str) -> Result<Vec<SourceBatch>, DbError> {
        parse_claimed(
            &FEED,
            "symfony/symfony/CVE-2099-0001.yaml",
            text,
            Syntax::Yaml,
        )
    }

    #[test]
    fn branches_become_ranges() {
        let text = "title: t\ncve: CVE-2099-0001\nbranches:\n    2.7.x:\n        time: 2019-04-16 12:00:00\n        versions: ['>=2.7.0', '<2.7.51']\n    3.4.x:\n        time: ~\n        versions: [ '>=3.4.0', '<3.4.26' ]\n    3.0.x:\n        versions: ['>=3.0.0', '<3.1.0']\n    3.1.x:\n        versions: ['>=3.1.0', '<3.4.0']\nreference: composer://symfony/symfony\n";
        let batches = run(text).expect("parse");
        assert_eq!(batches[0].name, "friendsofphp:Packagist");
        let adv = &batches[0].advisories[0];
        assert_eq!(adv.advisory.id, "CVE-2099-0001");
        let aff = &adv.affected[0];
        assert_eq!(
            (aff.ecosystem.as_str(), aff.package.as_str()),
            ("Packagist", "symfony/symfony")
        );
        let events: Vec<&[RangeEvent]> = aff.ranges.iter().map(|r| &r.events[..]).collect();
        assert_eq!(
            events,
            [
                &[
                    RangeEvent::Introduced("2.7.0".into()),
                    RangeEvent::Fixed("2.7.51".into())
                ][..],
                &[
                    RangeEvent::Introduced("3.0.0".into()),
                    RangeEvent::Fixed("3.4.26".into())
                ][..],
            ]
        );
    }

    #[test]
    fn without_cve_the_id_comes_from_the_file() {
        let text = "title: t\ncve: ~\nbranches:\n    master:\n        versions: [<2.0.4]\nreference: composer://symfony/symfony\n";
        let batches = run(text).expect("parse");
        let adv = &batches[0].advisories[0];
        assert_eq!(adv.advisory.id, "symfony/symfony/CVE-2099-0001");
        assert_eq!(
            adv.affected[0].ranges[0].events,
            [
                RangeEvent::Introduced("0".into()),
                RangeEvent::Fixed("2.0.4".into())
            ]
        );
    }

    #[test]
    fn malformed_records_name_the_file() {
        for bad in [
            // Not a composer reference.
            "branches:\n    m:\n        versions: ['<1.0']\nreference: https://x\n",
            // A constraint that is none.
            "branches:\n    m:\n        versions: ['<=banana']\nreference: composer://a/b\n",
            // No versions in a branch.
            "branches:\n    m:\n        versions: []\nreference: composer://a/b\n",
            // Broken YAML.
            "branches: [\nreference: composer://a/b\n",
        ] {
            let err = run(bad).expect_err(bad);
            assert!(err.to_string().contains("CVE-2099-0001.yaml"), "{err}");
        }
    }
}
