//! Red Hat and Rocky Linux OVAL (`com.redhat.rhsa-RHEL9.xml`,
//! `org.rockylinux.rlsa-9.xml`): one definition per errata (RHSA/RHBA/
//! RLSA…) listing the fixed EVR of each **binary** RPM.
//!
//! Ecosystems are `Red Hat:enterprise_linux:<major>` (as the catalog
//! names RHEL, see `tidewatch-catalog`'s `os/ecosystem.rs`) and
//! `Rocky Linux:<major>` (the major
//! release from the platform, the advisory's CPE or the affected CPE
//! list); fixed versions keep the feed's `epoch:version-release`. A
//! package listed under an "Module <name:stream> is enabled" criterion is
//! recorded with that module so the matcher compares modular packages only
//! with their own stream. Sources are `redhat-oval:<major>` and
//! `rocky-oval:<major>`.

use super::oval::{self, Definition, Oval};
use super::{Feed, Input, NewAdvisory, NewAffected, SourceBatch, Syntax, advisory, fixed_range};
use crate::error::DbError;
use tidewatch_types::Severity;

pub(crate) const FEED: Feed = Feed {
    name: "redhat-oval",
    claims,
    parse,
};

const FORMAT: &str = "Red Hat OVAL";

fn claims(input: &Input<'_>) -> bool {
    let head = input.head(16 * 1024);
    input.syntax == Syntax::Xml
        && (oval::is_oval(head, "oval:com.redhat.") || oval::is_oval(head, "oval:org.rockylinux."))
}

/// The distro flavour of a file, from its definition ids.
#[derive(Clone, Copy)]
enum Vendor {
    RedHat,
    Rocky,
}

impl Vendor {
    fn feed(self) -> &'static str {
        match self {
            Vendor::RedHat => "redhat-oval",
            Vendor::Rocky => "rocky-oval",
        }
    }
    fn ecosystem(self) -> &'static str {
        match self {
            // catalog's `os/ecosystem.rs`: RHEL is scoped to product + major.
            Vendor::RedHat => "Red Hat:enterprise_linux",
            Vendor::Rocky => "Rocky Linux",
        }
    }
}

/// The major release a definition applies to.
fn major_of(def: &Definition) -> Option<String> {
    let digits = |s: &str| -> Option<String> {
        let d: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
        (!d.is_empty()).then_some(d)
    };
    for p in &def.platforms {
        // "Red Hat Enterprise Linux 9", "Rocky Linux 9"
        if let Some(last) = p.split_whitespace().last()
            && let Some(d) = digits(last)
        {
            return Some(d);
        }
    }
    // cpe:/o:rocky:rocky:9:GA, cpe:/a:redhat:enterprise_linux:9::appstream
    for cpe in def.advisory_from.iter().chain(def.cpes.iter()) {
        if let Some(field) = cpe.strip_prefix("cpe:/").and_then(|c| c.split(':').nth(3))
            && let Some(d) = digits(field)
        {
            return Some(d);
        }
    }
    None
}

fn parse(input: &Input<'_>) -> Result<Vec<SourceBatch>, DbError> {
    let doc: Oval = oval::parse(input.path, FORMAT, input.bytes)?;
    let vendor = if input.head(16 * 1024).contains("oval:org.rockylinux.") {
        Vendor::Rocky
    } else {
        Vendor::RedHat
    };
    let file_major = doc.definitions.iter().find_map(major_of);
    let mut batches: Vec<SourceBatch> = Vec::new();
    for def in &doc.definitions {
        if def.class != "patch" && def.class != "vulnerability" {
            continue;
        }
        let Some(major) = major_of(def).or_else(|| file_major.clone()) else {
            return Err(input.malformed(
                FORMAT,
                format!("definition {} names no release (platform or CPE)", def.id),
            ));
        };
        let title = def.title.as_deref().unwrap_or_default();
        // "RHSA-2022:1728: java-11-openjdk security update (Important)"
        let Some(id) = title
            .split_whitespace()
            .next()
            .map(|t| t.trim_end_matches(':'))
            .filter(|t| !t.is_empty())
        else {
            return Err(input.malformed(FORMAT, format!("definition {} has no title", def.id)));
        };
        let mut adv = advisory(id, vendor.feed());
        adv.title = title
            .split_once(": ")
            .map(|(_, t)| t.trim().to_string())
            .filter(|t| !t.is_empty());
        def.fill_advisory(&mut adv, id, vendor.feed());
        if let Some(s) = def
            .severity
            .as_deref()
            .and_then(|s| s.parse::<Severity>().ok())
        {
            adv.severity = Some(s);
            adv.severity_source = Some(vendor.feed().into());
        }
        let ecosystem = format!("{}:{major}", vendor.ecosystem());
        let mut affected = Vec::new();
        if let Some(criteria) = &def.criteria {
            criteria.walk(&mut |test_ref, siblings| {
                let Some((names, evr)) = doc.less_than(test_ref) else {
                    return;
                };
                let module = siblings.iter().find_map(|c| {
                    c.strip_prefix("Module ")
                        .and_then(|m| m.strip_suffix(" is enabled"))
                        .map(str::to_string)
                });
                for name in names {
                    let mut f = NewAffected::new(&ecosystem, name);
                    f.binary_package = true;
                    f.module = module.clone();
                    f.ranges.push(fixed_range(&evr));
                    if !affected.contains(&f) {
                        affected.push(f);
                    }
                }
            });
        }
        if affected.is_empty() {
            continue;
        }
        let source = format!("{}:{major}", vendor.feed());
        let batch = match batches.iter_mut().position(|b| b.name == source) {
            Some(i) => &mut batches[i],
            None => {
                batches.push(SourceBatch::new(source, vendor.feed()));
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
