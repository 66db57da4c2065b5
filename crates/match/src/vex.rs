//! VEX: statements by a producer about whether their product is affected
//! by a vulnerability, read from OpenVEX (0.0.x and 0.2) and CycloneDX
//! VEX (a BOM's `vulnerabilities` with `analysis`).
//!
//! A statement applies to a finding when it names the finding's id or one
//! of its aliases, and one of its products is the finding's package (its
//! purl, compared as [`PurlPattern`] does: qualifiers other than `arch`
//! ignored) or has the package as a subcomponent. A product that is the
//! image itself (`pkg:oci/…`, `pkg:docker/…`) with no subcomponents
//! applies to every package of the scanned image — unless it names a
//! digest and the image has another one. Products named any other way
//! (CPEs, URLs) cannot be compared and apply only through their
//! subcomponents.
//!
//! When several statements apply, the latest one (statement timestamp,
//! else the document's; then the order documents and statements were
//! given) decides: `not_affected` and `fixed` suppress the finding,
//! `under_investigation` and `affected` keep it and record the status on
//! it (`Finding.vex_status`).

use crate::ignore::Suppression;
use crate::purl_match::PurlPattern;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
use tidewatch_types::{Finding, Suppressed, Warning};

/// The `reason` suppressed findings carry.
pub const VEX_REASON: &str = "vex";

#[derive(Debug, thiserror::Error)]
pub enum VexError {
    #[error("cannot read VEX document {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not valid JSON: {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
    /// A field of the wrong shape; `field` is its path in the document
    /// (`statements[1].products: `), empty at the top level.
    #[error("{path}: malformed {format} document: {field}{source}")]
    Shape {
        path: String,
        format: &'static str,
        field: String,
        source: serde_json::Error,
    },
    #[error(
        "{path}: not an OpenVEX or CycloneDX VEX document (no \"@context\" of openvex.dev, no \"bomFormat\": \"CycloneDX\")"
    )]
    Unknown { path: String },
    #[error("{path}: {what} {index}: {field}: {message}")]
    Field {
        path: String,
        /// `statement` (OpenVEX) or `vulnerability` (CycloneDX).
        what: &'static str,
        /// 1-based.
        index: usize,
        field: &'static str,
        message: String,
    },
}

/// What a statement says about the products it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VexStatus {
    NotAffected,
    Fixed,
    Affected,
    UnderInvestigation,
}

impl VexStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Fixed => "fixed",
            VexStatus::Affected => "affected",
            VexStatus::UnderInvestigation => "under_investigation",
        }
    }

    fn suppresses(self) -> bool {
        matches!(self, VexStatus::NotAffected | VexStatus::Fixed)
    }
}

/// A product a statement names.
#[derive(Debug, Clone)]
enum Product {
    /// A package (or, for `oci`/`docker` purls, the image).
    Purl {
        pattern: PurlPattern,
        subcomponents: Vec<PurlPattern>,
    },
    /// Named by something tidewatch cannot compare (CPE, URL): applies
    /// through its subcomponents only.
    Opaque { subcomponents: Vec<PurlPattern> },
}

#[derive(Debug, Clone)]
struct Statement {
    ids: Vec<String>,
    products: Vec<Product>,
    status: VexStatus,
    /// Justification / impact / analysis detail, for the report.
    note: Option<String>,
    timestamp: Option<jiff::Timestamp>,
    /// `statement 3` / `vulnerability 2`.
    position: String,
}

/// The statements of one VEX document.
#[derive(Debug, Clone)]
pub struct VexDocument {
    path: String,
    statements: Vec<Statement>,
    warnings: Vec<Warning>,
}

impl VexDocument {
    pub fn load(path: &Path) -> Result<VexDocument, VexError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| VexError::Io {
            path: shown.clone(),
            source,
        })?;
        VexDocument::parse(&bytes, &shown)
    }

    /// Parse an OpenVEX or CycloneDX VEX document; `path` names it in
    /// errors and in the suppression details.
    pub fn parse(bytes: &[u8], path: &str) -> Result<VexDocument, VexError> {
        #[derive(Deserialize)]
        struct Probe {
            #[serde(rename = "@context")]
            context: Option<serde_json::Value>,
            #[serde(rename = "bomFormat")]
            bom_format: Option<serde_json::Value>,
        }
        let probe: Probe = serde_json::from_slice(bytes).map_err(|source| VexError::Json {
            path: path.to_string(),
            source,
        })?;
        let is_openvex = probe
            .context
            .as_ref()
            .and_then(|c| c.as_str())
            .is_some_and(|c| c.contains("openvex"));
        if is_openvex {
            openvex::parse(bytes, path)
        } else if probe.bom_format.as_ref().and_then(|v| v.as_str()) == Some("CycloneDX") {
            cyclonedx::parse(bytes, path)
        } else {
            Err(VexError::Unknown {
                path: path.to_string(),
            })
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn len(&self) -> usize {
        self.statements.len()
    }

    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// Statements that could not be tied to any package (unresolvable
    /// CycloneDX `affects` references …).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

/// Deserialise the document, naming the field whose shape is wrong (the
/// JSON error alone gives only line and column).
fn shaped<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    path: &str,
    format: &'static str,
) -> Result<T, VexError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let at = e.path().to_string();
        VexError::Shape {
            path: path.to_string(),
            format,
            field: if at == "." {
                String::new()
            } else {
                format!("{at}: ")
            },
            source: e.into_inner(),
        }
    })
}

impl Statement {
    fn names(&self, f: &Finding) -> bool {
        self.ids.iter().any(|id| {
            f.id.eq_ignore_ascii_case(id) || f.aliases.iter().any(|a| a.eq_ignore_ascii_case(id))
        })
    }

    fn covers(&self, purl: &str, image_digests: &[String]) -> bool {
        self.products.iter().any(|p| match p {
            Product::Purl {
                pattern,
                subcomponents,
            } => {
                if subcomponents.iter().any(|s| s.matches(purl)) || pattern.matches(purl) {
                    return true;
                }
                subcomponents.is_empty()
                    && is_image(pattern)
                    && image_matches(pattern, image_digests)
            }
            Product::Opaque { subcomponents } => subcomponents.iter().any(|s| s.matches(purl)),
        })
    }
}

fn is_image(p: &PurlPattern) -> bool {
    let text = p.as_str();
    text.starts_with("pkg:oci/") || text.starts_with("pkg:docker/")
}

/// An image product with a digest version names one image; without one,
/// any (the user chose to pass the document for this scan).
fn image_matches(p: &PurlPattern, image_digests: &[String]) -> bool {
    let Ok(purl) = <packageurl::PackageUrl as std::str::FromStr>::from_str(p.as_str()) else {
        return false;
    };
    match purl.version() {
        Some(v) if v.starts_with("sha256:") && !image_digests.is_empty() => {
            image_digests.iter().any(|d| d == v)
        }
        _ => true,
    }
}

/// Which of two applicable statements decides: the later timestamp,
/// then the later position in the order given.
type Precedence = (Option<jiff::Timestamp>, usize);

/// Apply VEX documents to findings. `image_digests` are the scanned
/// image's manifest and config digests (empty for other targets).
pub fn apply_vex(
    docs: &[VexDocument],
    findings: Vec<Finding>,
    image_digests: &[String],
) -> Suppression {
    let mut out = Suppression::default();
    for d in docs {
        out.warnings.extend(d.warnings.iter().cloned());
    }
    for mut f in findings {
        let mut decisive: Option<(&VexDocument, &Statement, Precedence)> = None;
        let mut order = 0usize;
        for d in docs {
            for s in &d.statements {
                order += 1;
                if !s.names(&f) || !s.covers(&f.package.purl, image_digests) {
                    continue;
                }
                let key = (s.timestamp, order);
                if decisive.as_ref().is_none_or(|(_, _, k)| key >= *k) {
                    decisive = Some((d, s, key));
                }
            }
        }
        match decisive {
            Some((d, s, _)) if s.status.suppresses() => {
                let mut detail = format!("{} {}: {}", d.path, s.position, s.status.as_str());
                if let Some(n) = &s.note {
                    detail.push_str(&format!(" ({n})"));
                }
                out.suppressed.push(Suppressed {
                    finding: f,
                    reason: VEX_REASON.to_string(),
                    detail: Some(detail),
                });
            }
            Some((_, s, _)) => {
                f.vex_status = Some(s.status.as_str().to_string());
                out.kept.push(f);
            }
            None => out.kept.push(f),
        }
    }
    out
}

fn parse_timestamp(
    s: Option<&str>,
    field_err: impl Fn(&'static str, String) -> VexError,
) -> Result<Option<jiff::Timestamp>, VexError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(t) => t
            .parse::<jiff::Timestamp>()
            .map(Some)
            .map_err(|e| field_err("timestamp", format!("invalid timestamp {t:?}: {e}"))),
    }
}

fn purl_pattern(
    text: &str,
    field: &'static str,
    field_err: &impl Fn(&'static str, String) -> VexError,
) -> Result<PurlPattern, VexError> {
    PurlPattern::parse(text).map_err(|e| field_err(field, format!("invalid purl {text:?}: {e}")))
}

mod openvex {
    //! OpenVEX 0.2 (`vulnerability` object, product objects with `@id`,
    //! `identifiers.purl` and `subcomponents`) and 0.0.x (`vulnerability`
    //! a string, products and statement-level `subcomponents` strings).

    use super::*;

    #[derive(Deserialize)]
    struct Document {
        #[serde(default)]
        timestamp: Option<String>,
        #[serde(default)]
        statements: Vec<RawStatement>,
    }

    #[derive(Deserialize)]
    struct RawStatement {
        vulnerability: Vulnerability,
        #[serde(default)]
        products: Vec<RawProduct>,
        #[serde(default)]
        subcomponents: Vec<RawProduct>,
        status: String,
        #[serde(default)]
        justification: Option<String>,
        #[serde(default)]
        impact_statement: Option<String>,
        #[serde(default)]
        status_notes: Option<String>,
        #[serde(default)]
        timestamp: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Vulnerability {
        Name(String),
        Object {
            #[serde(rename = "@id", default)]
            id: Option<String>,
            #[serde(default)]
            name: Option<String>,
            #[serde(default)]
            aliases: Vec<String>,
        },
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum RawProduct {
        Id(String),
        Object {
            #[serde(rename = "@id", default)]
            id: Option<String>,
            #[serde(default)]
            identifiers: Option<Identifiers>,
            #[serde(default)]
            subcomponents: Vec<RawProduct>,
        },
    }

    #[derive(Deserialize)]
    struct Identifiers {
        #[serde(default)]
        purl: Option<String>,
    }

    impl RawProduct {
        /// The product's purl, if it is named by one.
        fn purl(&self) -> Option<&str> {
            match self {
                RawProduct::Id(s) => Some(s.as_str()),
                RawProduct::Object {
                    id, identifiers, ..
                } => identifiers
                    .as_ref()
                    .and_then(|i| i.purl.as_deref())
                    .or(id.as_deref()),
            }
            .filter(|s| s.starts_with("pkg:"))
        }

        fn subcomponents(&self) -> &[RawProduct] {
            match self {
                RawProduct::Id(_) => &[],
                RawProduct::Object { subcomponents, .. } => subcomponents,
            }
        }
    }

    pub(super) fn parse(bytes: &[u8], path: &str) -> Result<VexDocument, VexError> {
        let doc: Document = super::shaped(bytes, path, "OpenVEX")?;
        let doc_err = |field: &'static str, message: String| VexError::Field {
            path: path.to_string(),
            what: "document",
            index: 1,
            field,
            message,
        };
        let doc_time = parse_timestamp(doc.timestamp.as_deref(), doc_err)?;
        let mut statements = Vec::new();
        for (i, s) in doc.statements.into_iter().enumerate() {
            let index = i + 1;
            let err = |field: &'static str, message: String| VexError::Field {
                path: path.to_string(),
                what: "statement",
                index,
                field,
                message,
            };
            let status = match s.status.as_str() {
                "not_affected" => VexStatus::NotAffected,
                "fixed" => VexStatus::Fixed,
                "affected" => VexStatus::Affected,
                "under_investigation" => VexStatus::UnderInvestigation,
                other => {
                    return Err(err(
                        "status",
                        format!(
                            "unknown status {other:?} (expected not_affected, affected, fixed or under_investigation)"
                        ),
                    ));
                }
            };
            let ids: Vec<String> = match s.vulnerability {
                Vulnerability::Name(n) => vec![n],
                Vulnerability::Object { id, name, aliases } => name
                    .into_iter()
                    .chain(aliases)
                    .chain(id.filter(|i| !i.contains("://")))
                    .collect(),
            }
            .into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
            if ids.is_empty() {
                return Err(err("vulnerability", "names no vulnerability".into()));
            }
            if s.products.is_empty() {
                return Err(err("products", "names no product".into()));
            }
            let shared_subs = s
                .subcomponents
                .iter()
                .filter_map(RawProduct::purl)
                .map(|p| purl_pattern(p, "subcomponents", &err))
                .collect::<Result<Vec<_>, _>>()?;
            let mut products = Vec::new();
            for p in &s.products {
                let mut subcomponents = shared_subs.clone();
                for sub in p.subcomponents() {
                    if let Some(purl) = sub.purl() {
                        subcomponents.push(purl_pattern(purl, "subcomponents", &err)?);
                    }
                }
                products.push(match p.purl() {
                    Some(purl) => Product::Purl {
                        pattern: purl_pattern(purl, "products", &err)?,
                        subcomponents,
                    },
                    None => Product::Opaque { subcomponents },
                });
            }
            let note = join_notes([s.justification, s.impact_statement, s.status_notes]);
            statements.push(Statement {
                ids,
                products,
                status,
                note,
                timestamp: parse_timestamp(s.timestamp.as_deref(), err)?.or(doc_time),
                position: format!("statement {index}"),
            });
        }
        Ok(VexDocument {
            path: path.to_string(),
            statements,
            warnings: Vec::new(),
        })
    }
}

/// A statement's free-text parts (justification, impact, notes) as one
/// note, blank parts left out; `None` when all are blank.
fn join_notes<const N: usize>(parts: [Option<String>; N]) -> Option<String> {
    let parts: Vec<String> = parts
        .into_iter()
        .flatten()
        .filter(|n| !n.trim().is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

mod cyclonedx {
    //! CycloneDX VEX: `vulnerabilities[]` with `analysis.state` and
    //! `affects[].ref` pointing at a component's `bom-ref` (in this
    //! document, or through a BOM-link `urn:cdx:…#ref`) or at a purl.

    use super::*;

    #[derive(Deserialize)]
    struct Bom {
        #[serde(default)]
        metadata: Option<Metadata>,
        #[serde(default)]
        components: Vec<Component>,
        #[serde(default)]
        vulnerabilities: Vec<Vulnerability>,
    }

    #[derive(Deserialize)]
    struct Metadata {
        #[serde(default)]
        timestamp: Option<String>,
        #[serde(default)]
        component: Option<Component>,
    }

    #[derive(Deserialize)]
    struct Component {
        #[serde(rename = "bom-ref", default)]
        bom_ref: Option<String>,
        #[serde(default)]
        purl: Option<String>,
        #[serde(default)]
        components: Vec<Component>,
    }

    #[derive(Deserialize)]
    struct Vulnerability {
        #[serde(default)]
        id: Option<String>,
        #[serde(default)]
        references: Vec<Reference>,
        #[serde(default)]
        analysis: Option<Analysis>,
        #[serde(default)]
        affects: Vec<Affects>,
        #[serde(default)]
        updated: Option<String>,
    }

    #[derive(Deserialize)]
    struct Reference {
        id: String,
    }

    #[derive(Deserialize)]
    struct Analysis {
        #[serde(default)]
        state: Option<String>,
        #[serde(default)]
        justification: Option<String>,
        #[serde(default)]
        detail: Option<String>,
    }

    #[derive(Deserialize)]
    struct Affects {
        #[serde(rename = "ref")]
        reference: String,
    }

    fn index<'a>(components: &'a [Component], refs: &mut HashMap<&'a str, &'a str>) {
        for c in components {
            if let (Some(r), Some(p)) = (c.bom_ref.as_deref(), c.purl.as_deref()) {
                refs.insert(r, p);
            }
            index(&c.components, refs);
        }
    }

    pub(super) fn parse(bytes: &[u8], path: &str) -> Result<VexDocument, VexError> {
        let bom: Bom = super::shaped(bytes, path, "CycloneDX")?;
        let mut refs = HashMap::new();
        index(&bom.components, &mut refs);
        if let Some(c) = bom.metadata.as_ref().and_then(|m| m.component.as_ref()) {
            index(std::slice::from_ref(c), &mut refs);
        }
        let doc_err = |field: &'static str, message: String| VexError::Field {
            path: path.to_string(),
            what: "metadata",
            index: 1,
            field,
            message,
        };
        let doc_time = parse_timestamp(
            bom.metadata.as_ref().and_then(|m| m.timestamp.as_deref()),
            doc_err,
        )?;
        let mut statements = Vec::new();
        let mut warnings = Vec::new();
        for (i, v) in bom.vulnerabilities.iter().enumerate() {
            let index = i + 1;
            let err = |field: &'static str, message: String| VexError::Field {
                path: path.to_string(),
                what: "vulnerability",
                index,
                field,
                message,
            };
            // A vulnerability without analysis is a scanner's finding,
            // not a VEX statement.
            let Some(analysis) = &v.analysis else {
                continue;
            };
            let Some(state) = analysis.state.as_deref() else {
                continue;
            };
            let status = match state {
                "not_affected" | "false_positive" => VexStatus::NotAffected,
                "resolved" | "resolved_with_pedigree" => VexStatus::Fixed,
                "exploitable" => VexStatus::Affected,
                "in_triage" => VexStatus::UnderInvestigation,
                other => {
                    return Err(err(
                        "analysis.state",
                        format!(
                            "unknown state {other:?} (expected resolved, resolved_with_pedigree, exploitable, in_triage, false_positive or not_affected)"
                        ),
                    ));
                }
            };
            let ids: Vec<String> =
                v.id.iter()
                    .cloned()
                    .chain(v.references.iter().map(|r| r.id.clone()))
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
            if ids.is_empty() {
                return Err(err("id", "names no vulnerability".into()));
            }
            let mut products = Vec::new();
            for a in &v.affects {
                let r = a.reference.as_str();
                let key = r.rsplit_once('#').map_or(r, |(_, frag)| frag);
                let purl = refs
                    .get(r)
                    .or_else(|| refs.get(key))
                    .copied()
                    .or_else(|| key.starts_with("pkg:").then_some(key));
                match purl {
                    Some(p) => products.push(Product::Purl {
                        pattern: purl_pattern(p, "affects", &err)?,
                        subcomponents: Vec::new(),
                    }),
                    None => warnings.push(Warning::new(
                        path,
                        format!(
                            "vulnerability {index} ({}): affects ref {r:?} names no component with a purl; that part of the statement is ignored",
                            ids.join(", ")
                        ),
                    )),
                }
            }
            if v.affects.is_empty() {
                return Err(err("affects", "names no affected component".into()));
            }
            let note = join_notes([analysis.justification.clone(), analysis.detail.clone()]);
            statements.push(Statement {
                ids,
                products,
                status,
                note,
                timestamp: parse_timestamp(v.updated.as_deref(), err)?.or(doc_time),
                position: format!("vulnerability {index}"),
            });
        }
        Ok(VexDocument {
            path: path.to_string(),
            statements,
            warnings,
        })
    }
}
