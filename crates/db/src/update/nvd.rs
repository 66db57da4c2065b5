//! CVE severity from the NVD: CVSS metrics for every CVE, kept in a local
//! store of year files (`<cache>/update/nvd/records/<year>.json`, NVD CVE
//! API 2.0 response shape, each record trimmed to `id`, `published`,
//! `lastModified`, `vulnStatus` and `metrics`) that is imported whole as
//! the `nvd` source.
//!
//! **Why the NVD CVE API 2.0 and not the CVE JSON 5 bulk records:** the
//! CVE records carry only the CNAs' own CVSS, which most CNAs leave out
//! (Linux distributions' packages mostly come from CNAs that never score);
//! NVD's analysis (`nvd@nist.gov`, Primary) is the score Trivy and Grype
//! show and the one `../shared/vulndata/nvd-subset` holds, and the API
//! also returns every CNA (Secondary) score, so it is a superset. It is
//! paged (`startIndex`/`resultsPerPage`, at most 2,000 a page) and can be
//! asked for only what changed (`lastModStartDate`/`lastModEndDate`, at
//! most 120 days a window), which keeps a daily update to a few requests.
//!
//! - **Upstream** (the API): the first run pages through every CVE; later
//!   runs ask only for CVEs modified since the previous run *started*
//!   (so changes made during a long fetch are not lost), in windows of at
//!   most 120 days, and merge them into the year files. Requests are
//!   spaced to NVD's published limits (5 per 30 s without a key, 50 with
//!   one: 6 s and 0.6 s apart); the key comes from `NVD_API_KEY` through
//!   [`UpdateOptions::nvd_api_key`] and is sent in the `apiKey` header.
//!   403 and 429 (NVD's rate-limit answers) and 5xx are retried with
//!   back-off starting at the request interval.
//! - **A mirror** serves NVD's own yearly JSON 2.0 feed files as
//!   `nvd/nvdcve-2.0-<year>.json.gz` (2002 holds everything before it;
//!   gzip or plain JSON), exactly as `nvd.nist.gov/feeds/json/cve/2.0/`
//!   publishes them, so filling a mirror is a plain copy. Each year is a
//!   conditional request; a changed year replaces that year's file, and a
//!   year the mirror does not have (404) is dropped.
//!
//! Switching between the API and a mirror rebuilds the store from the new
//! one, since their coverage may differ.

use super::http::{Fetched, Fetcher};
use super::state::{NvdState, State, Validators};
use super::{Change, Progress, Repository, UpdateError, UpdateOptions};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The NVD CVE API 2.0 endpoint.
pub const NVD_API: &str = "https://services.nvd.nist.gov/rest/json/cves/2.0";
/// The largest page the API serves.
pub const NVD_MAX_PAGE: u32 = 2000;
/// NVD refuses date ranges longer than this.
const MAX_WINDOW_DAYS: i64 = 120;
/// NVD's first yearly feed; it also holds the 1999–2001 CVEs.
const FIRST_YEAR: i16 = 2002;
/// An NVD year file decompresses to a few hundred MiB at most.
const MAX_DECODED: u64 = 2 << 30;

pub(crate) struct NvdOutcome {
    pub change: Change,
    pub url: String,
    pub bytes: u64,
    pub state: NvdState,
    /// Validators of mirror files to remember after the import.
    pub validators: Vec<(String, Validators)>,
}

/// Fetches what changed into `<cache>/records`. `Ok(None)` when no
/// repository publishes NVD data (a mirror without an `nvd/` folder).
pub(crate) fn update(
    opts: &UpdateOptions,
    progress: &dyn Progress,
    state: &State,
    cache: &Path,
) -> Result<Option<NvdOutcome>, UpdateError> {
    let records = cache.join("records");
    let mut failures = Vec::new();
    let mut missing = 0;
    for repo in &opts.repositories {
        let result = match repo {
            Repository::Upstream => api(opts, progress, state, cache, &records).map(Some),
            Repository::Mirror(base) => mirror(opts, progress, repo, base, state, cache, &records),
        };
        match result {
            Ok(Some(out)) => return Ok(Some(out)),
            Ok(None) => {
                missing += 1;
                failures.push(format!("{repo:?}: no nvd/ files"));
            }
            Err(e) => {
                tracing::debug!(error = %e, "NVD source failed, trying the next");
                failures.push(e.to_string());
            }
        }
    }
    if missing > 0 {
        return Ok(None);
    }
    Err(UpdateError::AllRepositoriesFailed {
        path: "nvd".into(),
        failures,
    })
}

/// One CVE as stored: what the importer and the next merge need.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cve {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_modified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vuln_status: Option<String>,
    #[serde(default)]
    metrics: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Item {
    cve: Cve,
}

/// An API page, a mirror year file, or a stored year file.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    #[serde(default)]
    total_results: Option<u64>,
    #[serde(default)]
    vulnerabilities: Vec<Item>,
}

#[derive(Serialize)]
struct StoredFile<'a> {
    format: &'static str,
    version: &'static str,
    vulnerabilities: Vec<&'a Item>,
}

/// The year a CVE id is filed under (`CVE-2022-37434` → `2022`), which is
/// how NVD splits its yearly feeds; `None` for anything else, which also
/// keeps hostile ids out of file names.
fn year_of(id: &str) -> Option<&str> {
    let mut parts = id.split('-');
    let (Some("CVE"), Some(year), Some(num)) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let ok = year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && !num.is_empty()
        && num.bytes().all(|b| b.is_ascii_digit())
        && parts.next().is_none();
    ok.then_some(year)
}

/// Changed records, one JSON line per record, per year, in arrival order.
struct Staging {
    dir: PathBuf,
    writers: HashMap<String, BufWriter<std::fs::File>>,
    records: usize,
}

impl Staging {
    fn new(dir: PathBuf) -> Result<Staging, UpdateError> {
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| UpdateError::io(&dir, e))?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| UpdateError::io(&dir, e))?;
        Ok(Staging {
            dir,
            writers: HashMap::new(),
            records: 0,
        })
    }

    fn add(&mut self, url: &str, item: &Item) -> Result<(), UpdateError> {
        let year = year_of(item.cve.id.trim()).ok_or_else(|| UpdateError::Malformed {
            url: url.to_string(),
            message: format!("{:?} is not a CVE id", item.cve.id),
        })?;
        let w = match self.writers.entry(year.to_string()) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                let path = self.dir.join(format!("{year}.jsonl"));
                let f = std::fs::File::create(&path).map_err(|e| UpdateError::io(&path, e))?;
                v.insert(BufWriter::new(f))
            }
        };
        let line = serde_json::to_string(item).unwrap_or_default();
        writeln!(w, "{line}").map_err(|e| UpdateError::io(&self.dir, e))?;
        self.records += 1;
        Ok(())
    }

    /// Writes every staged year into `out`, on top of the same year in
    /// `base` when given (later records replace earlier ones by id;
    /// rejected CVEs are dropped).
    fn build(mut self, base: Option<&Path>, out: &Path) -> Result<usize, UpdateError> {
        for (_, mut w) in self.writers.drain() {
            w.flush().map_err(|e| UpdateError::io(&self.dir, e))?;
        }
        std::fs::create_dir_all(out).map_err(|e| UpdateError::io(out, e))?;
        let mut years: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map_err(|e| UpdateError::io(&self.dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        years.sort();
        for staged in years {
            let year = staged
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            let name = format!("{year}.json");
            let mut by_id: BTreeMap<String, Item> = BTreeMap::new();
            if let Some(base) = base {
                let prev = base.join(&name);
                if prev.exists() {
                    for item in read_page(&prev, &prev.display().to_string())?.vulnerabilities {
                        by_id.insert(item.cve.id.clone(), item);
                    }
                }
            }
            let f = std::fs::File::open(&staged).map_err(|e| UpdateError::io(&staged, e))?;
            for line in BufReader::new(f).lines() {
                let line = line.map_err(|e| UpdateError::io(&staged, e))?;
                let item: Item =
                    serde_json::from_str(&line).map_err(|e| UpdateError::Malformed {
                        url: staged.display().to_string(),
                        message: e.to_string(),
                    })?;
                by_id.insert(item.cve.id.clone(), item);
            }
            write_year(&out.join(&name), by_id.values())?;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        Ok(self.records)
    }
}

/// Writes a year file next to its destination and renames it in.
fn write_year<'a>(dest: &Path, items: impl Iterator<Item = &'a Item>) -> Result<(), UpdateError> {
    let items: Vec<&Item> = items
        .filter(|i| i.cve.vuln_status.as_deref() != Some("Rejected"))
        .collect();
    let dir = dest.parent().unwrap_or_else(|| Path::new("."));
    if items.is_empty() {
        let _ = std::fs::remove_file(dest);
        return Ok(());
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".nvd-")
        .tempfile_in(dir)
        .map_err(|e| UpdateError::io(dir, e))?;
    let file = StoredFile {
        format: "NVD_CVE",
        version: "2.0",
        vulnerabilities: items,
    };
    {
        let mut w = BufWriter::new(tmp.as_file_mut());
        serde_json::to_writer(&mut w, &file).map_err(|e| UpdateError::io(dest, e.into()))?;
        w.flush().map_err(|e| UpdateError::io(dest, e))?;
    }
    tmp.persist(dest)
        .map_err(|e| UpdateError::io(dest, e.error))?;
    Ok(())
}

/// Reads an NVD-shaped JSON file, gzip or plain.
fn read_page(path: &Path, url: &str) -> Result<Page, UpdateError> {
    let mut f = std::fs::File::open(path).map_err(|e| UpdateError::io(path, e))?;
    let mut magic = [0u8; 2];
    let n = f.read(&mut magic).map_err(|e| UpdateError::io(path, e))?;
    let f = std::fs::File::open(path).map_err(|e| UpdateError::io(path, e))?;
    let reader: Box<dyn Read> = if n == 2 && magic == [0x1f, 0x8b] {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(f)).take(MAX_DECODED))
    } else {
        Box::new(BufReader::new(f))
    };
    serde_json::from_reader(reader).map_err(|e| UpdateError::Malformed {
        url: url.to_string(),
        message: format!("not an NVD CVE API 2.0 document: {e}"),
    })
}

/// Replaces `records` with `fresh` (remove, then one rename).
fn swap_in(fresh: &Path, records: &Path) -> Result<(), UpdateError> {
    if records.exists() {
        std::fs::remove_dir_all(records).map_err(|e| UpdateError::io(records, e))?;
    }
    std::fs::rename(fresh, records).map_err(|e| UpdateError::io(records, e))
}

fn fresh_dir(cache: &Path) -> Result<PathBuf, UpdateError> {
    let fresh = cache.join("records.new");
    if fresh.exists() {
        std::fs::remove_dir_all(&fresh).map_err(|e| UpdateError::io(&fresh, e))?;
    }
    std::fs::create_dir_all(&fresh).map_err(|e| UpdateError::io(&fresh, e))?;
    Ok(fresh)
}

/// The windows of at most 120 days that cover `since..now`.
pub(crate) fn windows(
    since: jiff::Timestamp,
    now: jiff::Timestamp,
) -> Vec<(jiff::Timestamp, jiff::Timestamp)> {
    let max = jiff::SignedDuration::from_hours(24 * MAX_WINDOW_DAYS);
    if since >= now {
        return vec![(now, now)];
    }
    let mut out = Vec::new();
    let mut start = since;
    while start < now {
        let end = start.checked_add(max).map_or(now, |e| e.min(now));
        out.push((start, end));
        start = end;
    }
    out
}

/// NVD's extended ISO-8601 form, in UTC: `2024-04-01T13:00:00.000+00:00`.
pub(crate) fn nvd_time(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string()
}

struct Pager<'a> {
    fetcher: Fetcher<'a>,
    api: reqwest::Url,
    key: Option<&'a str>,
    page_size: u32,
    interval: Duration,
    last_request: Option<Instant>,
    bytes: u64,
}

impl Pager<'_> {
    /// Pages through every CVE (or those modified in `window`) into `staging`.
    fn fetch(
        &mut self,
        window: Option<(jiff::Timestamp, jiff::Timestamp)>,
        staging: &mut Staging,
    ) -> Result<(), UpdateError> {
        let page_path = staging.dir.join(".page.json");
        let mut start: u64 = 0;
        loop {
            let mut url = self.api.clone();
            {
                let mut q = url.query_pairs_mut();
                if let Some((a, b)) = window {
                    q.append_pair("lastModStartDate", &nvd_time(a));
                    q.append_pair("lastModEndDate", &nvd_time(b));
                }
                q.append_pair("resultsPerPage", &self.page_size.to_string());
                q.append_pair("startIndex", &start.to_string());
            }
            if let Some(last) = self.last_request {
                let since = last.elapsed();
                if since < self.interval {
                    std::thread::sleep(self.interval - since);
                }
            }
            self.last_request = Some(Instant::now());
            self.bytes += self.fetcher.fetch_api(url.as_str(), self.key, &page_path)?;
            let page = read_page(&page_path, url.as_str())?;
            let _ = std::fs::remove_file(&page_path);
            let Some(total) = page.total_results else {
                return Err(UpdateError::Malformed {
                    url: url.to_string(),
                    message: "no totalResults".into(),
                });
            };
            let n = page.vulnerabilities.len() as u64;
            for item in &page.vulnerabilities {
                staging.add(url.as_str(), item)?;
            }
            start += n;
            if start >= total {
                return Ok(());
            }
            if n == 0 {
                // Stopping here would store a partial set as complete.
                return Err(UpdateError::Malformed {
                    url: url.to_string(),
                    message: format!("empty page at {start} of {total} results"),
                });
            }
        }
    }
}

fn api(
    opts: &UpdateOptions,
    progress: &dyn Progress,
    state: &State,
    cache: &Path,
    records: &Path,
) -> Result<NvdOutcome, UpdateError> {
    let bad_url = |reason: String| UpdateError::BadRepository {
        url: opts.nvd_api.clone(),
        reason,
    };
    let api = reqwest::Url::parse(&opts.nvd_api).map_err(|e| bad_url(e.to_string()))?;
    if !matches!(api.scheme(), "http" | "https") {
        return Err(bad_url("expected an http(s) URL".into()));
    }
    let key = opts.nvd_api_key.as_deref().filter(|k| !k.trim().is_empty());
    let interval = opts.nvd_request_interval.unwrap_or(if key.is_some() {
        Duration::from_millis(600)
    } else {
        Duration::from_secs(6)
    });
    let fetcher = Fetcher::new(
        &[],
        opts.retries,
        opts.backoff.max(interval),
        opts.timeout,
        progress,
    )?;
    let mut pager = Pager {
        fetcher,
        api,
        key,
        page_size: opts.nvd_page_size.clamp(1, NVD_MAX_PAGE),
        interval,
        last_request: None,
        bytes: 0,
    };
    let started = jiff::Timestamp::now();
    let since = state
        .nvd
        .as_ref()
        .filter(|s| s.via == "api" && records.is_dir())
        .and_then(|s| s.since.as_deref())
        .and_then(|s| s.parse::<jiff::Timestamp>().ok());
    let mut staging = Staging::new(cache.join("staging"))?;
    let change = match since {
        None => {
            pager.fetch(None, &mut staging)?;
            let fresh = fresh_dir(cache)?;
            staging.build(None, &fresh)?;
            swap_in(&fresh, records)?;
            Change::Full
        }
        Some(since) => {
            for w in windows(since, started) {
                pager.fetch(Some(w), &mut staging)?;
            }
            match staging.build(Some(records), records)? {
                0 => Change::NotModified,
                n => Change::Incremental { records: n },
            }
        }
    };
    Ok(NvdOutcome {
        change,
        url: opts.nvd_api.clone(),
        bytes: pager.bytes,
        state: NvdState {
            via: "api".into(),
            since: Some(started.to_string()),
        },
        validators: Vec::new(),
    })
}

fn mirror(
    opts: &UpdateOptions,
    progress: &dyn Progress,
    repo: &Repository,
    base: &reqwest::Url,
    state: &State,
    cache: &Path,
    records: &Path,
) -> Result<Option<NvdOutcome>, UpdateError> {
    let fetcher = Fetcher::new(
        std::slice::from_ref(repo),
        opts.retries,
        opts.backoff,
        opts.timeout,
        progress,
    )?;
    let same = state.nvd.as_ref().is_some_and(|s| s.via == "mirror") && records.is_dir();
    let target = if same {
        records.to_path_buf()
    } else {
        fresh_dir(cache)?
    };
    let download_dir = cache.join("download");
    let this_year = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .year();
    let (mut found, mut changed, mut bytes) = (false, 0usize, 0u64);
    let mut validators = Vec::new();
    for year in FIRST_YEAR..=this_year {
        let file = format!("nvdcve-2.0-{year}.json.gz");
        let segments = vec!["nvd".to_string(), file.clone()];
        let key = segments.join("/");
        let stored = target.join(format!("{year}.json"));
        let sent = state
            .validators
            .get(&key)
            .filter(|_| same && stored.exists());
        let download = download_dir.join(&file);
        match fetcher.fetch_with(&segments, &download, sent, true)? {
            Fetched::Changed {
                url,
                validators: v,
                bytes: b,
            } => {
                found = true;
                bytes += b;
                let page = read_page(&download, &url)?;
                for item in &page.vulnerabilities {
                    if year_of(item.cve.id.trim()).is_none() {
                        return Err(UpdateError::Malformed {
                            url,
                            message: format!("{:?} is not a CVE id", item.cve.id),
                        });
                    }
                }
                write_year(&stored, page.vulnerabilities.iter())?;
                let _ = std::fs::remove_file(&download);
                validators.push((key, v));
                changed += 1;
            }
            Fetched::NotModified { .. } => found = true,
            Fetched::Missing => {
                // Not (or no longer) published there.
                let _ = std::fs::remove_file(&stored);
            }
        }
    }
    if !found {
        if !same {
            let _ = std::fs::remove_dir_all(&target);
        }
        return Ok(None);
    }
    if !same {
        swap_in(&target, records)?;
    }
    Ok(Some(NvdOutcome {
        change: if changed == 0 {
            Change::NotModified
        } else {
            Change::Full
        },
        url: format!("{base}nvd/"),
        bytes,
        state: NvdState {
            via: "mirror".into(),
            since: None,
        },
        validators,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> jiff::Timestamp {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn windows_cover_the_gap_in_120_day_steps() {
        let w = windows(ts("2024-01-01T00:00:00Z"), ts("2024-09-01T00:00:00Z"));
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].0, ts("2024-01-01T00:00:00Z"));
        assert_eq!(w[0].1, ts("2024-04-30T00:00:00Z"));
        assert_eq!(w[1].0, w[0].1);
        assert_eq!(w[2].1, ts("2024-09-01T00:00:00Z"));
        assert!(
            w.iter()
                .all(|(a, b)| b.duration_since(*a) <= jiff::SignedDuration::from_hours(24 * 120))
        );
        let one = windows(ts("2024-01-01T00:00:00Z"), ts("2024-01-02T00:00:00Z"));
        assert_eq!(one.len(), 1);
        // A clock that went backwards still asks for something sane.
        let back = windows(ts("2024-01-02T00:00:00Z"), ts("2024-01-01T00:00:00Z"));
        assert_eq!(
            back,
            [(ts("2024-01-01T00:00:00Z"), ts("2024-01-01T00:00:00Z"))]
        );
    }

    #[test]
    fn times_are_in_nvd_form() {
        assert_eq!(
            nvd_time(ts("2024-04-01T13:00:00.5Z")),
            "2024-04-01T13:00:00.500+00:00"
        );
    }

    #[test]
    fn only_cve_ids_name_year_files() {
        assert_eq!(year_of("CVE-2022-37434"), Some("2022"));
        for bad in [
            "CVE-../-1",
            "GHSA-xxxx",
            "CVE-2022-",
            "CVE-20222-1",
            "CVE-2022-1-2",
        ] {
            assert_eq!(year_of(bad), None, "{bad}");
        }
    }
}
