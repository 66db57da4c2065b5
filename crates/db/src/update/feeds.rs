//! What `db update` downloads: each feed's upstream URL and the relative
//! path a mirror (`--db-repository`) serves it under.
//!
//! | feed (`--feeds`) | upstream | mirror path |
//! |---|---|---|
//! | `osv:<Ecosystem>` | `osv-vulnerabilities.storage.googleapis.com/<Ecosystem>/all.zip`, `modified_id.csv`, `<ID>.json` | `osv/<Ecosystem>/…` (same names) |
//! | `alpine:<branch>/<repo>` | `secdb.alpinelinux.org/<branch>/<repo>.json` | `alpine/<branch>/<repo>.json` |
//! | `debian-tracker` | `security-tracker.debian.org/tracker/data/json` | `debian/tracker.json` |
//! | `kev` | `www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json` | `kev/known_exploited_vulnerabilities.json` |
//! | `epss` | `epss.empiricalsecurity.com/epss_scores-current.csv.gz` | `epss/epss_scores-current.csv.gz` |
//! | `nvd` | the NVD CVE API 2.0 (see `nvd`) | `nvd/nvdcve-2.0-<year>.json.gz`, 2002 to this year, as `nvd.nist.gov/feeds/json/cve/2.0/` publishes them; years a mirror lacks are skipped |
//! | `oracle` | `linux.oracle.com/security/oval/com.oracle.elsa-all.xml.bz2` | `oracle/com.oracle.elsa-all.xml.bz2` |
//! | `suse-oval:<file>` | `ftp.suse.com/pub/projects/security/oval/<file>.xml.gz` | `suse/oval/<file>.xml.gz` |
//! | `amazon:<release>` | `cdn.amazonlinux.com/…/mirror.list` → `<base>repodata/repomd.xml` → its `updateinfo` location (see `amazon`) | `amazon/<release>/updateinfo.xml.gz` |
//! | `redhat-csaf` (opt-in) | `security.access.redhat.com/data/csaf/v2/vex/` `archive_latest.txt`, the `csaf_vex_<date>.tar.zst` it names, `changes.csv`, `deletions.csv`, `<year>/<cve>.json` (see `csaf`) | `redhat/csaf/vex/…` (same names) |
//!
//! So a plain static file server over a directory of downloads is a
//! mirror. Upstream, NVD data comes from the CVE API 2.0 instead (see
//! `nvd`), and Amazon's file is found through its repository metadata.
//!
//! **Default sources per distro.** Alpine: secdb. Debian: the tracker.
//! Ubuntu, AlmaLinux, Rocky Linux, Wolfi, Chainguard: OSV.
//! SUSE / openSUSE: OSV `SUSE` and `openSUSE` plus SUSE's OVAL files of the
//! products in [`DEFAULT_SUSE_OVAL`]. Oracle Linux: ELSA OVAL. Amazon
//! Linux 2 and 2023: ALAS from the core repositories' `updateinfo.xml`
//! (x86_64; Amazon ships the same builds for aarch64). RHEL (and CentOS,
//! matched as RHEL): OSV `Red Hat`, which osv.dev converts from the same
//! CSAF data; the full CSAF VEX archive is several GB, so `redhat-csaf`
//! is downloaded only when asked for with `--feeds`. Fedora, Photon OS and
//! Azure Linux have no default source (tidewatch has no importer for
//! Fedora's or Azure Linux's feeds, and osv.dev's Photon OS data is
//! unofficial; `osv:Photon OS` can be asked for, other data imported with
//! `db import`). Language packages: OSV for every ecosystem the catalog
//! and SBOM readers name (PyPI, npm, Go, crates.io, Maven, RubyGems,
//! Packagist, NuGet, Hex, Pub, Hackage, CRAN).

use super::UpdateError;

const OSV_BUCKET: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// OSV ecosystems tidewatch matches packages against (the catalog's
/// ecosystem table); Debian and Alpine come from their own feeds.
pub const DEFAULT_OSV_ECOSYSTEMS: &[&str] = &[
    "PyPI",
    "npm",
    "Go",
    "crates.io",
    "Maven",
    "RubyGems",
    "Packagist",
    "NuGet",
    "Hex",
    "Pub",
    "Hackage",
    "CRAN",
    "Ubuntu",
    "AlmaLinux",
    "Rocky Linux",
    "Red Hat",
    "SUSE",
    "openSUSE",
    "Wolfi",
    "Chainguard",
];

/// SUSE OVAL files fetched by default (`ftp.suse.com/pub/projects/security/oval/<name>.xml.gz`):
/// the SLES and openSUSE releases SUSE still publishes fixes for. One SLES
/// file covers every service pack of its release.
pub const DEFAULT_SUSE_OVAL: &[&str] = &[
    "suse.linux.enterprise.server.12",
    "suse.linux.enterprise.server.15",
    "suse.linux.enterprise.server.16",
    "opensuse.leap.15.6",
    "opensuse.leap.16.0",
    "opensuse.tumbleweed",
];

/// Amazon Linux releases whose ALAS are fetched by default.
pub const DEFAULT_AMAZON_RELEASES: &[&str] = &["2", "2023"];

/// Where Amazon Linux publishes its repositories' mirror lists.
pub const AMAZON_CDN: &str = "https://cdn.amazonlinux.com/";

const ORACLE_OVAL: &str = "com.oracle.elsa-all.xml.bz2";
const REDHAT_VEX: &str = "https://security.access.redhat.com/data/csaf/v2/vex/";

/// Alpine secdb branches fetched by default: every release still seen in
/// the wild that secdb publishes, the next ones (a branch not yet
/// published is a 404, skipped) and edge, which the catalog names
/// `Alpine:edge`.
pub const DEFAULT_ALPINE_BRANCHES: &[&str] = &[
    "v3.12", "v3.13", "v3.14", "v3.15", "v3.16", "v3.17", "v3.18", "v3.19", "v3.20", "v3.21",
    "v3.22", "v3.23", "v3.24", "v3.25", "edge",
];

/// One downloadable feed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FeedSpec {
    /// An OSV ecosystem: `all.zip` once, then `modified_id.csv` increments.
    Osv { ecosystem: String },
    /// One Alpine secdb file (`main` or `community` of a branch).
    AlpineSecdb { branch: String, repo: String },
    /// The Debian security tracker's whole JSON.
    DebianTracker,
    /// CISA's Known Exploited Vulnerabilities catalogue.
    Kev,
    /// FIRST EPSS scores for every CVE.
    Epss,
    /// NVD CVSS metrics (severity) for every CVE.
    Nvd,
    /// Oracle Linux ELSA OVAL, every release in one file.
    OracleOval,
    /// One SUSE OVAL file (`suse.linux.enterprise.server.15`).
    SuseOval { file: String },
    /// Amazon Linux ALAS of one release (`2`, `2023`), from its core
    /// repository's `updateinfo.xml`.
    Amazon { release: String },
    /// Red Hat CSAF VEX: the whole archive once, then `changes.csv`
    /// increments. Opt-in: the archive is several GB.
    RedhatCsaf,
}

impl FeedSpec {
    /// Every feed downloaded when `--feeds` is not given.
    pub fn defaults() -> Vec<FeedSpec> {
        let mut out: Vec<FeedSpec> = DEFAULT_OSV_ECOSYSTEMS
            .iter()
            .map(|e| FeedSpec::Osv {
                ecosystem: (*e).to_string(),
            })
            .collect();
        for b in DEFAULT_ALPINE_BRANCHES {
            for repo in ["main", "community"] {
                out.push(FeedSpec::AlpineSecdb {
                    branch: (*b).to_string(),
                    repo: repo.to_string(),
                });
            }
        }
        out.extend([
            FeedSpec::DebianTracker,
            FeedSpec::Kev,
            FeedSpec::Epss,
            FeedSpec::Nvd,
            FeedSpec::OracleOval,
        ]);
        out.extend(DEFAULT_SUSE_OVAL.iter().map(|f| FeedSpec::SuseOval {
            file: (*f).to_string(),
        }));
        out.extend(DEFAULT_AMAZON_RELEASES.iter().map(|r| FeedSpec::Amazon {
            release: (*r).to_string(),
        }));
        out
    }

    /// Parses one `--feeds` item: `osv` (all default ecosystems),
    /// `osv:<Ecosystem>`, `alpine` (all default branches),
    /// `alpine:<branch>[/<repo>]`, `debian-tracker`, `kev`, `epss`, `nvd`,
    /// `oracle`, `suse-oval` (default files), `suse-oval:<file>`, `amazon`
    /// (default releases), `amazon:<release>`, `redhat-csaf`.
    pub fn parse_list(item: &str) -> Result<Vec<FeedSpec>, UpdateError> {
        let item = item.trim();
        let bad = |why: &str| UpdateError::BadFeed {
            feed: item.to_string(),
            reason: why.to_string(),
        };
        let (kind, arg) = match item.split_once(':') {
            Some((k, a)) => (k, Some(a)),
            None => (item, None),
        };
        match (kind, arg) {
            ("osv", None) => Ok(FeedSpec::defaults()
                .into_iter()
                .filter(|f| matches!(f, FeedSpec::Osv { .. }))
                .collect()),
            ("osv", Some(eco)) => {
                if !is_safe_segment(eco) {
                    return Err(bad("an ecosystem name may not contain '/' or be empty"));
                }
                Ok(vec![FeedSpec::Osv {
                    ecosystem: eco.to_string(),
                }])
            }
            ("alpine", None) => Ok(FeedSpec::defaults()
                .into_iter()
                .filter(|f| matches!(f, FeedSpec::AlpineSecdb { .. }))
                .collect()),
            ("alpine", Some(spec)) => {
                let (branch, repos) = match spec.split_once('/') {
                    Some((b, r)) => (b, vec![r]),
                    None => (spec, vec!["main", "community"]),
                };
                if !is_safe_segment(branch) || repos.iter().any(|r| !is_safe_segment(r)) {
                    return Err(bad(
                        "expected alpine:<branch>[/<repo>], e.g. alpine:v3.20/main",
                    ));
                }
                Ok(repos
                    .into_iter()
                    .map(|r| FeedSpec::AlpineSecdb {
                        branch: branch.to_string(),
                        repo: r.to_string(),
                    })
                    .collect())
            }
            ("debian-tracker" | "debian", None) => Ok(vec![FeedSpec::DebianTracker]),
            ("kev" | "cisa-kev", None) => Ok(vec![FeedSpec::Kev]),
            ("epss", None) => Ok(vec![FeedSpec::Epss]),
            ("nvd", None) => Ok(vec![FeedSpec::Nvd]),
            ("oracle" | "oracle-oval", None) => Ok(vec![FeedSpec::OracleOval]),
            ("suse-oval" | "suse", None) => Ok(FeedSpec::defaults()
                .into_iter()
                .filter(|f| matches!(f, FeedSpec::SuseOval { .. }))
                .collect()),
            ("suse-oval" | "suse", Some(file)) => {
                let file = file.strip_suffix(".xml.gz").unwrap_or(file);
                if !is_safe_segment(file) {
                    return Err(bad(
                        "expected suse-oval:<file>, e.g. suse-oval:suse.linux.enterprise.server.15",
                    ));
                }
                Ok(vec![FeedSpec::SuseOval {
                    file: file.to_string(),
                }])
            }
            ("amazon" | "amazon-alas", None) => Ok(FeedSpec::defaults()
                .into_iter()
                .filter(|f| matches!(f, FeedSpec::Amazon { .. }))
                .collect()),
            ("amazon" | "amazon-alas", Some(release)) => {
                if amazon_mirror_list(release).is_none() {
                    return Err(bad("expected amazon:2 or amazon:2023"));
                }
                Ok(vec![FeedSpec::Amazon {
                    release: release.to_string(),
                }])
            }
            ("redhat-csaf" | "redhat", None) => Ok(vec![FeedSpec::RedhatCsaf]),
            _ => Err(bad(
                "expected osv[:<Ecosystem>], alpine[:<branch>[/<repo>]], debian-tracker, kev, epss, nvd, oracle, suse-oval[:<file>], amazon[:<release>] or redhat-csaf",
            )),
        }
    }

    /// A short name for messages and the state file.
    pub fn name(&self) -> String {
        match self {
            FeedSpec::Osv { ecosystem } => format!("osv:{ecosystem}"),
            FeedSpec::AlpineSecdb { branch, repo } => format!("alpine:{branch}/{repo}"),
            FeedSpec::DebianTracker => "debian-tracker".into(),
            FeedSpec::Kev => "kev".into(),
            FeedSpec::Epss => "epss".into(),
            FeedSpec::Nvd => "nvd".into(),
            FeedSpec::OracleOval => "oracle".into(),
            FeedSpec::SuseOval { file } => format!("suse-oval:{file}"),
            FeedSpec::Amazon { release } => format!("amazon:{release}"),
            FeedSpec::RedhatCsaf => "redhat-csaf".into(),
        }
    }

    /// The path segments of the main file under a mirror.
    pub(crate) fn mirror_path(&self) -> Vec<String> {
        match self {
            FeedSpec::Osv { ecosystem } => vec!["osv".into(), ecosystem.clone(), "all.zip".into()],
            FeedSpec::AlpineSecdb { branch, repo } => {
                vec!["alpine".into(), branch.clone(), format!("{repo}.json")]
            }
            FeedSpec::DebianTracker => vec!["debian".into(), "tracker.json".into()],
            FeedSpec::Kev => vec!["kev".into(), "known_exploited_vulnerabilities.json".into()],
            FeedSpec::Epss => vec!["epss".into(), "epss_scores-current.csv.gz".into()],
            // A folder of year files, fetched by `nvd` itself.
            FeedSpec::Nvd => vec!["nvd".into()],
            FeedSpec::OracleOval => vec!["oracle".into(), ORACLE_OVAL.into()],
            FeedSpec::SuseOval { file } => {
                vec!["suse".into(), "oval".into(), format!("{file}.xml.gz")]
            }
            FeedSpec::Amazon { release } => {
                vec!["amazon".into(), release.clone(), "updateinfo.xml.gz".into()]
            }
            // A folder, fetched by `csaf` itself.
            FeedSpec::RedhatCsaf => vec!["redhat".into(), "csaf".into(), "vex".into()],
        }
    }

    /// The upstream URL of a file given by its mirror path.
    pub(crate) fn upstream_url(segments: &[String]) -> Option<String> {
        let seg: Vec<&str> = segments.iter().map(String::as_str).collect();
        match seg.as_slice() {
            ["osv", rest @ ..] if !rest.is_empty() => {
                let mut url = reqwest::Url::parse(OSV_BUCKET).ok()?;
                url.path_segments_mut().ok()?.extend(rest);
                Some(url.to_string())
            }
            ["alpine", branch, file] => {
                Some(format!("https://secdb.alpinelinux.org/{branch}/{file}"))
            }
            ["debian", "tracker.json"] => {
                Some("https://security-tracker.debian.org/tracker/data/json".into())
            }
            ["kev", file] => Some(format!(
                "https://www.cisa.gov/sites/default/files/feeds/{file}"
            )),
            ["epss", file] => Some(format!("https://epss.empiricalsecurity.com/{file}")),
            ["oracle", file] => Some(format!("https://linux.oracle.com/security/oval/{file}")),
            ["suse", "oval", file] => Some(format!(
                "https://ftp.suse.com/pub/projects/security/oval/{file}"
            )),
            ["redhat", "csaf", "vex", rest @ ..] if !rest.is_empty() => {
                let mut url = reqwest::Url::parse(REDHAT_VEX).ok()?;
                {
                    let mut path = url.path_segments_mut().ok()?;
                    path.pop_if_empty();
                    path.extend(rest);
                }
                Some(url.to_string())
            }
            // Amazon's file has no fixed upstream URL: see `amazon`.
            _ => None,
        }
    }
}

/// The path of an Amazon Linux release's core x86_64 mirror list under
/// [`AMAZON_CDN`].
pub(crate) fn amazon_mirror_list(release: &str) -> Option<&'static str> {
    match release {
        "2" => Some("2/core/latest/x86_64/mirror.list"),
        "2023" => Some("al2023/core/mirrors/latest/x86_64/mirror.list"),
        _ => None,
    }
}

/// A path segment that cannot climb out of the cache or a mirror.
pub(crate) fn is_safe_segment(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".." && !s.contains(['/', '\\', '\0']) && !s.starts_with('.')
}
