//! Feed importers: one module per native format, each turning a file into
//! [`SourceBatch`]es on the OSV-shaped model of this crate.
//!
//! Adding a feed: write `feeds/<name>.rs` with a `pub(crate) const FEED:
//! Feed` (a name, a `claims` test on the file's content and a `parse`
//! function), declare the module below and add one line to [`FEEDS`].
//! `claims` must look at content (`Input::shape` keys, the XML root, a CSV
//! header), not only at the file name, and must be cheap: it runs for every
//! file. `parse` turns any problem into [`DbError::Malformed`] naming
//! `input.path`; it never panics on input.
//!
//! A *source* is the unit an import replaces: re-importing a source deletes
//! all its previous rows. Each feed names its sources at a granularity that
//! matches how the feed is published, e.g. `osv:PyPI`, `alpine-secdb:v3.12`,
//! `debian-oval:bookworm`, `debian-tracker:bookworm`, `nvd`, `cisa-kev`,
//! `epss`. Everything one import reads for a source is merged first.

use crate::error::DbError;
use crate::model::Advisory;
use crate::shape::Shape;
use tidewatch_types::{AffectedRange, Cvss, FixState, Severity};

mod alpine_secdb;
mod amazon_alas;
mod debian_oval;
mod debian_tracker;
mod epss;
mod friendsofphp;
mod kev;
mod nodejs_wg;
mod nvd;
mod oracle_oval;
mod osv;
mod oval;
mod redhat_csaf;
mod redhat_oval;
mod rpm_fix;
mod rustsec;
mod suse_cvrf;
mod suse_oval;
mod ubuntu_oval;

/// Every importer, in the order they are asked to claim a file.
pub(crate) const FEEDS: &[Feed] = &[
    osv::FEED,
    alpine_secdb::FEED,
    debian_oval::FEED,
    ubuntu_oval::FEED,
    redhat_oval::FEED,
    amazon_alas::FEED,
    oracle_oval::FEED,
    suse_cvrf::FEED,
    suse_oval::FEED,
    redhat_csaf::FEED,
    debian_tracker::FEED,
    nvd::FEED,
    kev::FEED,
    epss::FEED,
    rustsec::FEED,
    friendsofphp::FEED,
    nodejs_wg::FEED,
];

/// One importer.
pub(crate) struct Feed {
    /// The feed name, also `Advisory::source` and the prefix of its sources.
    pub name: &'static str,
    /// Whether this importer reads the file, judged by content.
    pub claims: fn(&Input<'_>) -> bool,
    /// Reads the file. Only called after `claims` said yes.
    pub parse: fn(&Input<'_>) -> Result<Vec<SourceBatch>, DbError>,
}

/// The surface syntax of a file, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    Json,
    Yaml,
    Xml,
    Csv,
    Other,
}

/// One file (or archive member), decompressed.
pub(crate) struct Input<'a> {
    /// For messages: the path, with `!/member` for archive members.
    pub path: &'a str,
    pub bytes: &'a [u8],
    pub syntax: Syntax,
    /// Keys along the first path (JSON/YAML only; empty otherwise).
    pub shape: &'a Shape,
}

impl Input<'_> {
    /// The first `n` bytes as text, for sniffing XML roots and CSV headers.
    pub fn head(&self, n: usize) -> &str {
        let end = self.bytes.len().min(n);
        let bytes = self.bytes.get(..end).unwrap_or_default();
        match std::str::from_utf8(bytes) {
            Ok(s) => s,
            // Cut inside a multi-byte character: keep the valid prefix.
            Err(e) => std::str::from_utf8(bytes.get(..e.valid_up_to()).unwrap_or_default())
                .unwrap_or_default(),
        }
    }

    pub fn text(&self, format: &'static str) -> Result<&str, DbError> {
        std::str::from_utf8(self.bytes)
            .map_err(|e| DbError::malformed(self.path, format, format!("not UTF-8: {e}")))
    }

    pub fn malformed(&self, format: &'static str, message: impl std::fmt::Display) -> DbError {
        DbError::malformed(self.path, format, message)
    }

    /// Deserialises JSON into `T`, naming the file on error.
    pub fn json<T: serde::de::DeserializeOwned>(&self, format: &'static str) -> Result<T, DbError> {
        serde_json::from_slice(self.bytes).map_err(|e| self.malformed(format, e))
    }

    /// Deserialises YAML into `T`, naming the file on error.
    pub fn yaml<T: serde::de::DeserializeOwned>(&self, format: &'static str) -> Result<T, DbError> {
        let text = self.text(format)?;
        serde_saphyr::from_str(text).map_err(|e| self.malformed(format, e))
    }
}

/// The value of an XML element's attribute `name` (namespace prefix
/// ignored, entities unescaped); `None` when absent or badly escaped.
pub(crate) fn xml_attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == name.as_bytes())
            .then(|| a.unescape_value().ok().map(|v| v.into_owned()))
            .flatten()
    })
}

/// Everything one file contributes to one source.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SourceBatch {
    pub name: String,
    pub kind: &'static str,
    pub advisories: Vec<NewAdvisory>,
    pub cve_severity: Vec<CveSeverity>,
    pub kev: Vec<KevEntry>,
    pub epss: Vec<EpssEntry>,
}

impl SourceBatch {
    pub fn new(name: impl Into<String>, kind: &'static str) -> Self {
        SourceBatch {
            name: name.into(),
            kind,
            advisories: Vec::new(),
            cve_severity: Vec::new(),
            kev: Vec::new(),
            epss: Vec::new(),
        }
    }

    /// The whole result of a feed that publishes one advisory per file.
    pub fn single(
        name: impl Into<String>,
        kind: &'static str,
        advisory: Advisory,
        affected: Vec<NewAffected>,
    ) -> Vec<Self> {
        let mut batch = SourceBatch::new(name, kind);
        batch.advisories.push(NewAdvisory { advisory, affected });
        vec![batch]
    }
}

/// Runs `feed` on `text` as the importer would see the file at `path`,
/// asserting first that the feed claims it.
#[cfg(test)]
pub(crate) fn parse_claimed(
    feed: &Feed,
    path: &str,
    text: &str,
    syntax: Syntax,
) -> Result<Vec<SourceBatch>, DbError> {
    let shape = match syntax {
        Syntax::Json => Shape::of_json(text.as_bytes()),
        Syntax::Yaml => Shape::of_yaml(text),
        _ => Shape::default(),
    };
    let input = Input {
        path,
        bytes: text.as_bytes(),
        syntax,
        shape: &shape,
    };
    assert!((feed.claims)(&input), "{} does not claim {path}", feed.name);
    (feed.parse)(&input)
}

/// An advisory and the packages it affects, before storage.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NewAdvisory {
    pub advisory: Advisory,
    pub affected: Vec<NewAffected>,
}

/// One affected package, before storage (see `AffectedRecord`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NewAffected {
    pub ecosystem: String,
    pub package: String,
    pub ranges: Vec<AffectedRange>,
    pub versions: Vec<String>,
    pub fix_state: Option<FixState>,
    pub severity: Option<Severity>,
    pub binary_package: bool,
    pub module: Option<String>,
}

impl NewAffected {
    pub fn new(ecosystem: impl Into<String>, package: impl Into<String>) -> Self {
        NewAffected {
            ecosystem: ecosystem.into(),
            package: package.into(),
            ranges: Vec::new(),
            versions: Vec::new(),
            fix_state: None,
            severity: None,
            binary_package: false,
            module: None,
        }
    }
}

/// CVE-level severity from an enrichment feed (NVD, CVE records).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CveSeverity {
    pub cve: String,
    pub severity: Option<Severity>,
    pub severity_source: Option<String>,
    pub cvss: Vec<Cvss>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct KevEntry {
    pub cve: String,
    pub date_added: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EpssEntry {
    pub cve: String,
    pub score: f64,
    pub percentile: f64,
}

/// A blank advisory of `feed` with just an id; importers fill in the rest.
pub(crate) fn advisory(id: impl Into<String>, feed: &str) -> Advisory {
    Advisory {
        id: id.into(),
        aliases: Vec::new(),
        title: None,
        published: None,
        modified: None,
        withdrawn: false,
        severity: None,
        severity_source: None,
        cvss: Vec::new(),
        source: feed.to_string(),
    }
}

/// The range "every version before `fixed`".
pub(crate) fn fixed_range(fixed: &str) -> AffectedRange {
    use tidewatch_types::RangeEvent;
    AffectedRange::ecosystem(vec![
        RangeEvent::Introduced("0".into()),
        RangeEvent::Fixed(fixed.to_string()),
    ])
}

/// The range "every version" (vulnerable, no fix).
pub(crate) fn all_versions() -> AffectedRange {
    AffectedRange::ecosystem(vec![tidewatch_types::RangeEvent::Introduced("0".into())])
}
