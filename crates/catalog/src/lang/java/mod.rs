//! Java archives (`*.jar`, `*.war`, `*.ear`, `*.par`, `*.jpi`, `*.hpi`),
//! read with the `zip` crate, nested archives included.
//!
//! Identification, most trusted first:
//! 1. every `META-INF/maven/<g>/<a>/pom.properties` is one package
//!    `groupId:artifactId` (a fat jar carries one per bundled artifact);
//! 2. when none of those is the archive itself (its artifactId does not
//!    match the file name and there is more than one), the archive is
//!    identified from `MANIFEST.MF`: version from `Implementation-Version`
//!    / `Bundle-Version` / `Specification-Version`, groupId from
//!    `Implementation-Vendor-Id` or a `Bundle-SymbolicName` ending in a
//!    dashed artifactId, artifactId from the file name or `Implementation-Title`.
//!    Whatever had to come from the file name is recorded in metadata
//!    (`identified-by=filename`), and a groupId that nothing states is
//!    guessed equal to the artifactId (the convention of old artifacts such
//!    as `log4j:log4j`) and marked `group-guessed=true`, so that such jars
//!    are still matched rather than silently missed.
//!
//! Nested archives (`WEB-INF/lib/*.jar`, `BOOT-INF/lib/*.jar`, jars in an
//! ear) are read in memory up to [`MAX_DEPTH`] levels and [`MAX_NESTED`]
//! bytes each; their packages are located at the outer archive's path in
//! the image with the nested path in `archive-path` metadata
//! (`app.war!/WEB-INF/lib/x.jar`).

mod manifest;
mod properties;

use crate::{Cataloger, Output};
use std::collections::{BTreeSet, HashMap};
use std::io::{self, Cursor, Read, Seek};
use thiserror::Error;
use tidewatch_image::{FileEntry, Files, Want};
use tidewatch_types::{Location, OsInfo, Package, PackageType};
use zip::ZipArchive;

/// File name endings read as Java archives.
pub const EXTENSIONS: &[&str] = &["jar", "war", "ear", "par", "jpi", "hpi"];
/// How deep archives inside archives are followed (ear → war → jar is 2).
pub const MAX_DEPTH: usize = 4;
/// Largest nested archive read into memory.
pub const MAX_NESTED: u64 = 128 << 20;
/// Total bytes of nested archives read for one archive in the image.
const MAX_NESTED_TOTAL: u64 = 1 << 30;
/// Largest `pom.properties` / `MANIFEST.MF` read.
const MAX_METADATA: u64 = 1 << 20;

/// Why an archive could not be read.
#[derive(Debug, Error)]
pub enum JavaError {
    #[error("cannot read the file: {0}")]
    Io(#[from] io::Error),
    #[error("not a valid zip archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("nested archive is {size} bytes, over the {MAX_NESTED}-byte limit")]
    NestedTooLarge { size: u64 },
    #[error("nested archives exceed {MAX_NESTED_TOTAL} bytes in total")]
    NestedBudget,
    #[error("{name} is over {MAX_METADATA} bytes")]
    MetadataTooLarge { name: String },
}

/// Whether `path` names a Java archive.
pub fn is_archive(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e))
    })
}

/// Reads Maven coordinates out of Java archives.
pub struct JavaArchiveCataloger;

impl Cataloger for JavaArchiveCataloger {
    fn name(&self) -> &'static str {
        "java-archive"
    }

    fn wants(&self, path: &str, _size: u64, _mode: u32) -> Want {
        if is_archive(path) {
            Want::Keep
        } else {
            Want::Skip
        }
    }

    fn catalog(&self, files: &Files, _os: Option<&OsInfo>, out: &mut Output) {
        for (path, entry) in files.iter().filter(|(p, _)| is_archive(p)) {
            match read_entry(entry, crate::location(files, path)) {
                Ok((packages, warnings)) => {
                    for (nested, message) in warnings {
                        out.warn(path, format!("Java archive {nested}: {message}"));
                    }
                    out.packages.extend(packages);
                }
                Err(e) => out.warn(path, format!("Java archive: {e}")),
            }
        }
    }
}

type Found = (Vec<Package>, Vec<(String, String)>);

fn read_entry(entry: &FileEntry, location: Location) -> Result<Found, JavaError> {
    match entry.data.path() {
        Some(p) => packages_of_archive(std::fs::File::open(p)?, location),
        None => {
            let bytes = entry.data.bytes()?;
            packages_of_archive(Cursor::new(&bytes[..]), location)
        }
    }
}

/// The packages of one archive in the image, nested ones included.
/// Also returns (nested archive path, message) for nested archives that
/// could not be read.
pub fn packages_of_archive<R: Read + Seek>(
    reader: R,
    location: Location,
) -> Result<Found, JavaError> {
    let path = location.path.clone();
    let mut walk = Walk {
        location,
        budget: MAX_NESTED_TOTAL,
        packages: Vec::new(),
        warnings: Vec::new(),
    };
    let mut zip = ZipArchive::new(reader)?;
    walk.archive(&mut zip, &path, None, 0)?;
    Ok((walk.packages, walk.warnings))
}

struct Walk {
    location: Location,
    budget: u64,
    packages: Vec<Package>,
    /// (nested archive path, message) for nested archives that failed.
    warnings: Vec<(String, String)>,
}

impl Walk {
    /// Catalog one archive. `display` is its path as shown in metadata
    /// (`outer.war!/WEB-INF/lib/x.jar`); `nested` is set for archives
    /// inside the image file.
    fn archive<R: Read + Seek>(
        &mut self,
        zip: &mut ZipArchive<R>,
        display: &str,
        nested: Option<&str>,
        depth: usize,
    ) -> Result<(), JavaError> {
        let names: Vec<String> = zip.file_names().map(str::to_string).collect();
        let file_name = display.rsplit(['/', '!']).next().unwrap_or(display);
        let stem = file_name.rsplit_once('.').map_or(file_name, |(s, _)| s);

        let mut poms = Vec::new();
        for name in names.iter().filter(|n| is_pom_properties(n)) {
            let text = read_text(zip, name)?;
            if let Some(pom) = Pom::from_properties(&properties::parse(&text)) {
                poms.push((name.clone(), pom));
            }
        }
        let pom_count = poms.len();
        let identifies_self = pom_count == 1 || poms.iter().any(|(_, p)| p.names_file(stem));
        let mut seen = BTreeSet::new();
        for (name, pom) in poms {
            if seen.insert((pom.group.clone(), pom.artifact.clone(), pom.version.clone())) {
                let mut p = self.package(&pom, nested);
                p.metadata
                    .insert("identified-by".into(), "pom.properties".into());
                p.metadata.insert("pom-properties".into(), name);
                self.packages.push(p);
            }
        }
        if !identifies_self {
            let manifest = match names
                .iter()
                .find(|n| n.eq_ignore_ascii_case("META-INF/MANIFEST.MF"))
            {
                Some(name) => manifest::parse(&read_text(zip, name)?),
                None => HashMap::new(),
            };
            if let Some((pom, by, guessed)) = identify_from_manifest(&manifest, stem) {
                let mut p = self.package(&pom, nested);
                p.metadata.insert("identified-by".into(), by.into());
                if guessed {
                    p.metadata.insert("group-guessed".into(), "true".into());
                }
                self.packages.push(p);
            }
        }

        if depth >= MAX_DEPTH {
            return Ok(());
        }
        for name in names.iter().filter(|n| is_archive(n)) {
            let child = format!("{display}!/{name}");
            match self.nested_bytes(zip, name) {
                Ok(bytes) => match ZipArchive::new(Cursor::new(bytes.as_slice())) {
                    Ok(mut inner) => {
                        if let Err(e) = self.archive(&mut inner, &child, Some(&child), depth + 1) {
                            self.warnings.push((child, e.to_string()));
                        }
                    }
                    Err(e) => self.warnings.push((child, JavaError::from(e).to_string())),
                },
                Err(JavaError::NestedBudget) => {
                    self.warnings
                        .push((child, JavaError::NestedBudget.to_string()));
                    return Ok(());
                }
                Err(e) => self.warnings.push((child, e.to_string())),
            }
        }
        Ok(())
    }

    fn nested_bytes<R: Read + Seek>(
        &mut self,
        zip: &mut ZipArchive<R>,
        name: &str,
    ) -> Result<Vec<u8>, JavaError> {
        let f = zip.by_name(name)?;
        let size = f.size();
        if size > MAX_NESTED {
            return Err(JavaError::NestedTooLarge { size });
        }
        if size > self.budget {
            return Err(JavaError::NestedBudget);
        }
        let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(1 << 20));
        // The declared size can lie; cap what is actually inflated.
        f.take(MAX_NESTED + 1).read_to_end(&mut buf)?;
        let got = buf.len() as u64;
        if got > MAX_NESTED {
            return Err(JavaError::NestedTooLarge { size: got });
        }
        self.budget = self.budget.saturating_sub(got);
        Ok(buf)
    }

    fn package(&self, pom: &Pom, nested: Option<&str>) -> Package {
        let name = format!("{}:{}", pom.group, pom.artifact);
        let mut p = Package::new(&name, &pom.version, "maven", PackageType::Library);
        p.ecosystem = Some("Maven".into());
        p.purl = purl(&pom.group, &pom.artifact, &pom.version);
        p.locations.push(self.location.clone());
        if let Some(n) = nested {
            p.metadata.insert("archive-path".into(), n.to_string());
        }
        p
    }
}

fn read_text<R: Read + Seek>(zip: &mut ZipArchive<R>, name: &str) -> Result<String, JavaError> {
    let f = zip.by_name(name)?;
    let mut buf = Vec::new();
    f.take(MAX_METADATA + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > MAX_METADATA {
        return Err(JavaError::MetadataTooLarge {
            name: name.to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

fn is_pom_properties(name: &str) -> bool {
    name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties")
}

/// Maven coordinates.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pom {
    group: String,
    artifact: String,
    version: String,
}

impl Pom {
    fn from_properties(p: &HashMap<String, String>) -> Option<Pom> {
        let get = |k: &str| {
            p.get(k)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        Some(Pom {
            group: get("groupId")?,
            artifact: get("artifactId")?,
            version: get("version")?,
        })
    }

    /// Whether this artifact is the archive named `stem`
    /// (`jackson-core-2.14.1`, `jackson-core`).
    fn names_file(&self, stem: &str) -> bool {
        stem == self.artifact
            || stem
                .strip_prefix(self.artifact.as_str())
                .is_some_and(|rest| rest.starts_with('-'))
    }
}

/// Split a file stem into artifactId and version at the first `-` followed
/// by a digit (`log4j-1.2-1.2.17` → `log4j`, `1.2-1.2.17`).
fn split_stem(stem: &str) -> (&str, Option<&str>) {
    let bytes = stem.as_bytes();
    for (i, w) in bytes.windows(2).enumerate() {
        if w[0] == b'-' && w[1].is_ascii_digit() {
            return (&stem[..i], Some(&stem[i + 1..]));
        }
    }
    (stem, None)
}

/// Identify an archive from its manifest and file name: the coordinates,
/// what they came from (`manifest` or `filename`) and whether the groupId
/// was guessed.
fn identify_from_manifest(
    m: &HashMap<String, String>,
    stem: &str,
) -> Option<(Pom, &'static str, bool)> {
    let no_space = |s: &&str| !s.contains(char::is_whitespace);
    let (file_artifact, file_version) = split_stem(stem);
    let title = manifest::get(m, "Implementation-Title").filter(no_space);
    let symbolic = manifest::get(m, "Bundle-SymbolicName")
        .map(|s| s.split(';').next().unwrap_or(s).trim())
        .filter(|s| !s.is_empty());

    let (artifact, mut by) = if !file_artifact.is_empty() && file_version.is_some() {
        (file_artifact.to_string(), "filename")
    } else if let Some(t) = title {
        (t.to_string(), "manifest")
    } else if !file_artifact.is_empty() {
        (file_artifact.to_string(), "filename")
    } else {
        return None;
    };

    let version = manifest::get(m, "Implementation-Version")
        .or_else(|| manifest::get(m, "Bundle-Version"))
        .or_else(|| manifest::get(m, "Specification-Version"))
        .filter(no_space)
        .map(str::to_string)
        .or_else(|| {
            by = "filename";
            file_version.map(str::to_string)
        })?;

    let vendor_id =
        manifest::get(m, "Implementation-Vendor-Id").filter(|v| no_space(v) && v.contains('.'));
    // `com.fasterxml.jackson.core.jackson-core` is `group.artifact`, but
    // `org.apache.log4j` is a Java package (log4j's group is `log4j`):
    // only trust the split when the artifactId could not be a package
    // segment, i.e. contains a `-`.
    let from_symbolic = symbolic.filter(|_| artifact.contains('-')).and_then(|s| {
        s.strip_suffix(artifact.as_str())
            .and_then(|g| g.strip_suffix('.'))
            .filter(|g| !g.is_empty())
    });
    let (group, guessed) = match vendor_id.or(from_symbolic) {
        Some(g) => (g.to_string(), false),
        None => (artifact.clone(), true),
    };
    Some((
        Pom {
            group,
            artifact,
            version,
        },
        by,
        guessed,
    ))
}

/// `pkg:maven/<group>/<artifact>@<version>`.
fn purl(group: &str, artifact: &str, version: &str) -> String {
    match packageurl::PackageUrl::new("maven", artifact) {
        Ok(mut p) => {
            p.with_namespace(group);
            p.with_version(version);
            p.to_string()
        }
        Err(_) => format!("pkg:maven/{group}/{artifact}@{version}"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn archive_names() {
        assert!(is_archive("app/lib/x.jar"));
        assert!(is_archive("opt/jenkins/plugins/git.HPI"));
        assert!(is_archive("srv/app.war"));
        assert!(!is_archive("usr/lib/jar"));
        assert!(!is_archive("x/.jar"));
        assert!(!is_archive("x/jar.txt"));
    }

    #[test]
    fn stems_split_at_the_first_version_like_dash() {
        assert_eq!(split_stem("log4j-1.2.17"), ("log4j", Some("1.2.17")));
        assert_eq!(
            split_stem("log4j-1.2-1.2.17"),
            ("log4j", Some("1.2-1.2.17"))
        );
        assert_eq!(split_stem("jackson-core"), ("jackson-core", None));
        assert_eq!(
            split_stem("commons-io-2.11.0"),
            ("commons-io", Some("2.11.0"))
        );
    }

    #[test]
    fn manifest_identification() {
        // The real log4j 1.2.17 manifest (trimmed): no groupId anywhere.
        let m = manifest::parse(
            "Bundle-Name: Apache Log4j\nBundle-SymbolicName: org.apache.log4j\nBundle-Version: 1.2.17\n",
        );
        let (pom, by, guessed) = identify_from_manifest(&m, "log4j-1.2.17").unwrap();
        assert_eq!(
            (
                pom.group.as_str(),
                pom.artifact.as_str(),
                pom.version.as_str()
            ),
            ("log4j", "log4j", "1.2.17")
        );
        assert_eq!((by, guessed), ("filename", true));
        // Maven's archiver writes the groupId as Implementation-Vendor-Id.
        let m = manifest::parse(
            "Implementation-Title: demo-app\nImplementation-Version: 1.0.0\nImplementation-Vendor-Id: com.example\n",
        );
        let (pom, by, guessed) = identify_from_manifest(&m, "app").unwrap();
        assert_eq!(
            (pom.group.as_str(), pom.artifact.as_str()),
            ("com.example", "demo-app")
        );
        assert_eq!((by, guessed), ("manifest", false));
        // A symbolic name ending in the artifactId gives the group.
        let m = manifest::parse(
            "Bundle-SymbolicName: com.fasterxml.jackson.core.jackson-core;singleton:=true\nBundle-Version: 2.15.2\n",
        );
        let (pom, _, guessed) = identify_from_manifest(&m, "jackson-core-2.15.2").unwrap();
        assert_eq!(pom.group, "com.fasterxml.jackson.core");
        assert!(!guessed);
        // Nothing to go on.
        assert!(identify_from_manifest(&HashMap::new(), "app").is_none());
    }
}
