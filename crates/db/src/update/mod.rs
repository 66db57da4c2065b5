//! `tidewatch db update`: download the feeds, then hand the files to the
//! importer (`via = "update"`, the URLs as origins), which swaps a new DB
//! file in atomically.
//!
//! Everything downloaded lives under `<cache>/update/`: `files/` holds the
//! single-file feeds under their mirror paths, `osv/<ecosystem>/records/`
//! a local mirror of every OSV record of the ecosystem (OSV is updated
//! record by record, while an import replaces a whole source, so the
//! complete directory is what gets imported; each ecosystem's directory
//! gives only its own `osv:<Ecosystem>…` sources), `redhat-csaf/records/`
//! the same for Red Hat's CSAF VEX files, `amazon/<release>/` the cached
//! `mirror.list` and `repomd.xml` that lead to Amazon's updateinfo, and
//! `state.json` the validators and timestamps for the next run (see
//! `state`). Only feeds that changed are re-imported; if the DB has
//! nothing from an update yet (first run, or the DB was deleted), every
//! cached feed is.
//!
//! The core stays synchronous: reqwest's blocking client runs its own
//! small runtime at this edge. Progress is reported through [`Progress`]
//! so the CLI decides how (and whether) to draw it.

mod amazon;
mod csaf;
mod feeds;
mod http;
mod nvd;
mod osv;
mod state;

pub use feeds::{
    AMAZON_CDN, DEFAULT_ALPINE_BRANCHES, DEFAULT_AMAZON_RELEASES, DEFAULT_OSV_ECOSYSTEMS,
    DEFAULT_SUSE_OVAL, FeedSpec,
};
pub use http::Repository;
pub use nvd::{NVD_API, NVD_MAX_PAGE};

use crate::error::DbError;
use crate::import::{ImportOptions, import_with};
use crate::model::ImportReport;
use crate::store::Db;
use http::{Fetched, Fetcher};
use state::State;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Errors of the downloader; each names the URL or file concerned.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("{url}: HTTP {status} {reason}")]
    Status {
        url: String,
        status: u16,
        reason: String,
        retry_after: Option<Duration>,
    },
    #[error("{url}: {message}")]
    Network { url: String, message: String },
    #[error("cannot download {path} from any repository:\n  {}", failures.join("\n  "))]
    AllRepositoriesFailed { path: String, failures: Vec<String> },
    #[error("{url}: malformed download: {message}")]
    Malformed { url: String, message: String },
    /// A downloaded feed file the importer refused.
    #[error("{url}: {error}")]
    Feed { url: String, error: DbError },
    #[error("invalid --db-repository {url:?}: {reason}")]
    BadRepository { url: String, reason: String },
    #[error("invalid feed {feed:?}: {reason}")]
    BadFeed { feed: String, reason: String },
    #[error("cannot start the HTTP client: {0}")]
    Client(String),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Db(#[from] DbError),
}

impl UpdateError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        UpdateError::Io {
            path: path.into(),
            source,
        }
    }
}

/// Download progress, one file at a time. All methods default to nothing.
pub trait Progress {
    /// A download of `url` starts; `total` bytes if the server said.
    fn begin(&self, _url: &str, _total: Option<u64>) {}
    fn advance(&self, _bytes: u64) {}
    fn end(&self) {}
}

/// Draws nothing.
pub struct NoProgress;
impl Progress for NoProgress {}

/// What to download and how.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    /// Downloads and state go under `<cache_dir>/update/`.
    pub cache_dir: PathBuf,
    pub feeds: Vec<FeedSpec>,
    /// Tried in order for every file.
    pub repositories: Vec<Repository>,
    /// Retries per repository on 429, 5xx and connection errors.
    pub retries: u32,
    /// The first back-off; doubled on every retry.
    pub backoff: Duration,
    /// Connect timeout; a whole transfer may take 60 times this.
    pub timeout: Duration,
    /// The NVD CVE API 2.0 endpoint used for [`Repository::Upstream`].
    pub nvd_api: String,
    /// Sent as the `apiKey` header; raises NVD's rate limit tenfold.
    pub nvd_api_key: Option<String>,
    /// Where Amazon Linux's mirror lists are looked up for
    /// [`Repository::Upstream`] ([`AMAZON_CDN`]).
    pub amazon_cdn: String,
    /// CVEs per API page (at most [`NVD_MAX_PAGE`]).
    pub nvd_page_size: u32,
    /// Least time between two API requests; `None` follows NVD's limits
    /// (6 s without a key, 0.6 s with one).
    pub nvd_request_interval: Option<Duration>,
}

impl UpdateOptions {
    /// Every default feed from upstream.
    pub fn new(cache_dir: impl Into<PathBuf>) -> Self {
        UpdateOptions {
            cache_dir: cache_dir.into(),
            feeds: FeedSpec::defaults(),
            repositories: vec![Repository::Upstream],
            retries: 3,
            backoff: Duration::from_secs(1),
            timeout: Duration::from_secs(30),
            nvd_api: NVD_API.to_string(),
            nvd_api_key: None,
            amazon_cdn: AMAZON_CDN.to_string(),
            nvd_page_size: NVD_MAX_PAGE,
            nvd_request_interval: None,
        }
    }
}

/// How one feed changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Nothing new (304, or no new `modified_id.csv` entries).
    NotModified,
    /// The whole file (or OSV `all.zip`) was downloaded.
    Full,
    /// Only these many OSV records were fetched.
    Incremental { records: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedOutcome {
    pub feed: String,
    pub url: String,
    pub change: Change,
    /// Bytes transferred for this feed.
    pub bytes: u64,
}

/// What an update did.
#[derive(Debug, Clone, Default)]
pub struct UpdateReport {
    pub feeds: Vec<FeedOutcome>,
    /// The import, when anything was imported.
    pub import: Option<ImportReport>,
    pub bytes: u64,
}

/// Downloads what changed and rebuilds `db_path` from it. On any error
/// the DB file is untouched (the importer only renames a complete file in).
pub fn update(
    db_path: &Path,
    opts: &UpdateOptions,
    progress: &dyn Progress,
) -> Result<UpdateReport, UpdateError> {
    let root = opts.cache_dir.join("update");
    std::fs::create_dir_all(&root).map_err(|e| UpdateError::io(&root, e))?;
    // Two updaters sharing a cache would trample each other's files.
    let lock_path = root.join(".lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| UpdateError::io(&lock_path, e))?;
    lock.lock().map_err(|e| UpdateError::io(&lock_path, e))?;
    remove_partial_downloads(&root);

    let state_path = root.join("state.json");
    let mut state = State::load(&state_path);
    let import_all = !has_updated_sources(db_path);
    let fetcher = Fetcher::new(
        &opts.repositories,
        opts.retries,
        opts.backoff,
        opts.timeout,
        progress,
    )?;

    let mut report = UpdateReport::default();
    let mut new_state = state.clone();
    // Files to import, grouped: a group is re-imported whole if any member
    // changed, because the importer replaces whole sources (both Alpine
    // repos of a branch form one source).
    let mut groups: BTreeMap<String, Vec<(PathBuf, String, bool)>> = BTreeMap::new();
    let mut only_sources = HashMap::new();
    let mut feeds = opts.feeds.clone();
    feeds.sort();
    feeds.dedup();
    for feed in &feeds {
        let name = feed.name();
        let (path, url, change, bytes, group) = match feed {
            FeedSpec::Osv { ecosystem } => {
                let cache = root.join("osv").join(ecosystem);
                let mirror = cache.join("records");
                let out = osv::update(&fetcher, &state, ecosystem, &cache, &mirror)?;
                match out.last_seen {
                    Some(ts) => new_state.osv_last_seen.insert(ecosystem.clone(), ts),
                    None => new_state.osv_last_seen.remove(ecosystem),
                };
                if let Some((k, v)) = out.csv_validators {
                    new_state.validators.insert(k, v);
                }
                // osv.dev exports a record under every ecosystem it names
                // (SUSE's also name openSUSE Leap, some GHSA records two
                // languages): each directory gives only its own sources.
                only_sources.insert(mirror.clone(), format!("osv:{ecosystem}"));
                (mirror, out.url, out.change, out.bytes, name.clone())
            }
            FeedSpec::Nvd => {
                let cache = root.join("nvd");
                let Some(out) = nvd::update(opts, progress, &state, &cache)? else {
                    tracing::debug!(feed = %name, "not published by any repository");
                    continue;
                };
                new_state.nvd = Some(out.state);
                for (k, v) in out.validators {
                    new_state.validators.insert(k, v);
                }
                (
                    cache.join("records"),
                    out.url,
                    out.change,
                    out.bytes,
                    name.clone(),
                )
            }
            FeedSpec::Amazon { release } => {
                let mut dest = root.join("files");
                dest.extend(feed.mirror_path());
                let cache = root.join("amazon").join(release);
                let Some(out) = amazon::update(&fetcher, opts, &state, release, &dest, &cache)?
                else {
                    tracing::debug!(feed = %name, "not published by any repository");
                    continue;
                };
                for (k, v) in out.validators {
                    new_state.validators.insert(k, v);
                }
                new_state
                    .urls
                    .insert(amazon::url_key(release), out.url.clone());
                (dest, out.url, out.change, out.bytes, name.clone())
            }
            FeedSpec::RedhatCsaf => {
                let cache = root.join("redhat-csaf");
                let out = csaf::update(&fetcher, &state, &cache)?;
                new_state.csaf = Some(out.state);
                for (k, v) in out.validators {
                    new_state.validators.insert(k, v);
                }
                (
                    cache.join("records"),
                    out.url,
                    out.change,
                    out.bytes,
                    name.clone(),
                )
            }
            other => {
                let segments = other.mirror_path();
                let key = segments.join("/");
                let mut dest = root.join("files");
                dest.extend(&segments);
                let group = match other {
                    FeedSpec::AlpineSecdb { branch, .. } => format!("alpine:{branch}"),
                    // Files of different products can name the same
                    // source (a SLES module under two releases' files).
                    FeedSpec::SuseOval { .. } => "suse-oval".into(),
                    _ => name.clone(),
                };
                match fetcher.fetch(&segments, &dest, state.validators.get(&key), true)? {
                    Fetched::Changed {
                        url,
                        validators,
                        bytes,
                    } => {
                        new_state.validators.insert(key, validators);
                        (dest, url, Change::Full, bytes, group)
                    }
                    Fetched::NotModified { url } => (dest, url, Change::NotModified, 0, group),
                    Fetched::Missing => {
                        // An Alpine branch without a community repo, say:
                        // nothing to import, and not worth failing over.
                        tracing::debug!(feed = %name, "not published by any repository");
                        continue;
                    }
                }
            }
        };
        report.bytes += bytes;
        groups
            .entry(group)
            .or_default()
            .push((path, url.clone(), change != Change::NotModified));
        report.feeds.push(FeedOutcome {
            feed: name,
            url,
            change,
            bytes,
        });
    }

    let mut inputs = Vec::new();
    let mut origins = HashMap::new();
    for members in groups.values() {
        if import_all || members.iter().any(|(_, _, changed)| *changed) {
            for (path, url, _) in members {
                if path.exists() {
                    inputs.push(path.clone());
                    origins.insert(path.clone(), url.clone());
                }
            }
        }
    }
    if !inputs.is_empty() {
        let options = ImportOptions {
            via: "update".into(),
            origins,
            only_sources,
        };
        report.import = Some(
            import_with(db_path, &inputs, &options)
                .map_err(|e| name_the_url(e, &options.origins))?,
        );
    }
    new_state.last_checked = Some(jiff::Timestamp::now().to_string());
    state = new_state;
    state.save(&state_path)?;
    Ok(report)
}

/// An importer's complaint about a downloaded file names the cache path;
/// the user needs the URL it came from.
fn name_the_url(e: DbError, origins: &HashMap<PathBuf, String>) -> UpdateError {
    let path = match &e {
        DbError::Malformed { path, .. } => path.clone(),
        DbError::Io { path, .. } => path.display().to_string(),
        _ => return UpdateError::Db(e),
    };
    let origin = origins
        .iter()
        .filter(|(input, _)| {
            Path::new(&path).starts_with(input) || path.starts_with(&*input.to_string_lossy())
        })
        .max_by_key(|(input, _)| input.as_os_str().len());
    match origin {
        Some((_, url)) => UpdateError::Feed {
            url: url.clone(),
            error: e,
        },
        None => UpdateError::Db(e),
    }
}

/// Under the update lock, any `.download-*` (a transfer) or `.nvd-*` (a
/// year file being written) temp file was left by a killed run: the
/// importer skips hidden files, so they only cost space, but they would
/// pile up.
fn remove_partial_downloads(root: &Path) {
    for entry in walkdir::WalkDir::new(root).into_iter().flatten() {
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_file()
            && (name.starts_with(".download-") || name.starts_with(".nvd-"))
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The lines of a two-column change list (`modified_id.csv`,
/// `changes.csv`), numbered from 1, split at the first comma into trimmed
/// fields; blank lines are passed over, a line without a comma is an
/// error saying it should look like `expected`.
fn two_columns<'a>(
    url: &'a str,
    text: &'a str,
    expected: &'a str,
) -> impl Iterator<Item = Result<(usize, &'a str, &'a str), UpdateError>> + 'a {
    text.lines()
        .enumerate()
        .map(|(n, line)| (n + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty())
        .map(move |(n, line)| match line.split_once(',') {
            Some((a, b)) => Ok((n, a.trim(), b.trim())),
            None => Err(line_error(url, n, &format!("expected {expected}"))),
        })
}

/// A malformed change list, naming its URL and line.
fn line_error(url: &str, line: usize, why: &str) -> UpdateError {
    UpdateError::Malformed {
        url: url.to_string(),
        message: format!("line {line}: {why}"),
    }
}

/// A change list's RFC 3339 timestamp.
fn rfc3339(text: &str, bad: &dyn Fn(&str) -> UpdateError) -> Result<jiff::Timestamp, UpdateError> {
    text.parse().map_err(|_| bad("timestamp is not RFC 3339"))
}

fn has_updated_sources(db_path: &Path) -> bool {
    Db::open(db_path)
        .and_then(|db| db.status())
        .map(|s| s.sources.iter().any(|s| s.via == "update"))
        .unwrap_or(false)
}

/// Whether a scan should update the DB first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// No DB file.
    Missing,
    /// Built only by `db import`: never updated automatically.
    ImportedOnly,
    /// Last updated this long ago, within the allowed age.
    Fresh(Duration),
    /// Last updated this long ago, beyond the allowed age.
    Stale(Duration),
}

/// How old the downloaded feeds of `db_path` are: the later of the last
/// update check recorded in `cache_dir` and the newest updated source.
pub fn freshness(
    db_path: &Path,
    cache_dir: &Path,
    max_age: Duration,
) -> Result<Freshness, DbError> {
    if !db_path.exists() {
        return Ok(Freshness::Missing);
    }
    let status = Db::open(db_path)?.status()?;
    let newest_source = status
        .sources
        .iter()
        .filter(|s| s.via == "update")
        .filter_map(|s| s.imported_at.parse::<jiff::Timestamp>().ok())
        .max();
    let Some(newest_source) = newest_source else {
        return Ok(Freshness::ImportedOnly);
    };
    let checked = State::load(&cache_dir.join("update").join("state.json"))
        .last_checked
        .and_then(|t| t.parse::<jiff::Timestamp>().ok());
    let last = checked.map_or(newest_source, |c| c.max(newest_source));
    let age = jiff::Timestamp::now().duration_since(last).unsigned_abs();
    Ok(if age > max_age {
        Freshness::Stale(age)
    } else {
        Freshness::Fresh(age)
    })
}
