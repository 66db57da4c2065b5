//! RPM-based distributions: the rpm package database (RHEL and rebuilds,
//! Fedora, Amazon Linux, SUSE, Mariner/Azure Linux, Photon).
//!
//! Which database an image uses depends on its rpm: SQLite
//! (`rpmdb.sqlite`), Berkeley DB (`Packages`) or NDB (`Packages.db`),
//! under `var/lib/rpm/` or, on newer distros, `usr/lib/sysimage/rpm/`
//! (with `var/lib/rpm` a symlink to it, so the same database can appear
//! at both paths). Exactly one database is read: the first present in
//! [`DATABASES`], which lists the newer formats and location first, since
//! a migrated image may keep the stale older file next to the live one.
//!
//! What each package records, for the matcher:
//! - `version` is `[epoch:]version-release`, with the epoch only when the
//!   header has a non-zero Epoch (rpm orders a missing epoch as 0, so the
//!   two are the same version); metadata `epoch` holds the Epoch tag
//!   whenever the header has one, `0` included.
//! - `source` is the source RPM's name and `version-release`, read from
//!   the SOURCERPM file name, with the binary's epoch prefixed the same
//!   way (rpm gives binaries the epoch of the spec they are built from);
//!   metadata `sourcerpm` keeps the file name as rpm recorded it.
//! - metadata `vendor` and `modularitylabel` (`name:stream:version:context`
//!   of a module build), which decide third-party and module-stream
//!   matching.
//!
//! A damaged database is a warning: the packages that parsed are kept.

use crate::os::assign_ecosystem;
use crate::rpmdb::{self, Format, RpmPackage};
use crate::{Cataloger, Output, location};
use tidewatch_image::{Files, Want};
use tidewatch_types::{OsInfo, Package, PackageType, SourcePackage};

/// rpm databases, in the order of preference.
pub const DATABASES: [(&str, Format); 5] = [
    ("usr/lib/sysimage/rpm/rpmdb.sqlite", Format::Sqlite),
    ("var/lib/rpm/rpmdb.sqlite", Format::Sqlite),
    ("usr/lib/sysimage/rpm/Packages.db", Format::Ndb),
    ("usr/lib/sysimage/rpm/Packages", Format::Bdb),
    ("var/lib/rpm/Packages", Format::Bdb),
];

/// At most this many damaged records are warned about one by one.
const MAX_RECORD_WARNINGS: usize = 5;

/// The rpm cataloger.
pub struct Rpm;

impl Cataloger for Rpm {
    fn name(&self) -> &'static str {
        "rpm"
    }

    fn wants(&self, path: &str, _size: u64, _mode: u32) -> Want {
        if DATABASES.iter().any(|(p, _)| *p == path) {
            Want::Keep
        } else {
            Want::Skip
        }
    }

    fn catalog(&self, files: &Files, os: Option<&OsInfo>, out: &mut Output) {
        let Some((path, format, entry)) = DATABASES
            .iter()
            .find_map(|(p, f)| files.get(p).map(|e| (*p, *f, e)))
        else {
            return;
        };
        let db = match rpmdb::read(format, &entry.data) {
            Ok(db) => db,
            Err(e) => {
                out.warn(path, format!("rpm database unreadable: {e}"));
                return;
            }
        };
        let problems: Vec<String> = db
            .errors
            .iter()
            .map(|e| format!("rpm database damaged, record skipped: {e}"))
            .chain(db.packages.iter().flat_map(|p| {
                p.damage.iter().map(move |e| {
                    format!("rpm package {}: field unreadable, left empty: {e}", p.name)
                })
            }))
            .collect();
        for m in problems.iter().take(MAX_RECORD_WARNINGS) {
            out.warn(path, m.as_str());
        }
        if problems.len() > MAX_RECORD_WARNINGS {
            out.warn(
                path,
                format!(
                    "rpm database damaged: {} more problems not shown",
                    problems.len() - MAX_RECORD_WARNINGS
                ),
            );
        }
        let loc = location(files, path);
        let mut packages: Vec<Package> = db
            .packages
            .into_iter()
            .map(|p| {
                let mut pkg = package(p, os);
                pkg.locations.push(loc.clone());
                pkg
            })
            .collect();
        assign_ecosystem(&mut packages, os, "rpm", path, out);
        out.packages.extend(packages);
    }
}

/// One rpm package as tidewatch reports it.
pub fn package(p: RpmPackage, os: Option<&OsInfo>) -> Package {
    let version = p.evr();
    let mut pkg = Package::new(&p.name, &version, "rpm", PackageType::Os);
    let epoch_prefix = match p.epoch {
        Some(e) if e != 0 => format!("{e}:"),
        _ => String::new(),
    };
    pkg.source = p
        .source_rpm
        .as_deref()
        .and_then(parse_source_rpm)
        .map(|(name, vr)| SourcePackage {
            name: name.to_string(),
            version: format!("{epoch_prefix}{vr}"),
        });
    pkg.purl = purl(&p, os);
    pkg.arch = p.arch.clone();
    pkg.licenses = p.license.clone().into_iter().collect();
    pkg.owned_files = p
        .files
        .iter()
        .map(|f| f.trim_start_matches('/').to_string())
        .filter(|f| !f.is_empty())
        .collect();
    let meta = &mut pkg.metadata;
    if let Some(e) = p.epoch {
        meta.insert("epoch".into(), e.to_string());
    }
    for (key, value) in [
        ("vendor", p.vendor),
        ("modularitylabel", p.modularity_label),
        ("sourcerpm", p.source_rpm),
    ] {
        if let Some(v) = value {
            meta.insert(key.into(), v);
        }
    }
    pkg
}

/// `openssl-3.0.7-27.el9.src.rpm` → (`openssl`, `3.0.7-27.el9`).
pub fn parse_source_rpm(file: &str) -> Option<(&str, &str)> {
    let nvr = file
        .strip_suffix(".src.rpm")
        .or_else(|| file.strip_suffix(".nosrc.rpm"))?;
    let (nv, _release) = nvr.rsplit_once('-')?;
    let (name, _version) = nv.rsplit_once('-')?;
    let vr = nvr.get(name.len() + 1..)?;
    if name.is_empty() || vr.starts_with('-') || vr.ends_with('-') {
        return None;
    }
    Some((name, vr))
}

/// `pkg:rpm/<distro>/<name>@<version>-<release>?arch=…&distro=<id>-<ver>&epoch=…&upstream=<srpm>`.
fn purl(p: &RpmPackage, os: Option<&OsInfo>) -> String {
    let build = || -> Result<String, packageurl::Error> {
        let mut u = packageurl::PackageUrl::new("rpm", p.name.as_str())?;
        if let Some(o) = os.filter(|o| !o.family.is_empty()) {
            u.with_namespace(o.family.as_str());
            let distro = match o.version.as_str() {
                "" => o.family.clone(),
                v => format!("{}-{v}", o.family),
            };
            u.add_qualifier("distro", distro)?;
        }
        u.with_version(format!("{}-{}", p.version, p.release));
        if let Some(a) = &p.arch {
            u.add_qualifier("arch", a.as_str())?;
        }
        if let Some(e) = p.epoch.filter(|e| *e != 0) {
            u.add_qualifier("epoch", e.to_string())?;
        }
        if let Some(s) = &p.source_rpm {
            u.add_qualifier("upstream", s.as_str())?;
        }
        Ok(u.to_string())
    };
    build().unwrap_or_else(|_| format!("pkg:rpm/{}@{}-{}", p.name, p.version, p.release))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn source_rpm_names() {
        assert_eq!(
            parse_source_rpm("openssl-3.0.7-27.el9.src.rpm"),
            Some(("openssl", "3.0.7-27.el9"))
        );
        assert_eq!(
            parse_source_rpm("python-urllib3-1.26.5-3.el9.noarch.src.rpm"),
            Some(("python-urllib3", "1.26.5-3.el9.noarch"))
        );
        assert_eq!(
            parse_source_rpm("kernel-5.14.0-1.nosrc.rpm"),
            Some(("kernel", "5.14.0-1"))
        );
        assert_eq!(parse_source_rpm("broken.src.rpm"), None);
        assert_eq!(parse_source_rpm("a-1.src.rpm"), None);
        assert_eq!(parse_source_rpm("(none)"), None);
    }

    #[test]
    fn package_fields_and_purl() {
        let p = RpmPackage {
            name: "nodejs".into(),
            epoch: Some(1),
            version: "10.21.0".into(),
            release: "3.module_el8.2.0+391+8da3adc6".into(),
            arch: Some("x86_64".into()),
            source_rpm: Some("nodejs-10.21.0-3.module_el8.2.0+391+8da3adc6.src.rpm".into()),
            license: Some("MIT and ASL 2.0".into()),
            vendor: Some("CentOS".into()),
            modularity_label: Some("nodejs:10:8020020200707141642:6a468ee4".into()),
            files: vec!["/usr/bin/node".into()],
            damage: Vec::new(),
        };
        let os = OsInfo {
            family: "centos".into(),
            version: "8.2.2004".into(),
            ..OsInfo::default()
        };
        let pkg = package(p, Some(&os));
        assert_eq!(pkg.version, "1:10.21.0-3.module_el8.2.0+391+8da3adc6");
        let src = pkg.source.unwrap();
        assert_eq!(src.name, "nodejs");
        assert_eq!(src.version, "1:10.21.0-3.module_el8.2.0+391+8da3adc6");
        assert_eq!(pkg.metadata["epoch"], "1");
        assert_eq!(
            pkg.metadata["modularitylabel"],
            "nodejs:10:8020020200707141642:6a468ee4"
        );
        assert_eq!(pkg.metadata["vendor"], "CentOS");
        assert_eq!(pkg.owned_files, ["usr/bin/node"]);
        assert_eq!(pkg.licenses, ["MIT and ASL 2.0"]);
        assert_eq!(
            pkg.purl,
            "pkg:rpm/centos/nodejs@10.21.0-3.module_el8.2.0%2B391%2B8da3adc6?arch=x86_64\
             &distro=centos-8.2.2004&epoch=1\
             &upstream=nodejs-10.21.0-3.module_el8.2.0%2B391%2B8da3adc6.src.rpm"
        );
    }

    #[test]
    fn zero_epoch_is_metadata_only() {
        let p = RpmPackage {
            name: "bash".into(),
            epoch: Some(0),
            version: "5.1.8".into(),
            release: "6.el9".into(),
            ..RpmPackage::default()
        };
        let pkg = package(p, None);
        assert_eq!(pkg.version, "5.1.8-6.el9");
        assert_eq!(pkg.metadata["epoch"], "0");
        assert_eq!(pkg.purl, "pkg:rpm/bash@5.1.8-6.el9");
    }
}
