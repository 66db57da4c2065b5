//! OSV per ecosystem: `all.zip` once into a local mirror directory of
//! record files, then `modified_id.csv` (newest first) to fetch only the
//! records changed since the last run. The importer replaces a whole
//! source on re-import, so it is always the full mirror directory that is
//! imported, never just the changed records.

use super::http::{Fetched, Fetcher};
use super::state::State;
use super::{Change, UpdateError};
use std::io::Read;
use std::path::Path;

/// More changed records than this and one `all.zip` is cheaper.
const MAX_INCREMENTAL: usize = 2000;
/// No single OSV record is anywhere near this; a bigger member is hostile.
const MAX_RECORD: u64 = 64 << 20;

pub(crate) struct OsvOutcome {
    pub change: Change,
    pub url: String,
    pub bytes: u64,
    /// The newest `modified_id.csv` timestamp now in the mirror directory.
    pub last_seen: Option<String>,
    /// Validators of `modified_id.csv` to store after the import.
    pub csv_validators: Option<(String, super::state::Validators)>,
}

pub(crate) fn update(
    fetcher: &Fetcher<'_>,
    state: &State,
    ecosystem: &str,
    cache: &Path,
    mirror: &Path,
) -> Result<OsvOutcome, UpdateError> {
    let seg = |file: &str| vec!["osv".to_string(), ecosystem.to_string(), file.to_string()];
    let csv_key = format!("osv/{ecosystem}/modified_id.csv");
    let csv_path = cache.join("modified_id.csv");
    let last_seen = state
        .osv_last_seen
        .get(ecosystem)
        .filter(|_| mirror.is_dir());
    let csv_validators = last_seen.and(state.validators.get(&csv_key));

    let mut bytes = 0;
    let (csv_url, entries, csv_v) =
        match fetcher.fetch(&seg("modified_id.csv"), &csv_path, csv_validators, false)? {
            Fetched::NotModified { url } => {
                return Ok(OsvOutcome {
                    change: Change::NotModified,
                    url,
                    bytes: 0,
                    last_seen: last_seen.cloned(),
                    csv_validators: None,
                });
            }
            Fetched::Missing => (None, None, None),
            Fetched::Changed {
                url,
                validators,
                bytes: b,
            } => {
                bytes += b;
                let text = std::fs::read_to_string(&csv_path)
                    .map_err(|e| UpdateError::io(&csv_path, e))?;
                let entries = parse_modified(&url, &text)?;
                (Some(url), Some(entries), Some((csv_key, validators)))
            }
        };
    let newest = entries
        .as_ref()
        .and_then(|e| e.first())
        .map(|(ts, _)| ts.to_string());

    if let (Some(last), Some(entries), Some(csv_url)) = (last_seen, &entries, &csv_url) {
        let last_ts: jiff::Timestamp = last.parse().map_err(|_| UpdateError::Malformed {
            url: csv_url.clone(),
            message: format!("stored timestamp {last:?} is not RFC 3339"),
        })?;
        let changed: Vec<&String> = entries
            .iter()
            .take_while(|(ts, _)| *ts > last_ts)
            .map(|(_, id)| id)
            .collect();
        if changed.len() <= MAX_INCREMENTAL {
            if changed.is_empty() {
                return Ok(OsvOutcome {
                    change: Change::NotModified,
                    url: csv_url.clone(),
                    bytes,
                    last_seen: newest.or(Some(last.clone())),
                    csv_validators: csv_v,
                });
            }
            let mut seen = std::collections::BTreeSet::new();
            for id in &changed {
                if !seen.insert(*id) {
                    continue;
                }
                let file = format!("{id}.json");
                let dest = mirror.join(&file);
                match fetcher.fetch(&seg(&file), &dest, None, false)? {
                    Fetched::Changed { bytes: b, .. } => bytes += b,
                    // Listed but gone: the record was deleted upstream.
                    Fetched::Missing => {
                        let _ = std::fs::remove_file(&dest);
                    }
                    Fetched::NotModified { .. } => {}
                }
            }
            return Ok(OsvOutcome {
                change: Change::Incremental {
                    records: seen.len(),
                },
                url: csv_url.clone(),
                bytes,
                last_seen: newest,
                csv_validators: csv_v,
            });
        }
        tracing::debug!(
            ecosystem,
            changed = changed.len(),
            "too many changes, full download"
        );
    }

    // Full download: all.zip, unpacked into a fresh directory that then
    // replaces the mirror in one rename.
    let zip_path = cache.join("all.zip");
    let url = match fetcher.fetch(&seg("all.zip"), &zip_path, None, true)? {
        Fetched::Changed { url, bytes: b, .. } => {
            bytes += b;
            url
        }
        Fetched::Missing | Fetched::NotModified { .. } => {
            return Err(UpdateError::AllRepositoriesFailed {
                path: seg("all.zip").join("/"),
                failures: vec!["not found on any repository".into()],
            });
        }
    };
    let fresh = cache.join("records.new");
    let _ = std::fs::remove_dir_all(&fresh);
    unpack(&url, &zip_path, &fresh)?;
    let _ = std::fs::remove_file(&zip_path);
    if mirror.exists() {
        std::fs::remove_dir_all(mirror).map_err(|e| UpdateError::io(mirror, e))?;
    }
    std::fs::rename(&fresh, mirror).map_err(|e| UpdateError::io(mirror, e))?;
    Ok(OsvOutcome {
        change: Change::Full,
        url,
        bytes,
        last_seen: newest,
        csv_validators: csv_v,
    })
}

/// `modified_id.csv`: `<RFC 3339 time>,<ID>` per line, newest first.
fn parse_modified(url: &str, text: &str) -> Result<Vec<(jiff::Timestamp, String)>, UpdateError> {
    let mut out = Vec::new();
    for line in super::two_columns(url, text, "<timestamp>,<id>") {
        let (n, ts, id) = line?;
        let bad = |why: &str| super::line_error(url, n, why);
        let ts = super::rfc3339(ts, &bad)?;
        // The per-ecosystem file lists bare ids; tolerate the root file's
        // `<ecosystem>/<id>` form by keeping the last segment.
        let id = id.rsplit('/').next().unwrap_or_default();
        if !super::feeds::is_safe_segment(id) {
            return Err(bad("id is not a plain file name"));
        }
        out.push((ts, id.to_string()));
    }
    Ok(out)
}

/// Unpacks the `.json` members of `all.zip` flat into `dest`; names that
/// are not plain file names are refused rather than followed.
fn unpack(url: &str, zip_path: &Path, dest: &Path) -> Result<(), UpdateError> {
    let bad = |m: String| UpdateError::Malformed {
        url: url.to_string(),
        message: m,
    };
    let file = std::fs::File::open(zip_path).map_err(|e| UpdateError::io(zip_path, e))?;
    let mut archive =
        zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| bad(e.to_string()))?;
    std::fs::create_dir_all(dest).map_err(|e| UpdateError::io(dest, e))?;
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).map_err(|e| bad(e.to_string()))?;
        if member.is_dir() {
            continue;
        }
        let name = member.name().to_string();
        if !name.ends_with(".json") {
            continue;
        }
        if !super::feeds::is_safe_segment(&name) {
            return Err(bad(format!("member {name:?} is not a plain file name")));
        }
        if member.size() > MAX_RECORD {
            return Err(bad(format!(
                "member {name} is larger than {MAX_RECORD} bytes"
            )));
        }
        let mut bytes = Vec::with_capacity(member.size() as usize);
        (&mut member)
            .take(MAX_RECORD + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| bad(format!("{name}: {e}")))?;
        let path = dest.join(&name);
        std::fs::write(&path, &bytes).map_err(|e| UpdateError::io(&path, e))?;
    }
    Ok(())
}
