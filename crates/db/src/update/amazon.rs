//! Amazon Linux ALAS, from the `updateinfo.xml` Amazon publishes in each
//! repository's metadata. There is no fixed URL for it: upstream, the
//! release's `mirror.list` (under [`UpdateOptions::amazon_cdn`]) names
//! the repository's current base URL, whose `repodata/repomd.xml` gives
//! the `updateinfo` file's location (its name carries a checksum, so it
//! changes with every release of the repository). Each step is a
//! conditional request on a cached copy, so an unchanged repository
//! costs two 304s. A mirror flattens the chain to
//! `amazon/<release>/updateinfo.xml.gz`.
//!
//! Only the core x86_64 repository is read: Amazon builds the same
//! versions for aarch64, and the ALAS importer records a fix per package
//! when every architecture got the same build.

use super::feeds::{amazon_mirror_list, is_safe_segment};
use super::http::{Fetched, Fetcher};
use super::state::{State, Validators};
use super::{Change, Repository, UpdateError, UpdateOptions};
use quick_xml::Reader;
use quick_xml::events::Event;
use std::path::Path;

pub(crate) struct AmazonOutcome {
    pub change: Change,
    pub url: String,
    pub bytes: u64,
    /// Validators to remember after the import, keyed like the state's.
    pub validators: Vec<(String, Validators)>,
}

/// The state key under which the updateinfo's own URL is remembered.
pub(crate) fn url_key(release: &str) -> String {
    format!("amazon/{release}/updateinfo.xml.gz")
}

/// Fetches `release`'s updateinfo into `dest`. `Ok(None)` when no
/// repository publishes it.
pub(crate) fn update(
    fetcher: &Fetcher<'_>,
    opts: &UpdateOptions,
    state: &State,
    release: &str,
    dest: &Path,
    cache: &Path,
) -> Result<Option<AmazonOutcome>, UpdateError> {
    let segments = vec![
        "amazon".to_string(),
        release.to_string(),
        "updateinfo.xml.gz".to_string(),
    ];
    let key = segments.join("/");
    let mut failures = Vec::new();
    let mut missing = 0;
    for repo in &opts.repositories {
        let result = match repo {
            Repository::Upstream => chain(fetcher, opts, state, release, dest, cache),
            Repository::Mirror(_) => {
                let Some(url) = Fetcher::url_on(repo, &segments) else {
                    continue;
                };
                fetcher
                    .fetch_url(&url, dest, state.validators.get(&key), true)
                    .map(|f| outcome(f, &key, 0, Vec::new()))
            }
        };
        match result {
            Ok(Some(out)) => return Ok(Some(out)),
            Ok(None) => {
                missing += 1;
                failures.push(format!("{repo:?}: no {key}"));
            }
            Err(e) => {
                tracing::debug!(error = %e, "Amazon source failed, trying the next");
                failures.push(e.to_string());
            }
        }
    }
    if missing > 0 {
        return Ok(None);
    }
    Err(UpdateError::AllRepositoriesFailed {
        path: key,
        failures,
    })
}

fn outcome(
    fetched: Fetched,
    key: &str,
    extra_bytes: u64,
    mut validators: Vec<(String, Validators)>,
) -> Option<AmazonOutcome> {
    match fetched {
        Fetched::Changed {
            url,
            validators: v,
            bytes,
        } => {
            validators.push((key.to_string(), v));
            Some(AmazonOutcome {
                change: Change::Full,
                url,
                bytes: bytes + extra_bytes,
                validators,
            })
        }
        Fetched::NotModified { url } => Some(AmazonOutcome {
            change: Change::NotModified,
            url,
            bytes: extra_bytes,
            validators,
        }),
        Fetched::Missing => None,
    }
}

/// mirror.list → repomd.xml → updateinfo.
fn chain(
    fetcher: &Fetcher<'_>,
    opts: &UpdateOptions,
    state: &State,
    release: &str,
    dest: &Path,
    cache: &Path,
) -> Result<Option<AmazonOutcome>, UpdateError> {
    let Some(list_path) = amazon_mirror_list(release) else {
        return Ok(None);
    };
    let cdn = reqwest::Url::parse(&opts.amazon_cdn).map_err(|e| UpdateError::BadRepository {
        url: opts.amazon_cdn.clone(),
        reason: e.to_string(),
    })?;
    let list_url = cdn
        .join(list_path)
        .map_err(|e| UpdateError::BadRepository {
            url: opts.amazon_cdn.clone(),
            reason: e.to_string(),
        })?
        .to_string();
    let prefix = format!("amazon/{release}");
    let mut validators = Vec::new();
    let mut bytes = 0;

    // A 304 on a step means its cached copy is current.
    let mut step = |url: &str, name: &str| -> Result<Option<(bool, String)>, UpdateError> {
        let file = cache.join(name);
        let key = format!("{prefix}/{name}");
        let fetched = fetcher.fetch_url(url, &file, state.validators.get(&key), false)?;
        let changed = match fetched {
            Fetched::Missing => return Ok(None),
            Fetched::NotModified { .. } => false,
            Fetched::Changed {
                validators: v,
                bytes: b,
                ..
            } => {
                bytes += b;
                validators.push((key, v));
                true
            }
        };
        let text = std::fs::read_to_string(&file).map_err(|e| UpdateError::Malformed {
            url: url.to_string(),
            message: format!("not text: {e}"),
        })?;
        Ok(Some((changed, text)))
    };

    let Some((_, list)) = step(&list_url, "mirror.list")? else {
        return Ok(None);
    };
    let base = base_of(&list_url, &list)?;
    let repomd_url = join(&base, "repodata/repomd.xml", &list_url)?;
    let Some((repomd_changed, repomd)) = step(&repomd_url, "repomd.xml")? else {
        return Err(UpdateError::Malformed {
            url: list_url,
            message: format!("names {base}, which has no {repomd_url} (HTTP 404)"),
        });
    };
    if !repomd_changed && dest.exists() {
        return Ok(Some(AmazonOutcome {
            change: Change::NotModified,
            url: state
                .urls
                .get(&url_key(release))
                .cloned()
                .unwrap_or(repomd_url),
            bytes,
            validators,
        }));
    }
    let href = updateinfo_href(&repomd_url, &repomd)?;
    let info_url = join(&base, &href, &repomd_url)?;
    let key = format!("{prefix}/updateinfo.xml.gz");
    let fetched = fetcher.fetch_url(&info_url, dest, state.validators.get(&key), true)?;
    if matches!(fetched, Fetched::Missing) {
        return Err(UpdateError::Malformed {
            url: repomd_url,
            message: format!("its updateinfo {info_url} is not there (HTTP 404)"),
        });
    }
    Ok(outcome(fetched, &key, bytes, validators))
}

/// The first URL in a mirror list (one per line, `#` comments).
fn base_of(list_url: &str, list: &str) -> Result<reqwest::Url, UpdateError> {
    let bad = |m: String| UpdateError::Malformed {
        url: list_url.to_string(),
        message: m,
    };
    let line = list
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .ok_or_else(|| bad("no repository URL in the mirror list".into()))?;
    let mut url =
        reqwest::Url::parse(line).map_err(|e| bad(format!("{line:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(bad(format!("{line:?} is not an http(s) base URL")));
    }
    if !url.path().ends_with('/') {
        url.set_path(&format!("{}/", url.path()));
    }
    Ok(url)
}

fn join(base: &reqwest::Url, rel: &str, named_by: &str) -> Result<String, UpdateError> {
    let url = base.join(rel).map_err(|e| UpdateError::Malformed {
        url: named_by.to_string(),
        message: format!("bad location {rel:?}: {e}"),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UpdateError::Malformed {
            url: named_by.to_string(),
            message: format!("location {rel:?} is not http(s)"),
        });
    }
    Ok(url.to_string())
}

/// The `href` of `<data type="updateinfo"><location href=…/>` in repomd.xml.
fn updateinfo_href(url: &str, xml: &str) -> Result<String, UpdateError> {
    let bad = |m: String| UpdateError::Malformed {
        url: url.to_string(),
        message: m,
    };
    let mut reader = Reader::from_str(xml);
    let mut in_updateinfo = false;
    let mut saw_repomd = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                b"repomd" => saw_repomd = true,
                b"data" => {
                    in_updateinfo = e
                        .try_get_attribute("type")
                        .ok()
                        .flatten()
                        .is_some_and(|a| a.value.as_ref() == b"updateinfo");
                }
                b"location" if in_updateinfo => {
                    let href = e
                        .try_get_attribute("href")
                        .ok()
                        .flatten()
                        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
                        .filter(|h| !h.trim().is_empty())
                        .ok_or_else(|| bad("updateinfo <location> without href".into()))?;
                    // A relative location inside the repository, never
                    // a way out of it.
                    if href.split('/').any(|s| !is_safe_segment(s)) {
                        return Err(bad(format!(
                            "updateinfo location {href:?} is not a path inside the repository"
                        )));
                    }
                    return Ok(href);
                }
                _ => {}
            },
            Ok(Event::End(e)) if e.local_name().as_ref() == b"data" => in_updateinfo = false,
            Ok(Event::Eof) => {
                return Err(bad(if saw_repomd {
                    "no updateinfo in the repository metadata".into()
                } else {
                    "not a repomd.xml (no <repomd>)".into()
                }));
            }
            Err(e) => {
                return Err(bad(format!(
                    "XML error at byte {}: {e}",
                    reader.buffer_position()
                )));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repomd_updateinfo_location() {
        let xml = r#"<?xml version="1.0"?><repomd xmlns="http://linux.duke.edu/metadata/repo">
          <data type="primary"><location href="repodata/p.xml.gz"/></data>
          <data type="updateinfo"><checksum type="sha256">ab</checksum>
            <location href="repodata/ab-updateinfo.xml.gz"/></data></repomd>"#;
        assert_eq!(
            updateinfo_href("u", xml).ok().as_deref(),
            Some("repodata/ab-updateinfo.xml.gz")
        );
        let none = r#"<repomd><data type="primary"><location href="a"/></data></repomd>"#;
        assert!(
            updateinfo_href("u", none)
                .err()
                .is_some_and(|e| e.to_string().contains("no updateinfo"))
        );
        let evil = r#"<repomd><data type="updateinfo"><location href="../../x"/></data></repomd>"#;
        assert!(updateinfo_href("u", evil).is_err());
        assert!(updateinfo_href("u", "garbage").is_err());
    }

    #[test]
    fn mirror_list_base() {
        let b = base_of("l", "# c\n\nhttps://cdn.example/2/core/2.0/x86_64/abc\n").ok();
        assert_eq!(
            b.map(|u| u.to_string()).as_deref(),
            Some("https://cdn.example/2/core/2.0/x86_64/abc/")
        );
        assert!(base_of("l", "").is_err());
        assert!(base_of("l", "file:///etc/").is_err());
    }
}
