//! Red Hat CSAF VEX (`cve-2024-10041.json`, one file per CVE from
//! `security.access.redhat.com/data/csaf/v2/vex/`), and Red Hat CSAF
//! security advisories, which share the layout.
//!
//! Each `product_status` entry is a product id such as
//! `AppStream-9.2.0.Z.MAIN:openssl-1:3.0.7-18.el9_2.x86_64` or
//! `red_hat_enterprise_linux_9:openssl`: the `product_tree` relationships
//! split it into a platform (whose CPE gives the RHEL major) and a
//! component (whose purl gives the rpm name, epoch, version, release, arch
//! and `rpmmod` module). Modular components sit one level deeper
//! (platform → `nodejs:20:8090020231019152822:a75119d5` → rpm), or name
//! their stream as `nodejs:16/nodejs`; either way the record gets the
//! module's `name:stream`, which the matcher compares with the package's
//! modularity label.
//!
//! Only main-stream RHEL platforms (`cpe:/o:redhat:enterprise_linux:9`,
//! `cpe:/a:redhat:enterprise_linux:9::appstream`, …) are kept, under the
//! ecosystem the Red Hat OVAL importer and the catalog use,
//! `Red Hat:enterprise_linux:<major>`. EUS/AUS/E4S/TUS/ELS streams and
//! layered products are left out: their fixes are on other version lines,
//! and a package does not say which stream it came from (see
//! `docs/architecture.md`).
//!
//! States: `fixed` → a range fixed at the component's
//! `epoch:version-release` (binary rpms only: source rpms carry no epoch in
//! the package's `sourcerpm`, so comparing them would be wrong; Red Hat
//! lists every binary of a fix); `known_affected` → every version, with
//! the remediation's state (`none_available` "Affected" → not fixed,
//! "Deferred" → fix deferred, `no_fix_planned` "Will not fix" → will not
//! fix, "Out of support scope" → end of life); `under_investigation` →
//! every version, under investigation; `known_not_affected` → recorded as
//! not affected. Unfixed components named by their source rpm
//! (`?arch=src`) are recorded source-keyed, binaries binary-keyed. Files
//! without `product_status` (older exports) take the state from the
//! remediation categories. The advisory id is the CVE; the RHSAs of the
//! `vendor_fix` remediations become aliases. `threats` of category
//! `impact` give the per-package severity (Critical/Important/Moderate/Low);
//! the document's `aggregate_severity` the advisory's. Sources are
//! `redhat-csaf:<major>`.

use super::{
    Feed, Input, NewAdvisory, NewAffected, SourceBatch, Syntax, advisory, all_versions, fixed_range,
};
use crate::error::DbError;
use crate::scoring;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr;
use tidewatch_types::{FixState, Severity};

pub(crate) const FEED: Feed = Feed {
    name: "redhat-csaf",
    claims,
    parse,
};

const FORMAT: &str = "Red Hat CSAF VEX";
const FEED_NAME: &str = "redhat-csaf";

fn claims(input: &Input<'_>) -> bool {
    let s = input.shape;
    input.syntax == Syntax::Json
        && !s.array
        && s.has(0, "document")
        && (s.has(1, "csaf_version") || s.has(0, "product_tree"))
}

#[derive(Deserialize)]
struct Csaf {
    document: Document,
    #[serde(default)]
    product_tree: ProductTree,
    #[serde(default)]
    vulnerabilities: Option<Vec<Vulnerability>>,
}

#[derive(Deserialize)]
struct Document {
    #[serde(default)]
    aggregate_severity: Option<Text>,
    #[serde(default)]
    title: Option<String>,
    tracking: Tracking,
}

#[derive(Deserialize)]
struct Text {
    text: String,
}

#[derive(Deserialize)]
struct Tracking {
    id: String,
    #[serde(default)]
    initial_release_date: Option<String>,
    #[serde(default)]
    current_release_date: Option<String>,
}

#[derive(Deserialize, Default)]
struct ProductTree {
    #[serde(default)]
    branches: Vec<Branch>,
    #[serde(default)]
    full_product_names: Vec<Product>,
    #[serde(default)]
    relationships: Vec<Relationship>,
}

#[derive(Deserialize)]
struct Branch {
    #[serde(default)]
    branches: Vec<Branch>,
    #[serde(default)]
    product: Option<Product>,
}

#[derive(Deserialize)]
struct Product {
    product_id: String,
    #[serde(default)]
    product_identification_helper: Option<Helper>,
}

#[derive(Deserialize)]
struct Helper {
    #[serde(default)]
    cpe: Option<String>,
    #[serde(default)]
    purl: Option<String>,
}

#[derive(Deserialize)]
struct Relationship {
    full_product_name: Product,
    product_reference: String,
    relates_to_product_reference: String,
}

#[derive(Deserialize)]
struct Vulnerability {
    #[serde(default)]
    cve: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    release_date: Option<String>,
    #[serde(default)]
    product_status: Option<ProductStatus>,
    #[serde(default)]
    remediations: Vec<Remediation>,
    #[serde(default)]
    scores: Vec<Score>,
    #[serde(default)]
    threats: Vec<Threat>,
}

#[derive(Deserialize, Default)]
struct ProductStatus {
    #[serde(default)]
    fixed: Vec<String>,
    #[serde(default)]
    known_affected: Vec<String>,
    #[serde(default)]
    known_not_affected: Vec<String>,
    #[serde(default)]
    under_investigation: Vec<String>,
}

#[derive(Deserialize)]
struct Remediation {
    category: String,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    product_ids: Vec<String>,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Deserialize)]
struct Score {
    #[serde(default)]
    cvss_v3: Option<CvssEntry>,
    #[serde(default)]
    cvss_v2: Option<CvssEntry>,
}

#[derive(Deserialize)]
struct CvssEntry {
    #[serde(rename = "vectorString")]
    vector_string: String,
    #[serde(rename = "baseScore", default)]
    base_score: Option<f64>,
}

#[derive(Deserialize)]
struct Threat {
    category: String,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    product_ids: Vec<String>,
}

/// A product id's status, before it is tied to a package.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Fixed,
    Affected,
    Investigating,
    NotAffected,
}

/// The package a product id names, on a main-stream RHEL platform.
#[derive(Debug, PartialEq)]
struct Component {
    major: String,
    name: String,
    /// `epoch:version-release`, when the product names a build.
    evr: Option<String>,
    /// Named by its source rpm (`arch=src`).
    source: bool,
    /// `name:stream` of the module the build belongs to.
    module: Option<String>,
}

/// The lookups a document's product tree offers.
struct Tree<'a> {
    helpers: HashMap<&'a str, &'a Helper>,
    relationships: HashMap<&'a str, &'a Relationship>,
}

impl<'a> Tree<'a> {
    fn new(tree: &'a ProductTree) -> Self {
        fn walk<'a>(branches: &'a [Branch], out: &mut HashMap<&'a str, &'a Helper>) {
            for b in branches {
                if let Some(p) = &b.product
                    && let Some(h) = &p.product_identification_helper
                {
                    // Red Hat repeats some products; the first one wins.
                    out.entry(p.product_id.as_str()).or_insert(h);
                }
                walk(&b.branches, out);
            }
        }
        let mut helpers = HashMap::new();
        for p in &tree.full_product_names {
            if let Some(h) = &p.product_identification_helper {
                helpers.entry(p.product_id.as_str()).or_insert(h);
            }
        }
        walk(&tree.branches, &mut helpers);
        let relationships = tree
            .relationships
            .iter()
            .map(|r| (r.full_product_name.product_id.as_str(), r))
            .collect();
        Tree {
            helpers,
            relationships,
        }
    }

    /// The component a product id names, if it is an rpm on a main-stream
    /// RHEL platform.
    fn component(&self, product_id: &str) -> Option<Component> {
        let rel = self.relationships.get(product_id)?;
        let part = rel.product_reference.as_str();
        let mut parent = rel.relates_to_product_reference.as_str();
        let mut module = None;
        // A modular build is a component of a module, itself a component
        // of the platform.
        if let Some(outer) = self.relationships.get(parent) {
            module = self.module_of(&outer.product_reference);
            parent = outer.relates_to_product_reference.as_str();
        }
        let cpe = self.helpers.get(parent)?.cpe.as_deref()?;
        let major = rhel_major(cpe)?;
        let mut c = match self.helpers.get(part).and_then(|h| h.purl.as_deref()) {
            Some(purl) => from_purl(purl)?,
            None => from_product_id(part)?,
        };
        c.major = major;
        if c.module.is_none() {
            c.module = module;
        }
        Some(c)
    }

    /// `nodejs:20:8090020231019152822:a75119d5` (or its `pkg:rpmmod` purl)
    /// → `nodejs:20`.
    fn module_of(&self, reference: &str) -> Option<String> {
        if let Some(purl) = self.helpers.get(reference).and_then(|h| h.purl.as_deref())
            && let Ok(p) = packageurl::PackageUrl::from_str(purl)
            && p.ty() == "rpmmod"
            && let Some(stream) = p.version().and_then(|v| v.split(':').next())
            && !stream.is_empty()
        {
            return Some(format!("{}:{stream}", p.name()));
        }
        name_stream(reference)
    }
}

/// `name:stream` from `name:stream[:version:context]`.
fn name_stream(s: &str) -> Option<String> {
    let mut parts = s.split(':');
    let name = parts.next().filter(|n| !n.is_empty() && !n.contains('/'))?;
    let stream = parts
        .next()
        .filter(|st| !st.is_empty() && !st.contains('/'))?;
    Some(format!("{name}:{stream}"))
}

/// The RHEL major of a main-stream platform CPE:
/// `cpe:/o:redhat:enterprise_linux:9`, `cpe:/a:redhat:enterprise_linux:8::appstream`.
fn rhel_major(cpe: &str) -> Option<String> {
    let rest = cpe.strip_prefix("cpe:/")?;
    let mut f = rest.split(':');
    let part = f.next()?;
    let (vendor, product, version) = (f.next()?, f.next()?, f.next()?);
    (matches!(part, "o" | "a")
        && vendor == "redhat"
        && product == "enterprise_linux"
        && !version.is_empty()
        && version.chars().all(|c| c.is_ascii_digit()))
    .then(|| version.to_string())
}

/// A component from its purl: `pkg:rpm/redhat/pam@1.5.1-21.el9_5?arch=x86_64`,
/// `pkg:rpm/redhat/openssl?arch=src`, `…?epoch=1&rpmmod=nodejs:18:…`.
fn from_purl(purl: &str) -> Option<Component> {
    let p = packageurl::PackageUrl::from_str(purl).ok()?;
    if p.ty() != "rpm" {
        // OCI images, rpmmod modules themselves, …
        return None;
    }
    let q = p.qualifiers();
    let evr = p.version().filter(|v| !v.is_empty()).map(|v| {
        if v.contains(':') {
            v.to_string()
        } else {
            let epoch = q.get("epoch").map(|e| e.as_ref()).unwrap_or("0");
            format!("{epoch}:{v}")
        }
    });
    Some(Component {
        major: String::new(),
        name: p.name().to_string(),
        evr,
        source: q.get("arch").is_some_and(|a| a == "src"),
        module: q.get("rpmmod").and_then(|m| name_stream(m)),
    })
}

/// A component from its product id, for products without a purl:
/// `pam-0:1.5.1-21.el9_5.x86_64`, `nodejs:16/nodejs`, `pam`,
/// `httpd-0:2.4.37-65.module+el8.10.0+21982+14717793.aarch64::httpd:2.4`.
fn from_product_id(part: &str) -> Option<Component> {
    let (part, mut module) = match part.split_once("::") {
        Some((p, m)) => (p, name_stream(m)),
        None => (part, None),
    };
    let part = match part.rsplit_once('/') {
        Some((m, p)) => {
            module = name_stream(m);
            module.as_ref()?;
            p
        }
        None => part,
    };
    // name-epoch:version-release.arch
    let nevra = part.split_once(':').and_then(|(name_epoch, vra)| {
        let (name, epoch) = name_epoch.rsplit_once('-')?;
        if epoch.is_empty() || !epoch.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let (vr, arch) = vra.rsplit_once('.')?;
        let (version, release) = vr.rsplit_once('-')?;
        (!name.is_empty() && !version.is_empty() && !release.is_empty() && !arch.is_empty())
            .then(|| (name, format!("{epoch}:{version}-{release}"), arch))
    });
    let (name, evr, source) = match nevra {
        Some((name, evr, arch)) => (name, Some(evr), arch == "src"),
        None if !part.is_empty() && !part.contains([':', '/', ' ']) => (part, None, false),
        None => return None,
    };
    Some(Component {
        major: String::new(),
        name: name.to_string(),
        evr,
        source,
        module,
    })
}

/// The state an unfixed product's remediation gives it.
fn open_state(category: &str, details: &str) -> Option<FixState> {
    let d = details.trim().to_ascii_lowercase();
    Some(match category {
        "no_fix_planned" if d == "out of support scope" => FixState::EndOfLife,
        "no_fix_planned" => FixState::WillNotFix,
        "none_available" if d.contains("defer") => FixState::FixDeferred,
        "none_available" => FixState::NotFixed,
        _ => return None,
    })
}

/// `https://access.redhat.com/errata/RHSA-2024:9941` → `RHSA-2024:9941`.
fn errata_id(url: &str) -> Option<&str> {
    let id = url.trim_end_matches('/').rsplit('/').next()?;
    (id.starts_with("RH") && id.contains('-')).then_some(id)
}

/// What one file says about one package in one major.
#[derive(Default)]
struct Acc {
    fixed: Vec<String>,
    open: Option<FixState>,
    not_affected: bool,
    severity: Option<Severity>,
}

type Key = (String, String, bool, Option<String>);

fn parse(input: &Input<'_>) -> Result<Vec<SourceBatch>, DbError> {
    let doc: Csaf = input.json(FORMAT)?;
    let tree = Tree::new(&doc.product_tree);
    let aggregate = doc
        .document
        .aggregate_severity
        .as_ref()
        .and_then(|s| s.text.parse::<Severity>().ok())
        .filter(|s| *s != Severity::Unknown);
    let mut batches: BTreeMap<String, SourceBatch> = BTreeMap::new();
    for vuln in doc.vulnerabilities.iter().flatten() {
        let Some(cve) = vuln
            .cve
            .as_deref()
            .or(Some(doc.document.tracking.id.as_str()))
            .map(str::trim)
            .filter(|c| !c.is_empty())
        else {
            return Err(input.malformed(FORMAT, "a vulnerability has no CVE id"));
        };
        let mut status: HashMap<&str, Status> = HashMap::new();
        if let Some(ps) = &vuln.product_status {
            // Later lists win over earlier ones for a repeated id: the
            // order makes "not affected" the last word, as Red Hat means it.
            for (ids, s) in [
                (&ps.under_investigation, Status::Investigating),
                (&ps.known_affected, Status::Affected),
                (&ps.fixed, Status::Fixed),
                (&ps.known_not_affected, Status::NotAffected),
            ] {
                for id in ids {
                    status.insert(id.as_str(), s);
                }
            }
        }
        let mut open: HashMap<&str, FixState> = HashMap::new();
        let mut errata: HashMap<&str, &str> = HashMap::new();
        for r in &vuln.remediations {
            let inferred = match r.category.as_str() {
                "vendor_fix" => Some(Status::Fixed),
                "none_available" | "no_fix_planned" => Some(Status::Affected),
                _ => None,
            };
            let state = open_state(&r.category, r.details.as_deref().unwrap_or_default());
            let rhsa = r.url.as_deref().and_then(errata_id);
            for id in &r.product_ids {
                if let Some(s) = inferred {
                    status.entry(id.as_str()).or_insert(s);
                }
                if let Some(st) = state {
                    open.insert(id.as_str(), st);
                }
                if r.category == "vendor_fix"
                    && let Some(rhsa) = rhsa
                {
                    errata.insert(id.as_str(), rhsa);
                }
            }
        }
        let mut impact: HashMap<&str, Severity> = HashMap::new();
        for t in vuln.threats.iter().filter(|t| t.category == "impact") {
            let Some(s) = t
                .details
                .as_deref()
                .and_then(|d| d.parse::<Severity>().ok())
            else {
                continue;
            };
            for id in &t.product_ids {
                impact.insert(id.as_str(), s);
            }
        }

        let mut packages: BTreeMap<Key, Acc> = BTreeMap::new();
        let mut aliases: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut ids: Vec<(&str, Status)> = status.iter().map(|(k, v)| (*k, *v)).collect();
        ids.sort_by_key(|(k, _)| *k);
        for (id, s) in ids {
            let Some(c) = tree.component(id) else {
                continue;
            };
            if s == Status::Fixed && (c.source || c.evr.is_none()) {
                continue;
            }
            let key = (c.major.clone(), c.name, !c.source, c.module);
            let acc = packages.entry(key).or_default();
            match s {
                Status::Fixed => {
                    if let Some(evr) = c.evr
                        && !acc.fixed.contains(&evr)
                    {
                        acc.fixed.push(evr);
                    }
                    if let Some(rhsa) = errata.get(id) {
                        aliases
                            .entry(c.major.clone())
                            .or_default()
                            .insert((*rhsa).to_string());
                    }
                }
                Status::Affected => {
                    let st = open.get(id).copied().unwrap_or(FixState::NotFixed);
                    acc.open = Some(acc.open.map_or(st, |o| o.min(st)));
                }
                Status::Investigating => {
                    acc.open.get_or_insert(FixState::UnderInvestigation);
                }
                Status::NotAffected => acc.not_affected = true,
            }
            if let Some(sev) = impact.get(id) {
                acc.severity = Some(acc.severity.map_or(*sev, |s| s.max(*sev)));
            }
        }

        let mut by_major: BTreeMap<String, Vec<NewAffected>> = BTreeMap::new();
        for ((major, name, binary, module), acc) in packages {
            let mut f = NewAffected::new(format!("Red Hat:enterprise_linux:{major}"), name);
            f.binary_package = binary;
            f.module = module;
            f.severity = acc.severity;
            if !acc.fixed.is_empty() {
                // A fix in the stream outranks an "affected" elsewhere in
                // the same major.
                f.ranges = acc.fixed.iter().map(|v| fixed_range(v)).collect();
            } else if let Some(state) = acc.open {
                f.ranges.push(all_versions());
                f.fix_state = Some(state);
            } else if acc.not_affected {
                f.fix_state = Some(FixState::NotAffected);
            } else {
                continue;
            }
            by_major.entry(major).or_default().push(f);
        }

        for (major, affected) in by_major {
            let mut adv = advisory(cve, FEED_NAME);
            adv.aliases = aliases
                .remove(&major)
                .unwrap_or_default()
                .into_iter()
                .collect();
            adv.title = vuln
                .title
                .clone()
                .or_else(|| doc.document.title.clone())
                .filter(|t| !t.trim().is_empty() && t != cve);
            adv.published = vuln
                .release_date
                .clone()
                .or_else(|| doc.document.tracking.initial_release_date.clone());
            adv.modified = doc.document.tracking.current_release_date.clone();
            adv.severity = aggregate.or_else(|| affected.iter().filter_map(|f| f.severity).max());
            adv.severity_source = adv.severity.map(|_| FEED_NAME.to_string());
            for score in &vuln.scores {
                for e in [&score.cvss_v3, &score.cvss_v2].into_iter().flatten() {
                    if let Some(c) = scoring::entry(&e.vector_string, e.base_score, FEED_NAME)
                        && !adv.cvss.contains(&c)
                    {
                        adv.cvss.push(c);
                    }
                }
            }
            let source = format!("{FEED_NAME}:{major}");
            batches
                .entry(source.clone())
                .or_insert_with(|| SourceBatch::new(source, FEED_NAME))
                .advisories
                .push(NewAdvisory {
                    advisory: adv,
                    affected,
                });
        }
    }
    Ok(batches.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_cpes() {
        assert_eq!(
            rhel_major("cpe:/o:redhat:enterprise_linux:9").as_deref(),
            Some("9")
        );
        assert_eq!(
            rhel_major("cpe:/a:redhat:enterprise_linux:8::appstream").as_deref(),
            Some("8")
        );
        assert_eq!(rhel_major("cpe:/a:redhat:rhel_eus:9.2::appstream"), None);
        assert_eq!(rhel_major("cpe:/a:redhat:openshift:4.14::el9"), None);
        assert_eq!(rhel_major("cpe:/o:redhat:enterprise_linux:9.2"), None);
        assert_eq!(rhel_major("not a cpe"), None);
    }

    #[test]
    fn components_from_purls() {
        let c = from_purl("pkg:rpm/redhat/pam@1.5.1-21.el9_5?arch=x86_64").expect("purl");
        assert_eq!(
            (c.name.as_str(), c.evr.as_deref()),
            ("pam", Some("0:1.5.1-21.el9_5"))
        );
        assert!(!c.source);
        let c = from_purl("pkg:rpm/redhat/openssl@3.0.7-27.el9?arch=src&epoch=1").expect("purl");
        assert_eq!(c.evr.as_deref(), Some("1:3.0.7-27.el9"));
        assert!(c.source);
        let c = from_purl(
            "pkg:rpm/redhat/nodejs@18.19.0-1.module%2Bel8.9.0%2B1?arch=x86_64&epoch=1&rpmmod=nodejs:18:8090020231019152822:a75119d5",
        )
        .expect("purl");
        assert_eq!(c.module.as_deref(), Some("nodejs:18"));
        assert_eq!(c.evr.as_deref(), Some("1:18.19.0-1.module+el8.9.0+1"));
        assert_eq!(from_purl("pkg:oci/redhat/ubi9@sha256:abc"), None);
        assert_eq!(from_purl("pkg:rpmmod/redhat/nodejs@18:1:2"), None);
        assert_eq!(from_purl("not a purl"), None);
    }

    #[test]
    fn components_from_product_ids() {
        let c = from_product_id("pam-0:1.5.1-21.el9_5.x86_64").expect("nevra");
        assert_eq!(
            (c.name.as_str(), c.evr.as_deref()),
            ("pam", Some("0:1.5.1-21.el9_5"))
        );
        let c = from_product_id("python3.9-0:3.9.18-3.el9_4.5.src").expect("nevra");
        assert_eq!(c.name, "python3.9");
        assert!(c.source);
        let c = from_product_id("nodejs:16/nodejs").expect("module form");
        assert_eq!(
            (c.name.as_str(), c.module.as_deref(), c.evr.as_deref()),
            ("nodejs", Some("nodejs:16"), None)
        );
        let c =
            from_product_id("httpd-0:2.4.37-65.module+el8.10.0+21982+14717793.aarch64::httpd:2.4")
                .expect("suffix");
        assert_eq!(c.module.as_deref(), Some("httpd:2.4"));
        assert_eq!(from_product_id("pam").expect("bare").name, "pam");
        assert_eq!(
            from_product_id("nodejs:20:8090020231019152822:a75119d5"),
            None
        );
        assert_eq!(from_product_id(""), None);
    }

    #[test]
    fn remediation_states() {
        assert_eq!(
            open_state("none_available", "Affected"),
            Some(FixState::NotFixed)
        );
        assert_eq!(
            open_state("none_available", "Deferred"),
            Some(FixState::FixDeferred)
        );
        assert_eq!(
            open_state("no_fix_planned", "Will not fix"),
            Some(FixState::WillNotFix)
        );
        assert_eq!(
            open_state("no_fix_planned", "Out of support scope"),
            Some(FixState::EndOfLife)
        );
        assert_eq!(open_state("vendor_fix", ""), None);
        assert_eq!(
            errata_id("https://access.redhat.com/errata/RHSA-2024:9941"),
            Some("RHSA-2024:9941")
        );
        assert_eq!(errata_id("https://access.redhat.com/articles/11258"), None);
    }
}
