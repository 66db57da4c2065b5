//! Ubuntu USN OVAL (`com.ubuntu.<codename>.usn.oval.xml`): one definition
//! per USN, listing the fixed version of each **binary** package.
//!
//! Records are marked `binary_package` so the matcher compares installed
//! binary names, not source names. The ecosystem is `Ubuntu:<version>`
//! plus `:LTS` for LTS releases, from the inventory definition ("Check that
//! Ubuntu 22.04 LTS (jammy) is installed"). Kernel live-patch notices test
//! the running kernel, which an image does not have, and are skipped.
//! Sources are `ubuntu-oval:<codename>`.

use super::oval::{self, Oval};
use super::{Feed, Input, NewAdvisory, NewAffected, SourceBatch, Syntax, advisory, fixed_range};
use crate::error::DbError;
use tidewatch_types::Severity;

pub(crate) const FEED: Feed = Feed {
    name: "ubuntu-oval",
    claims,
    parse,
};

const FORMAT: &str = "Ubuntu OVAL";

fn claims(input: &Input<'_>) -> bool {
    input.syntax == Syntax::Xml && oval::is_oval(input.head(16 * 1024), "oval:com.ubuntu.")
}

/// `Ubuntu 22.04 LTS (jammy)` → (`Ubuntu:22.04:LTS`, `jammy`).
fn release_of(title: &str) -> Option<(String, String)> {
    let rest = title.split("Ubuntu ").nth(1)?;
    let mut words = rest.split_whitespace();
    let version = words.next()?;
    if !version.bytes().all(|b| b.is_ascii_digit() || b == b'.') || version.is_empty() {
        return None;
    }
    let lts = rest.contains(" LTS");
    let codename = rest
        .split_once('(')?
        .1
        .split_once(')')?
        .0
        .trim()
        .to_string();
    let ecosystem = if lts {
        format!("Ubuntu:{version}:LTS")
    } else {
        format!("Ubuntu:{version}")
    };
    Some((ecosystem, codename))
}

fn parse(input: &Input<'_>) -> Result<Vec<SourceBatch>, DbError> {
    let doc: Oval = oval::parse(input.path, FORMAT, input.bytes)?;
    let (ecosystem, codename) = doc
        .definitions
        .iter()
        .filter(|d| d.class == "inventory")
        .find_map(|d| d.title.as_deref().and_then(release_of))
        .ok_or_else(|| {
            input.malformed(FORMAT, "no inventory definition naming the Ubuntu release")
        })?;
    let mut batch = SourceBatch::new(format!("ubuntu-oval:{codename}"), "ubuntu-oval");
    for def in &doc.definitions {
        if def.class != "patch" && def.class != "vulnerability" {
            continue;
        }
        let title = def.title.as_deref().unwrap_or_default();
        let Some(id) = title
            .split_whitespace()
            .next()
            .filter(|t| t.starts_with("USN-") || t.starts_with("CVE-"))
        else {
            // LSN (kernel live patch) and other notices.
            continue;
        };
        let mut adv = advisory(id, "ubuntu-oval");
        adv.title = title
            .split_once(" -- ")
            .map(|(_, t)| t.trim().to_string())
            .filter(|t| !t.is_empty());
        def.fill_advisory(&mut adv, id, "ubuntu");
        // "None" is Ubuntu's word for "no severity assigned".
        // Without a notice-level severity, the worst CVE priority stands in.
        let parse_sev = |s: &str| {
            Some(s)
                .filter(|s| !s.eq_ignore_ascii_case("none"))
                .and_then(|s| s.parse::<Severity>().ok())
        };
        let severity = def.severity.as_deref().and_then(parse_sev).or_else(|| {
            def.cves
                .iter()
                .filter_map(|c| c.priority.as_deref().and_then(parse_sev))
                .max()
        });
        if let Some(s) = severity {
            adv.severity = Some(s);
            adv.severity_source = Some("ubuntu".into());
        }
        let mut affected = Vec::new();
        if let Some(criteria) = &def.criteria {
            criteria.walk(&mut |test_ref, _| {
                if let Some((names, evr)) = doc.less_than(test_ref) {
                    for name in names {
                        let mut f = NewAffected::new(&ecosystem, name);
                        f.binary_package = true;
                        f.severity = severity;
                        f.ranges.push(fixed_range(oval::strip_zero_epoch(&evr)));
                        if !affected.contains(&f) {
                            affected.push(f);
                        }
                    }
                }
            });
        }
        if !affected.is_empty() {
            batch.advisories.push(NewAdvisory {
                advisory: adv,
                affected,
            });
        }
    }
    Ok(vec![batch])
}

#[cfg(test)]
mod tests {
    use super::release_of;

    #[test]
    fn release_names() {
        assert_eq!(
            release_of("Check that Ubuntu 22.04 LTS (jammy) is installed."),
            Some(("Ubuntu:22.04:LTS".into(), "jammy".into()))
        );
        assert_eq!(
            release_of("Check that Ubuntu 23.10 (mantic) is installed."),
            Some(("Ubuntu:23.10".into(), "mantic".into()))
        );
        assert_eq!(release_of("Check that Debian is installed."), None);
    }
}
