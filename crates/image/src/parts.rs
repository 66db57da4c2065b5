//! A layer's reading as plain data, so the scanner's layer cache can store
//! it and give it back without reading the layer again: kept files, links,
//! whiteouts, opaque directories, the hashes of the paths the layer
//! occupies, and its warnings. The cache owns the encoding; this module
//! only opens [`LayerFiles`] up.

use crate::files::FileEntry;
use crate::layer::{LayerFiles, Link, path_hash};
use tidewatch_types::Warning;

/// Everything [`crate::merge`] needs from one layer.
#[derive(Debug, Clone, Default)]
pub struct LayerParts {
    pub index: usize,
    /// Kept files, each tagged with `index` as its layer.
    pub files: Vec<(String, FileEntry)>,
    pub links: Vec<LinkPart>,
    pub whiteouts: Vec<String>,
    pub opaque: Vec<String>,
    /// [`path_hash_probe`]-versioned hashes of the paths that are
    /// directories in this layer, and of those that are not.
    pub dirs: Vec<u64>,
    pub nondirs: Vec<u64>,
    pub warnings: Vec<Warning>,
}

/// A symlink (target as written) or hard link (root-relative target).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkPart {
    pub path: String,
    pub target: String,
    pub hard: bool,
}

impl LayerFiles {
    /// A copy of this layer's reading (file bytes are shared, not copied).
    pub fn to_parts(&self) -> LayerParts {
        let mut dirs: Vec<u64> = self.dirs.iter().copied().collect();
        let mut nondirs: Vec<u64> = self.nondirs.iter().copied().collect();
        dirs.sort_unstable();
        nondirs.sort_unstable();
        LayerParts {
            index: self.index,
            files: self
                .files
                .iter()
                .map(|(p, e)| (p.clone(), e.clone()))
                .collect(),
            links: self
                .links
                .iter()
                .map(|(p, l)| LinkPart {
                    path: p.clone(),
                    target: l.target.clone(),
                    hard: l.hard,
                })
                .collect(),
            whiteouts: self.whiteouts.clone(),
            opaque: self.opaque.clone(),
            dirs,
            nondirs,
            warnings: self.warnings.clone(),
        }
    }

    /// Rebuild a layer's reading; every file is re-tagged with `parts.index`
    /// (a cached layer may sit at another position in another image).
    pub fn from_parts(parts: LayerParts) -> LayerFiles {
        let index = parts.index;
        LayerFiles {
            index,
            files: parts
                .files
                .into_iter()
                .map(|(p, mut e)| {
                    e.layer = Some(index);
                    (p, e)
                })
                .collect(),
            links: parts
                .links
                .into_iter()
                .map(|l| {
                    (
                        l.path,
                        Link {
                            target: l.target,
                            hard: l.hard,
                        },
                    )
                })
                .collect(),
            whiteouts: parts.whiteouts,
            opaque: parts.opaque,
            dirs: parts.dirs.into_iter().collect(),
            nondirs: parts.nondirs.into_iter().collect(),
            warnings: parts.warnings,
        }
    }
}

/// The path hash of a fixed string: it changes whenever the hash function
/// behind [`LayerParts::dirs`] does (std does not promise it is stable
/// across Rust releases), so a cache keyed by it never mixes hashes.
pub fn path_hash_probe() -> u64 {
    path_hash("tidewatch/path-hash-probe")
}
