//! Fetching one file from the first mirror that has it: conditional
//! requests, retries with back-off on 429/5xx and connection errors, and
//! streaming to a temp file beside the destination so a dropped
//! connection never replaces a good cached file with half a new one.

use super::feeds::FeedSpec;
use super::state::Validators;
use super::{Progress, UpdateError};
use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER};
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

/// Where files come from, tried in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repository {
    /// Each feed's publisher (OSV bucket, secdb.alpinelinux.org, …).
    Upstream,
    /// A base URL serving every feed under the mirror layout.
    Mirror(reqwest::Url),
}

impl Repository {
    /// `upstream` or a base URL (`https://…`, or `http://` for a local mirror).
    pub fn parse(s: &str) -> Result<Repository, UpdateError> {
        if s.trim() == "upstream" {
            return Ok(Repository::Upstream);
        }
        let mut url = reqwest::Url::parse(s.trim()).map_err(|e| UpdateError::BadRepository {
            url: s.to_string(),
            reason: e.to_string(),
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
            return Err(UpdateError::BadRepository {
                url: s.to_string(),
                reason: "expected an http(s) base URL".into(),
            });
        }
        // `Url::join` drops the last segment without a trailing slash.
        if !url.path().ends_with('/') {
            url.set_path(&format!("{}/", url.path()));
        }
        Ok(Repository::Mirror(url))
    }

    fn url_for(&self, segments: &[String]) -> Option<String> {
        match self {
            Repository::Upstream => FeedSpec::upstream_url(segments),
            Repository::Mirror(base) => {
                let mut url = base.clone();
                {
                    let mut path = url.path_segments_mut().ok()?;
                    path.pop_if_empty();
                    path.extend(segments);
                }
                Some(url.to_string())
            }
        }
    }
}

/// Marks an API request; holds the key to send, if any.
#[derive(Clone, Copy)]
pub(crate) struct ApiKey<'a>(Option<&'a str>);

/// The outcome of one fetch.
pub(crate) enum Fetched {
    /// Written to the destination; the URL it came from and its validators.
    Changed {
        url: String,
        validators: Validators,
        bytes: u64,
    },
    /// The server said 304 for the validators sent.
    NotModified { url: String },
    /// No repository had it: at least one answered 404, none had it.
    Missing,
}

pub(crate) struct Fetcher<'a> {
    client: Client,
    repositories: &'a [Repository],
    retries: u32,
    backoff: Duration,
    progress: &'a dyn Progress,
}

impl<'a> Fetcher<'a> {
    pub(crate) fn new(
        repositories: &'a [Repository],
        retries: u32,
        backoff: Duration,
        timeout: Duration,
        progress: &'a dyn Progress,
    ) -> Result<Self, UpdateError> {
        let client = Client::builder()
            .user_agent(concat!("tidewatch/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(timeout)
            // The blocking client has no idle timeout; bound the whole
            // transfer generously instead (the Debian tracker is ~80 MB).
            .timeout(timeout * 60)
            .build()
            .map_err(|e| UpdateError::Client(e.to_string()))?;
        Ok(Fetcher {
            client,
            repositories,
            retries,
            backoff,
            progress,
        })
    }

    /// Fetches the file at `segments` into `dest`. `validators` are sent
    /// only when `dest` exists (a 304 is useless without the old copy).
    pub(crate) fn fetch(
        &self,
        segments: &[String],
        dest: &Path,
        validators: Option<&Validators>,
        show_progress: bool,
    ) -> Result<Fetched, UpdateError> {
        self.fetch_with(
            segments,
            dest,
            validators.filter(|_| dest.exists()),
            show_progress,
        )
    }

    /// [`Fetcher::fetch`] sending `validators` as given: for callers whose
    /// previous copy lives elsewhere than `dest` (the NVD year files are
    /// converted after download, so the raw file is not kept).
    pub(crate) fn fetch_with(
        &self,
        segments: &[String],
        dest: &Path,
        validators: Option<&Validators>,
        show_progress: bool,
    ) -> Result<Fetched, UpdateError> {
        let mut failures = Vec::new();
        let mut missing = 0;
        for repo in self.repositories {
            let Some(url) = repo.url_for(segments) else {
                failures.push(format!("{repo:?}: no URL for {}", segments.join("/")));
                continue;
            };
            match self.fetch_one(&url, dest, validators, show_progress, None) {
                Ok(f) => return Ok(f),
                Err(UpdateError::Status { status: 404, .. }) => {
                    missing += 1;
                    tracing::debug!(%url, "not found on this repository");
                    failures.push(format!("{url}: HTTP 404 Not Found"));
                }
                Err(e) => {
                    tracing::debug!(%url, error = %e, "repository failed, trying the next");
                    failures.push(e.to_string());
                }
            }
        }
        // A repository that answers 404 is authoritative even when
        // others are down: the file is not published.
        if missing > 0 {
            return Ok(Fetched::Missing);
        }
        Err(UpdateError::AllRepositoriesFailed {
            path: segments.join("/"),
            failures,
        })
    }

    /// Fetches one absolute URL (a link found inside another download,
    /// such as Amazon's repository metadata), with `validators` sent only
    /// when `dest` exists; a 404 is [`Fetched::Missing`].
    pub(crate) fn fetch_url(
        &self,
        url: &str,
        dest: &Path,
        validators: Option<&Validators>,
        show_progress: bool,
    ) -> Result<Fetched, UpdateError> {
        let validators = validators.filter(|_| dest.exists());
        match self.fetch_one(url, dest, validators, show_progress, None) {
            Err(UpdateError::Status { status: 404, .. }) => Ok(Fetched::Missing),
            other => other,
        }
    }

    /// The URL `segments` has on `repo`, if it publishes that path.
    pub(crate) fn url_on(repo: &Repository, segments: &[String]) -> Option<String> {
        repo.url_for(segments)
    }

    /// One API request (the NVD CVE API) to `dest`, with its key in the
    /// `apiKey` header when given. The NVD answers 403 as well as 429 when
    /// a client goes over its rate limit, so both are waited out.
    pub(crate) fn fetch_api(
        &self,
        url: &str,
        api_key: Option<&str>,
        dest: &Path,
    ) -> Result<u64, UpdateError> {
        match self.fetch_one(url, dest, None, true, Some(ApiKey(api_key)))? {
            Fetched::Changed { bytes, .. } => Ok(bytes),
            // Without validators there is no 304 and a 404 is an error
            // status, so this cannot happen; treat it as an empty answer.
            Fetched::NotModified { .. } | Fetched::Missing => Ok(0),
        }
    }

    fn fetch_one(
        &self,
        url: &str,
        dest: &Path,
        validators: Option<&Validators>,
        show_progress: bool,
        api: Option<ApiKey<'_>>,
    ) -> Result<Fetched, UpdateError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self.attempt(url, dest, validators, show_progress, api);
            let retry_after = match &result {
                Err(UpdateError::Status {
                    status,
                    retry_after,
                    ..
                }) if *status == 429 || *status >= 500 || (*status == 403 && api.is_some()) => {
                    *retry_after
                }
                Err(UpdateError::Network { .. }) => None,
                _ => return result,
            };
            if attempt > self.retries {
                return result;
            }
            // Exponential back-off, or the server's Retry-After when it is
            // not unreasonable (a mirror asking for an hour is treated as down).
            let wait = retry_after
                .filter(|d| *d <= Duration::from_secs(60))
                .unwrap_or(self.backoff * 2u32.saturating_pow(attempt - 1));
            tracing::debug!(%url, attempt, ?wait, "retrying");
            std::thread::sleep(wait);
        }
    }

    fn attempt(
        &self,
        url: &str,
        dest: &Path,
        validators: Option<&Validators>,
        show_progress: bool,
        api: Option<ApiKey<'_>>,
    ) -> Result<Fetched, UpdateError> {
        let net = |e: reqwest::Error| UpdateError::Network {
            url: url.to_string(),
            message: error_chain(&e),
        };
        let mut req = self.client.get(url);
        if let Some(ApiKey(Some(key))) = api {
            req = req.header("apiKey", key);
        }
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                req = req.header(IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &v.last_modified {
                req = req.header(IF_MODIFIED_SINCE, lm);
            }
        }
        let resp = req.send().map_err(net)?;
        let status = resp.status();
        if status == StatusCode::NOT_MODIFIED && validators.is_some() {
            return Ok(Fetched::NotModified {
                url: url.to_string(),
            });
        }
        if !status.is_success() {
            return Err(UpdateError::Status {
                url: url.to_string(),
                status: status.as_u16(),
                reason: status.canonical_reason().unwrap_or("").to_string(),
                retry_after: retry_after(&resp),
            });
        }
        let header = |name| {
            resp.headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let new_validators = Validators {
            etag: header(ETAG),
            last_modified: header(LAST_MODIFIED),
        };
        let total = resp.content_length();
        let bytes = self.save(url, resp, dest, total, show_progress)?;
        Ok(Fetched::Changed {
            url: url.to_string(),
            validators: new_validators,
            bytes,
        })
    }

    fn save(
        &self,
        url: &str,
        mut resp: Response,
        dest: &Path,
        total: Option<u64>,
        show_progress: bool,
    ) -> Result<u64, UpdateError> {
        let dir = dest.parent().unwrap_or_else(|| Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| UpdateError::io(dir, e))?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".download-")
            .tempfile_in(dir)
            .map_err(|e| UpdateError::io(dir, e))?;
        if show_progress {
            self.progress.begin(url, total);
        }
        let mut buf = vec![0u8; 64 * 1024];
        let mut written = 0u64;
        let result = loop {
            let n = match resp.read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(n) => n,
                Err(e) => {
                    break Err(UpdateError::Network {
                        url: url.to_string(),
                        message: format!("connection lost after {written} bytes: {e}"),
                    });
                }
            };
            let chunk = buf.get(..n).unwrap_or_default();
            if let Err(e) = tmp.write_all(chunk) {
                break Err(UpdateError::io(tmp.path(), e));
            }
            written += n as u64;
            if show_progress {
                self.progress.advance(n as u64);
            }
        };
        if show_progress {
            self.progress.end();
        }
        result?;
        if let Some(t) = total.filter(|t| *t != written) {
            return Err(UpdateError::Network {
                url: url.to_string(),
                message: format!("truncated: got {written} of {t} bytes"),
            });
        }
        tmp.as_file()
            .sync_all()
            .map_err(|e| UpdateError::io(tmp.path(), e))?;
        tmp.persist(dest)
            .map_err(|e| UpdateError::io(dest, e.error))?;
        Ok(written)
    }
}

fn retry_after(resp: &Response) -> Option<Duration> {
    resp.headers()
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// reqwest's Display stops at "error sending request"; the cause
/// (connection refused, DNS, TLS) is what the user needs.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}
