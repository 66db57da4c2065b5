//! RustSec advisories (`rustsec-advisory-db/crates/<crate>/RUSTSEC-*.md`):
//! Markdown with a fenced TOML front block (`[advisory]`, `[versions]`).
//!
//! RustSec lists what is *not* affected: `patched` and `unaffected` Cargo
//! requirement lists. Affected = in neither, turned into exact OSV events
//! by `tidewatch_version::requirement::complement_to_ranges` (SemVer
//! ranges; no lists at all means every version). `informational`
//! advisories (`unmaintained`, `unsound`, `notice`) are kept; the model
//! has no field for the flag, so it is carried as severity `NEGLIGIBLE`
//! with `severity_source` `rustsec:informational:<kind>`, which keeps them
//! out of `--severity` gates that start at LOW. The title is the
//! Markdown's first `# ` heading. One source: `rustsec:crates.io`.

use super::{Feed, Input, NewAffected, SourceBatch, Syntax, advisory};
use crate::error::DbError;
use crate::scoring;
use serde::Deserialize;
use tidewatch_types::{AffectedRange, RangeKind, Severity};
use tidewatch_version::Scheme;
use tidewatch_version::requirement::complement_to_ranges;

pub(crate) const FEED: Feed = Feed {
    name: "rustsec",
    claims,
    parse,
};

const FORMAT: &str = "RustSec";
const ECOSYSTEM: &str = "crates.io";
const FENCE: &str = "```toml";

fn claims(input: &Input<'_>) -> bool {
    if input.syntax != Syntax::Other {
        return false;
    }
    let head = input.head(512);
    head.trim_start().starts_with(FENCE) && head.contains("[advisory]")
}

#[derive(Deserialize)]
struct Front {
    advisory: AdvisoryTable,
    #[serde(default)]
    versions: Option<Versions>,
}

#[derive(Deserialize)]
struct AdvisoryTable {
    id: String,
    package: String,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    #[serde(default)]
    cvss: Option<String>,
    #[serde(default)]
    informational: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
}

#[derive(Deserialize, Default)]
struct Versions {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

fn parse(input: &Input<'_>) -> Result<Vec<SourceBatch>, DbError> {
    let text = input.text(FORMAT)?;
    let body = text
        .trim_start()
        .strip_prefix(FENCE)
        .ok_or_else(|| input.malformed(FORMAT, "no ```toml front block"))?;
    let (toml_text, markdown) = body
        .split_once("\n```")
        .ok_or_else(|| input.malformed(FORMAT, "front block is not closed with ```"))?;
    let front: Front = toml::from_str(toml_text).map_err(|e| input.malformed(FORMAT, e))?;
    let a = front.advisory;
    let id = a.id.trim();
    let package = a.package.trim();
    if id.is_empty() || package.is_empty() {
        return Err(input.malformed(FORMAT, "empty `id` or `package`"));
    }

    let mut adv = advisory(id, "rustsec");
    for alias in a.aliases.iter().chain(&a.related) {
        let alias = alias.trim();
        if !alias.is_empty() && alias != id && !adv.aliases.iter().any(|x| x == alias) {
            adv.aliases.push(alias.to_string());
        }
    }
    adv.title = markdown
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    adv.published = a.date;
    adv.withdrawn = a.withdrawn.is_some();
    if let Some(vector) = a.cvss.as_deref() {
        let entry = scoring::entry(vector.trim(), None, "rustsec").ok_or_else(|| {
            input.malformed(FORMAT, format!("{id}: invalid CVSS vector {vector:?}"))
        })?;
        adv.cvss.push(entry);
    }
    match a.informational.as_deref().map(str::trim) {
        Some(kind) if !kind.is_empty() => {
            adv.severity = Some(Severity::Negligible);
            adv.severity_source = Some(format!("rustsec:informational:{kind}"));
        }
        _ => {
            if let Some((sev, src)) = scoring::best_severity(&adv.cvss) {
                adv.severity = Some(sev);
                adv.severity_source = Some(src);
            }
        }
    }

    let versions = front.versions.unwrap_or_default();
    let patched: Vec<&str> = versions.patched.iter().map(|s| s.trim()).collect();
    let unaffected: Vec<&str> = versions.unaffected.iter().map(|s| s.trim()).collect();
    let ranges = complement_to_ranges(Scheme::Semver, &patched, &unaffected)
        .map_err(|e| input.malformed(FORMAT, format!("{id}: {e}")))?;
    let mut affected = NewAffected::new(ECOSYSTEM, package);
    affected.ranges = ranges
        .into_iter()
        .map(|events| AffectedRange {
            kind: RangeKind::Semver,
            events,
        })
        .collect();

    Ok(SourceBatch::single(
        format!("rustsec:{ECOSYSTEM}"),
        "rustsec",
        adv,
        vec![affected],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feeds::parse_claimed;
    use crate::shape::Shape;
    use tidewatch_types::RangeEvent;

    fn run(text: &str) -> Result<Vec<SourceBatch>, DbError> {
        parse_claimed(
            &FEED,
            "crates/demo/RUSTSEC-2099-0001.md",
            text,
            Syntax::Other,
        )
    }

    const RECORD: &str = r#"```toml
[advisory]
id = "RUSTSEC-2099-0001"
package = "demo"
date = "2020-12-21"
aliases = ["CVE-2020-36212", "GHSA-vq23-5h4f-vwpv"]
cvss = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"

[versions]
patched = [">= 0.9.1", "^0.8.4"]
unaffected = ["< 0.2.0"]
```

# Demo title
"#;

    #[test]
    fn patched_and_unaffected_become_ranges() {
        let batches = run(RECORD).expect("parse");
        let [batch] = &batches[..] else {
            panic!("one batch")
        };
        assert_eq!(batch.name, "rustsec:crates.io");
        let [adv] = &batch.advisories[..] else {
            panic!("one advisory")
        };
        assert_eq!(adv.advisory.id, "RUSTSEC-2099-0001");
        assert_eq!(
            adv.advisory.aliases,
            ["CVE-2020-36212", "GHSA-vq23-5h4f-vwpv"]
        );
        assert_eq!(adv.advisory.title.as_deref(), Some("Demo title"));
        assert_eq!(adv.advisory.severity, Some(Severity::High));
        let [aff] = &adv.affected[..] else {
            panic!("one package")
        };
        assert_eq!(
            (aff.ecosystem.as_str(), aff.package.as_str()),
            ("crates.io", "demo")
        );
        let events: Vec<&[RangeEvent]> = aff.ranges.iter().map(|r| &r.events[..]).collect();
        assert_eq!(
            events,
            [
                &[
                    RangeEvent::Introduced("0.2.0".into()),
                    RangeEvent::Fixed("0.8.4".into())
                ][..],
                &[
                    RangeEvent::Introduced("0.9.0-0".into()),
                    RangeEvent::Fixed("0.9.1".into())
                ][..],
            ]
        );
    }

    #[test]
    fn informational_without_versions_is_kept_and_flagged() {
        let text = "```toml\n[advisory]\nid = \"RUSTSEC-2099-0002\"\npackage = \"old\"\ninformational = \"unmaintained\"\n\n[versions]\npatched = []\n```\n";
        let batches = run(text).expect("parse");
        let adv = &batches[0].advisories[0];
        assert_eq!(adv.advisory.severity, Some(Severity::Negligible));
        assert_eq!(
            adv.advisory.severity_source.as_deref(),
            Some("rustsec:informational:unmaintained")
        );
        assert_eq!(
            adv.affected[0].ranges[0].events,
            [RangeEvent::Introduced("0".into())]
        );
    }

    #[test]
    fn malformed_records_name_the_file() {
        for bad in [
            // Unclosed front block.
            "```toml\n[advisory]\nid = \"X\"\npackage = \"p\"\n",
            // Broken TOML.
            "```toml\n[advisory]\nid = \"X\npackage = \"p\"\n```\n",
            // Missing package.
            "```toml\n[advisory]\nid = \"X\"\n```\n",
            // A patched entry that is no requirement.
            "```toml\n[advisory]\nid = \"X\"\npackage = \"p\"\n[versions]\npatched = [\">= banana\"]\n```\n",
            // A CVSS vector that is not one.
            "```toml\n[advisory]\nid = \"X\"\npackage = \"p\"\ncvss = \"CVSS:9/xx\"\n```\n",
        ] {
            let err = run(bad).expect_err(bad);
            assert!(err.to_string().contains("RUSTSEC-2099-0001.md"), "{err}");
        }
    }

    #[test]
    fn other_markdown_is_not_claimed() {
        let shape = Shape::default();
        let input = Input {
            path: "README.md",
            bytes: b"# RustSec Advisory Database\n",
            syntax: Syntax::Other,
            shape: &shape,
        };
        assert!(!claims(&input));
    }
}
