//! Red Hat CSAF VEX, kept as a local mirror of the per-CVE files
//! (`<cache>/update/redhat-csaf/records/<year>/cve-<…>.json`) that is
//! imported whole, like an OSV ecosystem.
//!
//! - **Full**: `archive_latest.txt` names the newest complete archive
//!   (`csaf_vex_<date>.tar.zst`); it is downloaded to disk, then read as a
//!   stream (zstd → tar), one member at a time straight to its file, so
//!   memory stays bounded however large the archive is (several GB
//!   upstream). The archive is deleted once unpacked.
//! - **Incremental**: `changes.csv` (`"<path>","<RFC 3339 time>"`, newest
//!   first) lists every file changed since; those newer than the last
//!   applied time are fetched one by one as `<path>`, and `deletions.csv`
//!   (same layout) removes files. Right after a full download the changes
//!   since the archive's date are applied the same way.
//!
//! A `changes.csv` that does not reach back to the last applied time, or
//! lists more than [`MAX_INCREMENTAL`] changes, means a new full download.

use super::feeds::is_safe_segment;
use super::http::{Fetched, Fetcher};
use super::state::{CsafState, State, Validators};
use super::{Change, UpdateError};
use std::io::Read;
use std::path::{Path, PathBuf};

/// More changed files than this and the archive is cheaper.
const MAX_INCREMENTAL: usize = 5000;
/// The largest single VEX file accepted (kernel CVEs reach tens of MB).
const MAX_MEMBER: u64 = 1 << 30;

pub(crate) struct CsafOutcome {
    pub change: Change,
    pub url: String,
    pub bytes: u64,
    pub state: CsafState,
    pub validators: Vec<(String, Validators)>,
}

fn seg(rest: &str) -> Vec<String> {
    ["redhat", "csaf", "vex"]
        .into_iter()
        .map(str::to_string)
        .chain(rest.split('/').map(str::to_string))
        .collect()
}

pub(crate) fn update(
    fetcher: &Fetcher<'_>,
    state: &State,
    cache: &Path,
) -> Result<CsafOutcome, UpdateError> {
    let records = cache.join("records");
    std::fs::create_dir_all(cache).map_err(|e| UpdateError::io(cache, e))?;
    let previous = state.csaf.clone().filter(|_| records.is_dir());
    if let Some(prev) = &previous {
        match incremental(fetcher, state, cache, &records, prev)? {
            Some(out) => return Ok(out),
            None => tracing::debug!("CSAF changes do not cover the gap; full download"),
        }
    }
    full(fetcher, state, cache, &records)
}

/// `None` when only a full download will do.
fn incremental(
    fetcher: &Fetcher<'_>,
    state: &State,
    cache: &Path,
    records: &Path,
    prev: &CsafState,
) -> Result<Option<CsafOutcome>, UpdateError> {
    let key = seg("changes.csv").join("/");
    let csv_path = cache.join("changes.csv");
    let (url, validators, bytes) = match fetcher.fetch(
        &seg("changes.csv"),
        &csv_path,
        state.validators.get(&key),
        false,
    )? {
        Fetched::NotModified { url } => {
            return Ok(Some(CsafOutcome {
                change: Change::NotModified,
                url,
                bytes: 0,
                state: prev.clone(),
                validators: Vec::new(),
            }));
        }
        Fetched::Missing => return Ok(None),
        Fetched::Changed {
            url,
            validators,
            bytes,
        } => (url, validators, bytes),
    };
    let last = timestamp(&url, &prev.last_seen)?;
    let text = read_text(&url, &csv_path)?;
    let entries = parse_list(&url, &text)?;
    let latest = latest(fetcher, state, cache)?;
    let same_archive = latest.name == prev.archive;
    let Some(applied) = apply(fetcher, records, &entries, last, same_archive, bytes)? else {
        return Ok(None);
    };
    let mut validators = vec![(key, validators)];
    validators.extend(latest.validators);
    let mut bytes = applied.bytes + latest.bytes;
    bytes += deletions(
        fetcher,
        state,
        cache,
        records,
        last,
        &entries,
        &mut validators,
    )?;
    let change = if applied.fetched == 0 {
        Change::NotModified
    } else {
        Change::Incremental {
            records: applied.fetched,
        }
    };
    Ok(Some(CsafOutcome {
        change,
        url,
        bytes,
        state: CsafState {
            archive: prev.archive.clone(),
            last_seen: applied.newest.unwrap_or_else(|| prev.last_seen.clone()),
        },
        validators,
    }))
}

struct Applied {
    fetched: usize,
    bytes: u64,
    newest: Option<String>,
}

/// Fetches the files of `entries` changed after `last`. `None` when the
/// list does not reach back to `last` or is too long.
fn apply(
    fetcher: &Fetcher<'_>,
    records: &Path,
    entries: &[(jiff::Timestamp, String)],
    last: jiff::Timestamp,
    same_archive: bool,
    mut bytes: u64,
) -> Result<Option<Applied>, UpdateError> {
    let changed: Vec<&String> = entries
        .iter()
        .take_while(|(ts, _)| *ts > last)
        .map(|(_, p)| p)
        .collect();
    // The list runs from the latest archive on: if that is still the
    // archive the mirror started from it covers everything since; if a
    // newer archive replaced it and every entry is newer than `last`,
    // what changed between `last` and that archive is unknown.
    let covers = same_archive || changed.len() < entries.len() || entries.is_empty();
    if !covers || changed.len() > MAX_INCREMENTAL {
        return Ok(None);
    }
    let mut seen = std::collections::BTreeSet::new();
    for path in &changed {
        if !seen.insert(*path) {
            continue;
        }
        let dest = records.join(path.as_str());
        match fetcher.fetch(&seg(path), &dest, None, false)? {
            Fetched::Changed { bytes: b, .. } => bytes += b,
            // Listed as changed but gone: withdrawn.
            Fetched::Missing => {
                let _ = std::fs::remove_file(&dest);
            }
            Fetched::NotModified { .. } => {}
        }
    }
    Ok(Some(Applied {
        fetched: seen.len(),
        bytes,
        // Never behind `last`: the list may start before the archive.
        newest: entries
            .first()
            .filter(|(ts, _)| *ts > last)
            .map(|(ts, _)| ts.to_string()),
    }))
}

/// Removes the files `deletions.csv` lists after `last`, unless
/// `changes` has them back later; a mirror without the file has nothing
/// to delete.
fn deletions(
    fetcher: &Fetcher<'_>,
    state: &State,
    cache: &Path,
    records: &Path,
    last: jiff::Timestamp,
    changes: &[(jiff::Timestamp, String)],
    validators: &mut Vec<(String, Validators)>,
) -> Result<u64, UpdateError> {
    let key = seg("deletions.csv").join("/");
    let path = cache.join("deletions.csv");
    match fetcher.fetch(
        &seg("deletions.csv"),
        &path,
        state.validators.get(&key),
        false,
    )? {
        Fetched::Changed {
            url,
            validators: v,
            bytes,
        } => {
            let text = read_text(&url, &path)?;
            for (ts, p) in parse_list(&url, &text)? {
                if ts <= last {
                    break;
                }
                let back = changes.iter().any(|(c, cp)| *cp == p && *c > ts);
                if !back {
                    let _ = std::fs::remove_file(records.join(&p));
                }
            }
            validators.push((key, v));
            Ok(bytes)
        }
        Fetched::NotModified { .. } | Fetched::Missing => Ok(0),
    }
}

/// What `archive_latest.txt` names.
struct Latest {
    name: String,
    date: jiff::civil::Date,
    url: String,
    bytes: u64,
    validators: Option<(String, Validators)>,
}

fn latest(fetcher: &Fetcher<'_>, state: &State, cache: &Path) -> Result<Latest, UpdateError> {
    let key = seg("archive_latest.txt").join("/");
    let path = cache.join("archive_latest.txt");
    let (url, bytes, validators) = match fetcher.fetch(
        &seg("archive_latest.txt"),
        &path,
        state.validators.get(&key),
        false,
    )? {
        Fetched::Changed {
            url,
            bytes,
            validators,
        } => (url, bytes, Some((key, validators))),
        Fetched::NotModified { url } => (url, 0, None),
        Fetched::Missing => {
            return Err(UpdateError::AllRepositoriesFailed {
                path: key,
                failures: vec!["not found on any repository".into()],
            });
        }
    };
    let name = read_text(&url, &path)?.trim().to_string();
    let date = name
        .strip_prefix("csaf_vex_")
        .and_then(|r| r.strip_suffix(".tar.zst"))
        .filter(|_| is_safe_segment(&name))
        .and_then(|d| d.parse::<jiff::civil::Date>().ok())
        .ok_or_else(|| UpdateError::Malformed {
            url: url.clone(),
            message: format!("expected csaf_vex_<YYYY-MM-DD>.tar.zst, found {name:?}"),
        })?;
    Ok(Latest {
        name,
        date,
        url,
        bytes,
        validators,
    })
}

fn full(
    fetcher: &Fetcher<'_>,
    state: &State,
    cache: &Path,
    records: &Path,
) -> Result<CsafOutcome, UpdateError> {
    let Latest {
        name,
        date,
        url: latest_url,
        mut bytes,
        validators: latest_validators,
    } = latest(fetcher, state, cache)?;
    let archive = cache.join(&name);
    let url = match fetcher.fetch(&seg(&name), &archive, None, true)? {
        Fetched::Changed { url, bytes: b, .. } => {
            bytes += b;
            url
        }
        Fetched::Missing | Fetched::NotModified { .. } => {
            return Err(UpdateError::Malformed {
                url: latest_url,
                message: format!("names {name}, which is not there (HTTP 404)"),
            });
        }
    };
    let fresh = cache.join("records.new");
    let _ = std::fs::remove_dir_all(&fresh);
    let unpacked = unpack(&url, &archive, &fresh);
    let _ = std::fs::remove_file(&archive);
    unpacked?;
    if records.exists() {
        std::fs::remove_dir_all(records).map_err(|e| UpdateError::io(records, e))?;
    }
    std::fs::rename(&fresh, records).map_err(|e| UpdateError::io(records, e))?;

    // The archive is a day's snapshot: apply what changed since that day.
    let since = date
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let mut st = CsafState {
        archive: name,
        last_seen: since.to_string(),
    };
    let mut validators: Vec<(String, Validators)> = latest_validators.into_iter().collect();
    let after = State {
        validators: validators.iter().cloned().collect(),
        csaf: Some(st.clone()),
        ..State::default()
    };
    if let Some(inc) = incremental(fetcher, &after, cache, records, &st)? {
        bytes += inc.bytes;
        st = inc.state;
        validators.extend(inc.validators);
    }
    Ok(CsafOutcome {
        change: Change::Full,
        url,
        bytes,
        state: st,
        validators,
    })
}

/// Streams the `.json` members of a tar.zst into `dest`, keeping their
/// relative paths; a member path that is not plain segments is refused.
fn unpack(url: &str, archive: &Path, dest: &Path) -> Result<(), UpdateError> {
    let bad = |m: String| UpdateError::Malformed {
        url: url.to_string(),
        message: m,
    };
    let file = std::fs::File::open(archive).map_err(|e| UpdateError::io(archive, e))?;
    let decoder = zstd::stream::read::Decoder::new(std::io::BufReader::new(file))
        .map_err(|e| bad(format!("not zstd: {e}")))?;
    let mut tar = tar::Archive::new(decoder);
    std::fs::create_dir_all(dest).map_err(|e| UpdateError::io(dest, e))?;
    let entries = tar
        .entries()
        .map_err(|e| bad(format!("not a tar.zst: {e}")))?;
    let mut files = 0usize;
    for entry in entries {
        let mut entry = entry.map_err(|e| bad(format!("broken archive: {e}")))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .map_err(|e| bad(format!("bad member name: {e}")))?
            .to_string_lossy()
            .into_owned();
        if !name.ends_with(".json") {
            continue;
        }
        let rel = relative(&name)
            .ok_or_else(|| bad(format!("member {name:?} is not a plain relative path")))?;
        if entry.size() > MAX_MEMBER {
            return Err(bad(format!(
                "member {name} is larger than {MAX_MEMBER} bytes"
            )));
        }
        let path = dest.join(&rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| UpdateError::io(dir, e))?;
        }
        let mut out = std::fs::File::create(&path).map_err(|e| UpdateError::io(&path, e))?;
        std::io::copy(&mut (&mut entry).take(MAX_MEMBER), &mut out)
            .map_err(|e| bad(format!("{name}: {e}")))?;
        files += 1;
    }
    if files == 0 {
        return Err(bad("the archive holds no .json files".into()));
    }
    Ok(())
}

/// `./2024/cve-2024-1.json` → `2024/cve-2024-1.json`; `None` for anything
/// with `..`, an absolute path or hidden segments.
fn relative(name: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for s in name.split('/') {
        if s.is_empty() || s == "." {
            continue;
        }
        if !is_safe_segment(s) {
            return None;
        }
        out.push(s);
    }
    (!name.starts_with('/') && out.components().next().is_some()).then_some(out)
}

fn timestamp(url: &str, s: &str) -> Result<jiff::Timestamp, UpdateError> {
    s.parse().map_err(|_| UpdateError::Malformed {
        url: url.to_string(),
        message: format!("stored timestamp {s:?} is not RFC 3339"),
    })
}

fn read_text(url: &str, path: &Path) -> Result<String, UpdateError> {
    let bytes = std::fs::read(path).map_err(|e| UpdateError::io(path, e))?;
    String::from_utf8(bytes).map_err(|_| UpdateError::Malformed {
        url: url.to_string(),
        message: "not UTF-8 text".into(),
    })
}

/// `"<path>","<time>"` lines, newest first, as Red Hat writes
/// `changes.csv` and `deletions.csv` (a `path,timestamp` header is
/// skipped).
fn parse_list(url: &str, text: &str) -> Result<Vec<(jiff::Timestamp, String)>, UpdateError> {
    let mut out = Vec::new();
    for line in super::two_columns(url, text, "\"<path>\",\"<timestamp>\"") {
        let (n, path, ts) = line?;
        let bad = |why: &str| super::line_error(url, n, why);
        let (path, ts) = (path.trim_matches('"'), ts.trim_matches('"'));
        if n == 1 && path == "path" {
            continue;
        }
        let ts = super::rfc3339(ts, &bad)?;
        if !path.ends_with(".json") || relative(path).is_none() || path.starts_with('/') {
            return Err(bad("path is not a relative .json file name"));
        }
        out.push((ts, path.to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_lists_and_member_names() {
        let l = parse_list(
            "u",
            "\"2024/cve-2024-2.json\",\"2024-07-21T03:00:00+00:00\"\n\"2023/cve-2023-1.json\",\"2024-07-20T01:00:00+00:00\"\n",
        )
        .unwrap_or_default();
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].1, "2024/cve-2024-2.json");
        assert!(parse_list("u", "\"../x.json\",\"2024-07-21T03:00:00Z\"").is_err());
        assert!(parse_list("u", "\"a.json\",\"yesterday\"").is_err());
        assert_eq!(
            relative("./2024/cve-2024-1.json"),
            Some(PathBuf::from("2024/cve-2024-1.json"))
        );
        assert_eq!(relative("/etc/passwd.json"), None);
        assert_eq!(relative("2024/../../x.json"), None);
    }
}
