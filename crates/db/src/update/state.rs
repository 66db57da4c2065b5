//! What the updater remembers between runs, in `<cache>/update/state.json`:
//! validators per file (for conditional requests), the newest
//! `modified_id.csv` timestamp seen per OSV ecosystem, and when the last
//! complete update finished. Written only after the DB swap succeeded, so
//! a failed run is simply redone.

use super::UpdateError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Validators {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct NvdState {
    /// `api` or `mirror`.
    pub via: String,
    /// For the API: when the last complete fetch started (RFC 3339), the
    /// `lastModStartDate` of the next one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CsafState {
    /// `csaf_vex_<date>.tar.zst`.
    pub archive: String,
    /// RFC 3339.
    pub last_seen: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct State {
    /// Keyed by the file's mirror path (`osv/PyPI/all.zip`).
    #[serde(default)]
    pub validators: BTreeMap<String, Validators>,
    /// Keyed by OSV ecosystem: the newest `modified_id.csv` timestamp
    /// whose records are in the local mirror directory.
    #[serde(default)]
    pub osv_last_seen: BTreeMap<String, String>,
    /// The URL a cached file was last downloaded from, keyed by mirror
    /// path, for files found through other downloads (Amazon's updateinfo
    /// is named by its repository's metadata): after a 304 on the
    /// metadata, this is still the source's origin.
    #[serde(default)]
    pub urls: BTreeMap<String, String>,
    /// Red Hat CSAF VEX: which archive the local record mirror started
    /// from and the newest `changes.csv` time applied to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csaf: Option<CsafState>,
    /// Where the local NVD store came from and how far it reaches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nvd: Option<NvdState>,
    /// RFC 3339 time the last successful update finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_checked: Option<String>,
}

impl State {
    /// A missing or unreadable state only costs a full download, so it is
    /// never an error.
    pub(crate) fn load(path: &Path) -> State {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(path = %path.display(), error = %e, "ignoring unreadable update state");
                State::default()
            }),
            Err(_) => State::default(),
        }
    }

    pub(crate) fn save(&self, path: &Path) -> Result<(), UpdateError> {
        let dir = path.parent().unwrap_or_else(|| Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| UpdateError::io(dir, e))?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| UpdateError::io(dir, e))?;
        let json = serde_json::to_vec_pretty(self).unwrap_or_default();
        tmp.write_all(&json)
            .map_err(|e| UpdateError::io(tmp.path(), e))?;
        tmp.persist(path)
            .map_err(|e| UpdateError::io(path, e.error))?;
        Ok(())
    }
}
