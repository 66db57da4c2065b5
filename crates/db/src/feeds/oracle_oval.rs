//! Oracle Linux ELSA OVAL (`com.oracle.elsa-all.xml`,
//! `com.oracle.elsa-<year>.xml`): one definition per ELSA listing the fixed
//! `epoch:version-release` of each **binary** RPM.
//!
//! One definition may cover several releases ("Oracle Linux 5 is
//! installed" and "Oracle Linux 6 is installed" branches) and several
//! architectures with different builds ("Oracle Linux arch is aarch64"):
//! each package test takes its release and architecture from the
//! criteria it sits under. Ecosystems are `Oracle:<major>` (as the catalog
//! names Oracle Linux); sources are `oracle-oval:<major>`.
//!
//! The package and fixed version come from the rpminfo test's object and
//! "evr less than" state; files without tests (vuln-list's and vunnel's
//! samples keep only definitions) fall back to the criterion comment
//! "`<name>` is earlier than `<evr>`", which Oracle generates from the same
//! data.
//!
//! Ksplice user-space builds (`2:1.1.1g-15.ksplice1.el8_3`), FIPS builds
//! (`_fips`) and UEK kernels (`.el7uek`) are separate version lines of the
//! same package names; the fixed version keeps its marker and the matcher
//! compares a package only with fixes of its own kind (see
//! `tidewatch-match`'s `rpm_rules`). Per-architecture builds are recorded
//! with their architecture (`rpm_fix`).
//!
//! The ELSA's `<severity>` (LOW, MODERATE, IMPORTANT, CRITICAL) is the
//! advisory severity, with source `oracle-oval`.

use super::oval::{self, Criteria, Node, Oval};
use super::rpm_fix::{self, Fixes};
use super::{Feed, Input, NewAdvisory, SourceBatch, Syntax, advisory};
use crate::error::DbError;
use crate::scoring;
use std::collections::BTreeMap;

pub(crate) const FEED: Feed = Feed {
    name: NAME,
    claims,
    parse,
};

const NAME: &str = "oracle-oval";
const FORMAT: &str = "Oracle ELSA OVAL";

fn claims(input: &Input<'_>) -> bool {
    input.syntax == Syntax::Xml && oval::is_oval(input.head(16 * 1024), "oval:com.oracle.elsa")
}

/// What the criteria above a package test say.
#[derive(Clone, Default)]
struct Context {
    release: Option<String>,
    arch: Option<String>,
}

fn parse(input: &Input<'_>) -> Result<Vec<SourceBatch>, DbError> {
    let doc: Oval = oval::parse(input.path, FORMAT, input.bytes)?;
    let mut batches: BTreeMap<String, SourceBatch> = BTreeMap::new();
    for def in &doc.definitions {
        if def.class != "patch" && def.class != "vulnerability" {
            continue;
        }
        let id = def
            .references
            .iter()
            .find(|(src, _)| src.eq_ignore_ascii_case("elsa"))
            .map(|(_, r)| r.clone())
            .or_else(|| {
                // "ELSA-2007-0057:  Moderate: bind security update  (MODERATE)"
                def.title
                    .as_deref()
                    .and_then(|t| t.split_whitespace().next())
                    .map(|t| t.trim_end_matches(':').to_string())
            })
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                input.malformed(FORMAT, format!("definition {} names no ELSA id", def.id))
            })?;
        if !id.starts_with("ELSA-") {
            // Bug-fix and enhancement errata fix no vulnerability.
            continue;
        }
        let mut adv = advisory(&id, NAME);
        adv.title = def
            .title
            .as_deref()
            .and_then(|t| t.split_once(": "))
            .map(|(_, t)| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty());
        adv.published = def.issued.clone();
        adv.modified = def.updated.clone();
        for (src, r) in &def.references {
            if src.eq_ignore_ascii_case("CVE") && !adv.aliases.contains(r) {
                adv.aliases.push(r.clone());
            }
        }
        for c in &def.cves {
            if !c.id.is_empty() && !adv.aliases.contains(&c.id) {
                adv.aliases.push(c.id.clone());
            }
            if let Some(v) = &c.cvss_vector {
                adv.cvss.extend(scoring::entry(v, c.cvss_score, NAME));
            }
        }
        let severity = rpm_fix::vendor_severity(def.severity.as_deref().unwrap_or_default())
            .map_err(|e| input.malformed(FORMAT, format!("{id}: {e}")))?;
        if let Some(s) = severity {
            adv.severity = Some(s);
            adv.severity_source = Some(NAME.into());
        }
        // A definition for one release may not repeat it in its criteria.
        let platform_release = match def.platforms.as_slice() {
            [one] => release_of(one, "Oracle Linux "),
            _ => None,
        };
        let mut per_release: BTreeMap<String, Fixes> = BTreeMap::new();
        let mut unplaced = None;
        if let Some(criteria) = &def.criteria {
            let base = Context {
                release: platform_release.clone(),
                arch: None,
            };
            walk(criteria, &base, &mut |ctx, test_ref, comment| {
                let Some((names, evr)) = package_test(&doc, test_ref, comment) else {
                    return;
                };
                let Some(release) = ctx.release.clone() else {
                    unplaced = Some(names.join(", "));
                    return;
                };
                let evr = oval::strip_zero_epoch(&evr).to_string();
                let fixes = per_release.entry(release).or_default();
                for name in &names {
                    fixes.add(name, &evr, ctx.arch.as_deref());
                }
            });
        }
        if let Some(names) = unplaced {
            return Err(input.malformed(
                FORMAT,
                format!("{id}: cannot tell the Oracle Linux release of {names}"),
            ));
        }
        for (release, fixes) in per_release {
            let affected = fixes.into_affected(&format!("Oracle:{release}"), true, rpm_fix::plain);
            batches
                .entry(release.clone())
                .or_insert_with(|| SourceBatch::new(format!("{NAME}:{release}"), NAME))
                .advisories
                .push(NewAdvisory {
                    advisory: adv.clone(),
                    affected,
                });
        }
    }
    Ok(batches.into_values().collect())
}

/// Visits every criterion with the release and architecture stated by
/// the criteria of the `AND` groups around it.
fn walk(c: &Criteria, outer: &Context, f: &mut dyn FnMut(&Context, &str, Option<&str>)) {
    let mut ctx = outer.clone();
    if c.operator.eq_ignore_ascii_case("AND") {
        for n in &c.nodes {
            if let Node::Criterion {
                comment: Some(comment),
                ..
            } = n
            {
                if let Some(r) = comment
                    .strip_suffix(" is installed")
                    .and_then(|s| release_of(s, "Oracle Linux "))
                {
                    ctx.release = Some(r);
                }
                if let Some(a) = comment.strip_prefix("Oracle Linux arch is ") {
                    ctx.arch = Some(a.trim().to_string());
                }
            }
        }
    }
    for n in &c.nodes {
        match n {
            Node::Criterion { test_ref, comment } => f(&ctx, test_ref, comment.as_deref()),
            Node::Criteria(inner) => walk(inner, &ctx, f),
        }
    }
}

/// `Oracle Linux 8` → `8`.
fn release_of(text: &str, prefix: &str) -> Option<String> {
    let rest = text.trim().strip_prefix(prefix)?;
    let major: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (!major.is_empty() && rest.len() == major.len()).then_some(major)
}

/// The package names and fixed evr of a package test: from the test's
/// object and state, else from a "`name` is earlier than `evr`" comment.
fn package_test(
    doc: &Oval,
    test_ref: &str,
    comment: Option<&str>,
) -> Option<(Vec<String>, String)> {
    if let Some(found) = doc.less_than(test_ref) {
        return Some(found);
    }
    if doc.tests.contains_key(test_ref) {
        // A resolvable test that is not an "earlier than" (signature key,
        // release, arch): nothing to record.
        return None;
    }
    let (name, evr) = comment?.split_once(" is earlier than ")?;
    let (name, evr) = (name.trim(), evr.trim());
    (!name.is_empty() && !name.contains(' ') && !evr.is_empty() && !evr.contains(' '))
        .then(|| (vec![name.to_string()], evr.to_string()))
}

#[cfg(test)]
mod tests {
    use super::release_of;

    #[test]
    fn releases() {
        assert_eq!(
            release_of("Oracle Linux 8", "Oracle Linux ").as_deref(),
            Some("8")
        );
        assert_eq!(
            release_of("Oracle Linux 10", "Oracle Linux ").as_deref(),
            Some("10")
        );
        assert_eq!(release_of("Oracle Linux arch", "Oracle Linux "), None);
        assert_eq!(release_of("Oracle VM 3", "Oracle Linux "), None);
    }
}
