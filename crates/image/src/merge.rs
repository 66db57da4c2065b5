//! Combining layers into the final filesystem's wanted files: each layer,
//! base first, first hides what it replaces in the layers below
//! (whiteouts, opaque directories, and any path it occupies — a file
//! replacing a directory hides the whole subtree, a directory replacing a
//! file hides the file), then adds its own kept files and links. Links are
//! resolved last, inside the image root only.

use crate::files::{FileEntry, FileFilter, Files};
use crate::layer::{LayerFiles, Link, path_hash, wants_copy};
use crate::path::ancestors;
use std::collections::{BTreeMap, HashSet, VecDeque};
use tidewatch_types::Warning;

/// Symlink hops allowed while resolving one path (Linux allows 40).
const MAX_HOPS: usize = 40;

/// The wanted files of the final filesystem.
#[derive(Debug, Default)]
pub struct Squashed {
    pub files: Files,
    pub warnings: Vec<Warning>,
}

/// Merge layers read with [`crate::Image::read_layer`] (any order; they
/// are applied by index, base first).
pub fn merge(mut layers: Vec<LayerFiles>, filter: &dyn FileFilter) -> Squashed {
    layers.sort_by_key(|l| l.index);
    let mut files: BTreeMap<String, FileEntry> = BTreeMap::new();
    let mut links: BTreeMap<String, Link> = BTreeMap::new();
    let mut warnings = Vec::new();
    for layer in layers {
        let whiteouts: HashSet<&str> = layer.whiteouts.iter().map(String::as_str).collect();
        let opaque: HashSet<&str> = layer.opaque.iter().map(String::as_str).collect();
        let hidden = |path: &str| {
            let h = path_hash(path);
            if whiteouts.contains(path) || layer.dirs.contains(&h) || layer.nondirs.contains(&h) {
                return true;
            }
            ancestors(path).any(|a| {
                whiteouts.contains(a) || opaque.contains(a) || layer.nondirs.contains(&path_hash(a))
            }) || opaque.contains("")
        };
        files.retain(|p, _| !hidden(p));
        links.retain(|p, _| !hidden(p));
        files.extend(layer.files);
        links.extend(layer.links);
        warnings.extend(layer.warnings);
    }
    resolve_links(&mut files, &links, filter);
    let mut out = Files::new();
    for (path, entry) in files {
        out.insert(path, entry);
    }
    Squashed {
        files: out,
        warnings,
    }
}

/// Give every link whose own path the filter wants the bytes of the kept
/// file it resolves to. Links to files that were not kept (the filter did
/// not want them under their own name) stay unresolved.
pub(crate) fn resolve_links(
    files: &mut BTreeMap<String, FileEntry>,
    links: &BTreeMap<String, Link>,
    filter: &dyn FileFilter,
) {
    let mut add = Vec::new();
    for path in links.keys() {
        if files.contains_key(path) {
            continue;
        }
        let Some(target) = resolve(path, links) else {
            tracing::debug!(path, "link loop or too many hops");
            continue;
        };
        if let Some(entry) = files.get(&target)
            && wants_copy(filter, path, entry)
        {
            add.push((path.clone(), entry.clone()));
        }
    }
    files.extend(add);
}

/// Resolve `path` through the image's links as a chroot would: absolute
/// targets start at the image root and `..` stops there. `None` for loops.
pub(crate) fn resolve(path: &str, links: &BTreeMap<String, Link>) -> Option<String> {
    let mut hops = 0;
    let mut stack: Vec<String> = Vec::new();
    let mut queue: VecDeque<String> = path.split('/').map(str::to_string).collect();
    while let Some(part) = queue.pop_front() {
        match part.as_str() {
            "" | "." => continue,
            ".." => {
                stack.pop();
                continue;
            }
            _ => {}
        }
        stack.push(part);
        let current = stack.join("/");
        if let Some(link) = links.get(&current) {
            hops += 1;
            if hops > MAX_HOPS {
                return None;
            }
            stack.pop();
            if link.hard || link.target.starts_with('/') {
                stack.clear();
            }
            for p in link.target.split('/').rev() {
                queue.push_front(p.to_string());
            }
        }
    }
    Some(stack.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(pairs: &[(&str, &str)]) -> BTreeMap<String, Link> {
        pairs
            .iter()
            .map(|(p, t)| {
                (
                    p.to_string(),
                    Link {
                        target: t.to_string(),
                        hard: false,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn resolves_within_the_root() {
        let l = links(&[
            ("etc/os-release", "../usr/lib/os-release"),
            ("lib", "usr/lib"),
            ("bin", "/usr/bin"),
            ("escape", "../../../../etc/shadow"),
            ("loop1", "loop2"),
            ("loop2", "loop1"),
            ("usr/lib/self", "."),
        ]);
        assert_eq!(
            resolve("etc/os-release", &l).as_deref(),
            Some("usr/lib/os-release")
        );
        assert_eq!(
            resolve("lib/apk/db/installed", &l).as_deref(),
            Some("usr/lib/apk/db/installed")
        );
        assert_eq!(resolve("bin/sh", &l).as_deref(), Some("usr/bin/sh"));
        assert_eq!(resolve("escape", &l).as_deref(), Some("etc/shadow"));
        assert_eq!(resolve("loop1", &l), None);
        assert_eq!(resolve("lib/self/self/x", &l).as_deref(), Some("usr/lib/x"));
        assert_eq!(resolve("lib/../etc", &l).as_deref(), Some("usr/etc"));
    }
}
