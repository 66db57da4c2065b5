//! OSV records (<https://ossf.github.io/osv-schema/>) as JSON or YAML:
//! one record per file, a JSON array of records, or members of a zip such
//! as the OSV bucket's `<ecosystem>/all.zip`.
//!
//! Sources are `osv:<ecosystem>` (`osv:PyPI`, `osv:AlmaLinux:9`): a record
//! affecting packages in several ecosystems is stored once per ecosystem,
//! so re-importing one ecosystem's `all.zip` replaces exactly that
//! ecosystem. `related` ids (AlmaLinux puts CVEs there) join `aliases`.

use super::{Feed, Input, NewAdvisory, NewAffected, SourceBatch, Syntax, advisory};
use crate::error::DbError;
use crate::scoring;
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use tidewatch_types::{AffectedRange, RangeEvent, RangeKind, Severity};

pub(crate) const FEED: Feed = Feed {
    name: "osv",
    claims,
    parse,
};

const FORMAT: &str = "OSV";

fn claims(input: &Input<'_>) -> bool {
    let s = input.shape;
    matches!(input.syntax, Syntax::Json | Syntax::Yaml)
        && s.has(0, "id")
        && (s.has(0, "affected") || s.has(0, "modified") || s.has(0, "schema_version"))
        // The Debian tracker and NVD have neither a top-level `id`; the
        // FriendsOfPHP/RustSec formats have no `affected`/`modified`.
        && !s.has(0, "distroversion")
}

fn parse(input: &Input<'_>) -> Result<Vec<SourceBatch>, DbError> {
    let records: Vec<Record> = match input.syntax {
        Syntax::Json if input.shape.array => input.json(FORMAT)?,
        Syntax::Json => vec![input.json(FORMAT)?],
        _ => vec![input.yaml(FORMAT)?],
    };
    let mut batches: BTreeMap<String, SourceBatch> = BTreeMap::new();
    for record in records {
        for (ecosystem, adv) in convert(input, record)? {
            batches
                .entry(ecosystem.clone())
                .or_insert_with(|| SourceBatch::new(format!("osv:{ecosystem}"), "osv"))
                .advisories
                .push(adv);
        }
    }
    Ok(batches.into_values().collect())
}

/// One record, split per ecosystem.
fn convert(input: &Input<'_>, r: Record) -> Result<Vec<(String, NewAdvisory)>, DbError> {
    if r.id.trim().is_empty() {
        return Err(input.malformed(FORMAT, "record with an empty `id`"));
    }
    let mut adv = advisory(r.id.clone(), "osv");
    for alias in r
        .aliases
        .into_iter()
        .flatten()
        .chain(r.related.into_iter().flatten())
    {
        if alias != r.id && !adv.aliases.contains(&alias) {
            adv.aliases.push(alias);
        }
    }
    adv.title = r.summary.filter(|s| !s.trim().is_empty());
    adv.published = r.published;
    adv.modified = r.modified;
    adv.withdrawn = r.withdrawn.is_some();

    let mut vendor: Option<(Severity, &str)> = None;
    for s in r.severity.iter().flatten() {
        match s.kind.as_str() {
            "CVSS_V2" | "CVSS_V3" | "CVSS_V4" => {
                adv.cvss.extend(scoring::entry(&s.score, None, "osv"));
            }
            "Ubuntu" => vendor = s.score.parse().ok().map(|v| (v, "ubuntu")),
            _ => {}
        }
    }
    if let Some(sev) = r
        .database_specific
        .as_ref()
        .and_then(|d| d.severity.0.as_deref())
        .and_then(|s| s.parse::<Severity>().ok())
    {
        vendor = vendor.or(Some((sev, "osv")));
    }
    match vendor {
        Some((sev, src)) => {
            adv.severity = Some(sev);
            adv.severity_source = Some(src.to_string());
        }
        None => {
            if let Some((sev, src)) = scoring::best_severity(&adv.cvss) {
                adv.severity = Some(sev);
                adv.severity_source = Some(src);
            }
        }
    }

    let mut per_ecosystem: BTreeMap<String, Vec<NewAffected>> = BTreeMap::new();
    for (i, a) in r.affected.into_iter().flatten().enumerate() {
        // Entries without a package (OSS-Fuzz git-only records) name no
        // installable package and cannot match anything.
        let Some(pkg) = a.package else { continue };
        if pkg.ecosystem.trim().is_empty() || pkg.name.trim().is_empty() {
            return Err(input.malformed(
                FORMAT,
                format!(
                    "{}: affected[{i}] has an empty package name or ecosystem",
                    r.id
                ),
            ));
        }
        let ecosystem = normalise_ecosystem(&pkg.ecosystem);
        let mut f = NewAffected::new(ecosystem.clone(), pkg.name);
        f.binary_package = is_binary_ecosystem(&ecosystem);
        f.versions = a.versions.unwrap_or_default();
        for range in a.ranges.into_iter().flatten() {
            let kind = match range.kind.as_str() {
                "ECOSYSTEM" => RangeKind::Ecosystem,
                "SEMVER" => RangeKind::Semver,
                "GIT" => RangeKind::Git,
                other => {
                    tracing::debug!(file = input.path, id = %r.id, kind = other, "unknown OSV range type skipped");
                    continue;
                }
            };
            let mut events = Vec::new();
            for e in range.events {
                events.extend(e.introduced.map(RangeEvent::Introduced));
                events.extend(e.fixed.map(RangeEvent::Fixed));
                events.extend(e.last_affected.map(RangeEvent::LastAffected));
                events.extend(e.limit.map(RangeEvent::Limit));
            }
            if events.is_empty() {
                return Err(input.malformed(
                    FORMAT,
                    format!("{}: affected[{i}] has a range without events", r.id),
                ));
            }
            f.ranges.push(AffectedRange { kind, events });
        }
        let specific = [a.ecosystem_specific.as_ref(), a.database_specific.as_ref()];
        f.severity = specific
            .iter()
            .flatten()
            .find_map(|s| s.severity.0.as_deref().or(s.urgency.0.as_deref()))
            .and_then(|s| s.trim_end_matches('*').parse().ok());
        per_ecosystem.entry(ecosystem).or_default().push(f);
    }
    Ok(per_ecosystem
        .into_iter()
        .map(|(eco, affected)| {
            (
                eco,
                NewAdvisory {
                    advisory: adv.clone(),
                    affected,
                },
            )
        })
        .collect())
}

/// Red Hat's OSV suffix is a product CPE (`Red Hat:enterprise_linux:9::appstream`,
/// `Red Hat:rhel_eus:8.6::baseos`); an image cannot tell repositories or
/// EUS streams apart, so every RHEL stream maps to
/// `Red Hat:enterprise_linux:<major>` as the catalog names it. SUSE's
/// suffix is a product name, and SLES packages are mostly filed under its
/// modules (`SUSE:Linux Enterprise Module for Basesystem 15 SP5`): SUSE
/// products map as the SUSE CVRF importer maps them, onto the SLES
/// release the catalog names (`SUSE:Linux Enterprise Server 15 SP5`).
fn normalise_ecosystem(ecosystem: &str) -> String {
    if let Some(product) = ecosystem.strip_prefix("SUSE:") {
        return super::suse_cvrf::ecosystem_of_product(&format!("SUSE {product}"));
    }
    if let Some(cpe) = ecosystem.strip_prefix("Red Hat:") {
        let mut parts = cpe.split(':');
        let product = parts.next().unwrap_or_default();
        let version = parts.next().unwrap_or_default();
        let major: String = version.chars().take_while(|c| c.is_ascii_digit()).collect();
        if matches!(
            product,
            "enterprise_linux" | "rhel_eus" | "rhel_aus" | "rhel_e4s" | "rhel_tus"
        ) && !major.is_empty()
        {
            return format!("Red Hat:enterprise_linux:{major}");
        }
    }
    ecosystem.to_string()
}

/// Distro ecosystems whose OSV records name binary packages.
fn is_binary_ecosystem(ecosystem: &str) -> bool {
    let base = ecosystem.split(':').next().unwrap_or_default();
    matches!(
        base,
        "AlmaLinux" | "Rocky Linux" | "Red Hat" | "SUSE" | "openSUSE" | "Mageia" | "openEuler"
    )
}

#[derive(Deserialize)]
struct Record {
    id: String,
    modified: Option<String>,
    published: Option<String>,
    withdrawn: Option<String>,
    aliases: Option<Vec<String>>,
    related: Option<Vec<String>>,
    summary: Option<String>,
    severity: Option<Vec<SeverityEntry>>,
    affected: Option<Vec<Affected>>,
    database_specific: Option<Specific>,
}

#[derive(Deserialize)]
struct SeverityEntry {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize)]
struct Affected {
    package: Option<Package>,
    ranges: Option<Vec<Range>>,
    versions: Option<Vec<String>>,
    ecosystem_specific: Option<Specific>,
    database_specific: Option<Specific>,
}

#[derive(Deserialize)]
struct Package {
    ecosystem: String,
    name: String,
}

#[derive(Deserialize)]
struct Range {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    introduced: Option<String>,
    fixed: Option<String>,
    last_affected: Option<String>,
    limit: Option<String>,
}

/// `database_specific` / `ecosystem_specific`: free-form objects; only a
/// string `severity` or `urgency` is read, anything else is ignored.
#[derive(Deserialize, Default)]
struct Specific {
    #[serde(default)]
    severity: Lenient,
    #[serde(default)]
    urgency: Lenient,
}

/// A string if the value is one; any other value is skipped.
#[derive(Default)]
struct Lenient(Option<String>);

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Lenient;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Lenient, E> {
                Ok(Lenient(Some(v.to_string())))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Lenient, E> {
                Ok(Lenient(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Lenient, E> {
                Ok(Lenient(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Lenient, E> {
                Ok(Lenient(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Lenient, E> {
                Ok(Lenient(None))
            }
            fn visit_unit<E>(self) -> Result<Lenient, E> {
                Ok(Lenient(None))
            }
            fn visit_none<E>(self) -> Result<Lenient, E> {
                Ok(Lenient(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Lenient, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Lenient(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Lenient, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Lenient(None))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::normalise_ecosystem;

    #[test]
    fn red_hat_streams_scope_to_product_and_major() {
        assert_eq!(
            normalise_ecosystem("Red Hat:enterprise_linux:9::appstream"),
            "Red Hat:enterprise_linux:9"
        );
        assert_eq!(
            normalise_ecosystem("Red Hat:rhel_eus:8.6::baseos"),
            "Red Hat:enterprise_linux:8"
        );
        assert_eq!(
            normalise_ecosystem("Red Hat:openshift:4.12"),
            "Red Hat:openshift:4.12"
        );
        assert_eq!(normalise_ecosystem("AlmaLinux:9"), "AlmaLinux:9");
        assert_eq!(
            normalise_ecosystem("SUSE:Linux Enterprise Module for Basesystem 15 SP5"),
            "SUSE:Linux Enterprise Server 15 SP5"
        );
        assert_eq!(
            normalise_ecosystem("SUSE:Linux Enterprise Server 15 SP5"),
            "SUSE:Linux Enterprise Server 15 SP5"
        );
        assert_eq!(
            normalise_ecosystem("openSUSE:Leap 15.5"),
            "openSUSE:Leap 15.5"
        );
    }
}
