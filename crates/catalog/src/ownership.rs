//! Which language packages the OS package manager installed.
//!
//! Distros backport fixes without changing the upstream version, so a
//! Debian `python3-urllib3` shipping `urllib3-1.26.12.dist-info` must be
//! matched against Debian's advisories, not PyPI's. A language package is
//! OS-owned when the file it was read from is listed among an OS
//! package's installed files.

use std::collections::HashMap;
use tidewatch_types::{Package, PackageType};

/// Set `owned_by` on every library package read from a file some OS
/// package owns.
pub fn mark_os_owned(packages: &mut [Package]) {
    let mut owner: HashMap<&str, &str> = HashMap::new();
    for p in packages.iter().filter(|p| p.kind == PackageType::Os) {
        for f in &p.owned_files {
            owner.entry(f.trim_start_matches('/')).or_insert(&p.name);
        }
    }
    if owner.is_empty() {
        return;
    }
    let marks: Vec<(usize, String)> = packages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind == PackageType::Library && p.owned_by.is_none())
        .filter_map(|(i, p)| {
            p.locations
                .iter()
                .find_map(|l| owner.get(l.path.as_str()))
                .map(|o| (i, o.to_string()))
        })
        .collect();
    for (i, o) in marks {
        packages[i].owned_by = Some(o);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tidewatch_types::Location;

    #[test]
    fn library_read_from_an_os_owned_file_is_marked() {
        let mut deb = Package::new("python3-urllib3", "1.26.12-1", "deb", PackageType::Os);
        deb.owned_files =
            vec!["/usr/lib/python3/dist-packages/urllib3-1.26.12.dist-info/METADATA".into()];
        let mut owned = Package::new("urllib3", "1.26.12", "python", PackageType::Library);
        owned.locations.push(Location {
            path: "usr/lib/python3/dist-packages/urllib3-1.26.12.dist-info/METADATA".into(),
            layer: Some(0),
        });
        let mut free = Package::new("urllib3", "1.24.1", "python", PackageType::Library);
        free.locations.push(Location {
            path: "usr/local/lib/python3.11/site-packages/urllib3-1.24.1.dist-info/METADATA".into(),
            layer: Some(1),
        });
        let mut pkgs = vec![deb, owned, free];
        mark_os_owned(&mut pkgs);
        assert_eq!(pkgs[1].owned_by.as_deref(), Some("python3-urllib3"));
        assert_eq!(pkgs[2].owned_by, None);
    }
}
