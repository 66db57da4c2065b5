//! SUSE OVAL (`suse.linux.enterprise.server.15.xml`,
//! `opensuse.leap.15.5.xml`): one definition per CVE, whose criteria pair
//! "`<product>` is installed" with the **binary** RPM tests ("kernel-default
//! is <4.12.14-197.89.2") of the builds that fix it on that product.
//!
//! A package test applies to the products stated in the `AND` groups
//! around it, either as a criterion of the group or as an `OR` group of
//! product criteria next to the packages. Products map to ecosystems as in
//! the SUSE CVRF importer ([`super::suse_cvrf::ecosystem_of_product`]:
//! modules, SAP, LTSS fold into `SUSE:Linux Enterprise Server <v> SP<n>`).
//! "`<package>` is not affected" tests and criteria whose test is missing
//! from the file record nothing, as in vunnel's reader.
//!
//! The definition's `<severity>` (SUSE's rating: Low, Moderate, Important,
//! Critical) is the advisory severity, with source `suse-oval`. Sources
//! are `suse-oval:<ecosystem>`.

use super::oval::{self, Criteria, Node, Oval};
use super::rpm_fix::{self, Fixes};
use super::suse_cvrf::ecosystem_of_product;
use super::{Feed, Input, NewAdvisory, SourceBatch, Syntax, advisory};
use crate::error::DbError;
use crate::scoring;
use std::collections::BTreeMap;

pub(crate) const FEED: Feed = Feed {
    name: NAME,
    claims,
    parse,
};

const NAME: &str = "suse-oval";
const FORMAT: &str = "SUSE OVAL";

fn claims(input: &Input<'_>) -> bool {
    input.syntax == Syntax::Xml
        && oval::is_oval(input.head(16 * 1024), "oval:org.opensuse.security")
}

fn parse(input: &Input<'_>) -> Result<Vec<SourceBatch>, DbError> {
    let doc: Oval = oval::parse(input.path, FORMAT, input.bytes)?;
    let mut batches: BTreeMap<String, SourceBatch> = BTreeMap::new();
    for def in &doc.definitions {
        if def.class != "vulnerability" && def.class != "patch" {
            continue;
        }
        let id = def
            .title
            .as_deref()
            .and_then(|t| t.split_whitespace().next())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| input.malformed(FORMAT, format!("definition {} has no title", def.id)))?
            .to_string();
        let mut adv = advisory(&id, NAME);
        adv.published = def.issued.clone();
        adv.modified = def.updated.clone();
        for c in &def.cves {
            // "CVE-2010-1323 at NVD": the CVSS entry of another source.
            let text = c.id.split_whitespace().collect::<Vec<_>>().join(" ");
            let (cve, source) = match text.split_once(" at ") {
                Some((cve, "SUSE")) => (cve, NAME),
                Some((cve, _)) => (cve, "nvd"),
                None => (text.as_str(), NAME),
            };
            if !cve.is_empty() && cve != id && !adv.aliases.iter().any(|a| a == cve) {
                adv.aliases.push(cve.to_string());
            }
            if let Some(v) = &c.cvss_vector
                && let Some(entry) = scoring::entry(v, c.cvss_score, source)
                && !adv.cvss.contains(&entry)
            {
                adv.cvss.push(entry);
            }
        }
        let severity = rpm_fix::vendor_severity(def.severity.as_deref().unwrap_or_default())
            .map_err(|e| input.malformed(FORMAT, format!("{id}: {e}")))?;
        if let Some(s) = severity {
            adv.severity = Some(s);
            adv.severity_source = Some(NAME.into());
        }
        let mut per_ecosystem: BTreeMap<String, Fixes> = BTreeMap::new();
        if let Some(criteria) = &def.criteria {
            walk(&doc, criteria, &[], &mut |products, test_ref| {
                let Some((names, evr)) = doc.less_than(test_ref) else {
                    return;
                };
                let evr = oval::strip_zero_epoch(&evr).to_string();
                for product in products {
                    let fixes = per_ecosystem
                        .entry(ecosystem_of_product(product))
                        .or_default();
                    for name in &names {
                        fixes.add(name, &evr, None);
                    }
                }
            });
        }
        for (ecosystem, fixes) in per_ecosystem {
            batches
                .entry(ecosystem.clone())
                .or_insert_with(|| SourceBatch::new(format!("{NAME}:{ecosystem}"), NAME))
                .advisories
                .push(NewAdvisory {
                    advisory: adv.clone(),
                    affected: fixes.into_affected(&ecosystem, true, rpm_fix::plain),
                });
        }
    }
    Ok(batches.into_values().collect())
}

/// "SUSE Linux Enterprise Server 15 SP1-LTSS is installed" → the product,
/// when the criterion is not a package test.
fn product_of<'a>(doc: &Oval, test_ref: &str, comment: Option<&'a str>) -> Option<&'a str> {
    let product = comment?.strip_suffix(" is installed")?;
    (product.starts_with("SUSE ") || product.starts_with("openSUSE "))
        .then_some(product)
        .filter(|_| doc.less_than(test_ref).is_none())
}

/// The products an `OR` group of product criteria names, if that is all
/// it holds.
fn product_group<'a>(doc: &Oval, c: &'a Criteria) -> Option<Vec<&'a str>> {
    if c.nodes.is_empty() {
        return None;
    }
    c.nodes
        .iter()
        .map(|n| match n {
            Node::Criterion { test_ref, comment } => product_of(doc, test_ref, comment.as_deref()),
            Node::Criteria(_) => None,
        })
        .collect()
}

/// Visits every criterion with the products the `AND` groups around it
/// require.
fn walk<'a>(doc: &Oval, c: &'a Criteria, outer: &[&'a str], f: &mut dyn FnMut(&[&'a str], &str)) {
    let mut here: Vec<&'a str> = Vec::new();
    if c.operator.eq_ignore_ascii_case("AND") {
        for n in &c.nodes {
            match n {
                Node::Criterion { test_ref, comment } => {
                    here.extend(product_of(doc, test_ref, comment.as_deref()));
                }
                Node::Criteria(inner) => {
                    if let Some(products) = product_group(doc, inner) {
                        here.extend(products);
                    }
                }
            }
        }
    }
    let products: &[&'a str] = if here.is_empty() { outer } else { &here };
    for n in &c.nodes {
        match n {
            Node::Criterion { test_ref, .. } => f(products, test_ref),
            Node::Criteria(inner) => walk(doc, inner, products, f),
        }
    }
}
