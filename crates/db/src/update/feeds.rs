//! What `db update` downloads: each feed's upstream URL and the relative
//! path a mirror (`--db-repository`) serves it under.
//!
//! A mirror lays the feeds out as `osv/<ecosystem>/all.zip` (plus
//! `modified_id.csv` and `<ID>.json` beside it), `alpine/<branch>/<repo>.json`,
//! `debian/tracker.json`, `kev/known_exploited_vulnerabilities.json`,
//! `epss/epss_scores-current.csv.gz` and NVD's yearly JSON 2.0 feeds as
//! `nvd/nvdcve-2.0-<year>.json.gz` (2002 to this year, as published at
//! `nvd.nist.gov/feeds/json/cve/2.0/`; years a mirror lacks are skipped),
//! so a plain static file server over a directory of downloads is a
//! mirror. Upstream, NVD data comes from the CVE API 2.0 instead (see
//! `nvd`).

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
    "Ubuntu",
    "AlmaLinux",
    "Rocky Linux",
    "Red Hat",
    "Wolfi",
    "Chainguard",
];

/// Alpine secdb branches fetched by default: every release still seen in
/// the wild that secdb publishes.
pub const DEFAULT_ALPINE_BRANCHES: &[&str] = &[
    "v3.12", "v3.13", "v3.14", "v3.15", "v3.16", "v3.17", "v3.18", "v3.19", "v3.20", "v3.21",
    "v3.22",
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
        ]);
        out
    }

    /// Parses one `--feeds` item: `osv` (all default ecosystems),
    /// `osv:<Ecosystem>`, `alpine` (all default branches),
    /// `alpine:<branch>[/<repo>]`, `debian-tracker`, `kev`, `epss`, `nvd`.
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
            _ => Err(bad(
                "expected osv[:<Ecosystem>], alpine[:<branch>[/<repo>]], debian-tracker, kev, epss or nvd",
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
            _ => None,
        }
    }
}

/// A path segment that cannot climb out of the cache or a mirror.
pub(crate) fn is_safe_segment(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".." && !s.contains(['/', '\\', '\0']) && !s.starts_with('.')
}
