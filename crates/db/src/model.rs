//! What the database hands out: advisories, the packages they affect, CVE
//! enrichment and the per-source status. These are plain values; the
//! matcher decides what they mean for an installed package.

use std::path::PathBuf;
use std::sync::Arc;
use tidewatch_types::{AffectedRange, Cvss, Epss, FixState, Severity, Warning};

/// One advisory as its feed published it, reduced to facts.
#[derive(Debug, Clone, PartialEq)]
pub struct Advisory {
    /// The feed's own id: a CVE for secdb / OVAL / Debian tracker records,
    /// `PYSEC-…`, `GHSA-…`, `ALSA-…`, `USN-…`, `RHSA-…` otherwise.
    pub id: String,
    /// Aliases and related ids (AlmaLinux lists CVEs under `related`).
    pub aliases: Vec<String>,
    pub title: Option<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub withdrawn: bool,
    /// The publisher's own severity for the whole advisory, when it has one.
    pub severity: Option<Severity>,
    /// Where `severity` came from (`osv`, `ubuntu`, `redhat`, `cvss`, …).
    pub severity_source: Option<String>,
    pub cvss: Vec<Cvss>,
    /// The feed: `osv`, `alpine-secdb`, `debian-oval`, `ubuntu-oval`,
    /// `redhat-oval`, `debian-tracker`, …
    pub source: String,
}

/// One (advisory, package) pair: which versions of a package in one
/// ecosystem the advisory affects.
#[derive(Debug, Clone, PartialEq)]
pub struct AffectedRecord {
    pub advisory: Arc<Advisory>,
    /// OSV ecosystem string (`Alpine:v3.18`, `Debian:12`, `Ubuntu:22.04:LTS`,
    /// `Red Hat:enterprise_linux:9`, `Rocky Linux:9`, `AlmaLinux:9`, `PyPI`, …).
    pub ecosystem: String,
    pub package: String,
    pub ranges: Vec<AffectedRange>,
    pub versions: Vec<String>,
    /// An explicit per-package state (`not_affected`, `will_not_fix`,
    /// `fix_deferred`, `end_of_life`, `not_fixed`, `under_investigation`);
    /// `None` means: derive it from the ranges.
    pub fix_state: Option<FixState>,
    /// Per-package vendor severity (Debian urgency, Ubuntu priority).
    pub severity: Option<Severity>,
    /// True when `package` is a binary package name (Ubuntu and Red Hat
    /// OVAL, AlmaLinux / Rocky / Red Hat / SUSE OSV); false when it is a
    /// source package / origin (Debian, Alpine) or a language package.
    pub binary_package: bool,
    /// What the record is restricted to: the modular stream it applies to
    /// (`nodejs:18`, from Red Hat OVAL's "Module … is enabled" criteria),
    /// or `arch:<a>[,<b>…]` when the feed shipped different fixed builds
    /// per architecture (Oracle ELSA) and this record holds the build for
    /// those architectures; `None` for records that apply to every build.
    pub module: Option<String>,
}

/// Severity facts about one CVE gathered from enrichment feeds.
#[derive(Debug, Clone, PartialEq)]
pub struct CveInfo {
    pub cve: String,
    /// From the best CVSS entry (v4 > v3.1 > v3.0 > v2) of NVD / CVE records.
    pub severity: Option<Severity>,
    /// `nvd` plus the CVSS version of the entry chosen, e.g. `nvd:cvss3.1`.
    pub severity_source: Option<String>,
    pub cvss: Vec<Cvss>,
    pub kev: bool,
    pub epss: Option<Epss>,
}

/// What `tidewatch db status` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbStatus {
    pub path: PathBuf,
    pub schema_version: u32,
    /// When the file was last built (RFC 3339).
    pub built_at: String,
    pub sources: Vec<SourceStatus>,
}

/// One source: a feed at the granularity it is replaced on re-import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceStatus {
    /// `osv:PyPI`, `alpine-secdb:v3.12`, `debian-oval:bookworm`, `nvd`, …
    pub name: String,
    /// The feed (`osv`, `alpine-secdb`, …).
    pub kind: String,
    /// The files or URLs it was read from.
    pub origin: String,
    /// How it arrived: `import` (local files) or `update` (download).
    pub via: String,
    pub imported_at: String,
    pub advisories: u64,
    pub affected: u64,
    /// Enrichment rows (CVE severities, KEV entries, EPSS scores).
    pub enrichment: u64,
}

/// The summary of one source written by an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSummary {
    pub name: String,
    pub kind: String,
    pub origin: String,
    pub advisories: u64,
    pub affected: u64,
    pub enrichment: u64,
    /// Whether the source existed before and was replaced.
    pub replaced: bool,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportReport {
    pub sources: Vec<SourceSummary>,
    /// Files skipped because no importer recognised them.
    pub warnings: Vec<Warning>,
    /// How many files were read (archive members counted one each).
    pub files_read: usize,
}
