//! Debian packages: the dpkg status database.
//!
//! Reads `var/lib/dpkg/status` and the distroless layout
//! `var/lib/dpkg/status.d/<name>` (one or more stanzas per file, no
//! `Status:` field, owned files in `<name>.md5sums`), and the files each
//! package owns from `var/lib/dpkg/info/<pkg>[:<arch>].list`.
//!
//! The stanza format is deb822 with dpkg's leniencies: CRLF line ends,
//! `#` comments are not allowed but tolerated, continuation lines start
//! with a space or tab. A line that is neither a field nor a continuation
//! (a hand-edited or truncated file) gets a warning naming the file and
//! line and is taken as a continuation, so the stanza's identity fields
//! still count. A stanza without `Package` or `Version` is skipped with a
//! warning.
//!
//! Which packages are installed is decided by the package's *state*, the
//! third word of `Status:` (the first two are the administrator's wish and
//! error flags): `installed`, and the states where the package's files are
//! on disk but configuration did not finish (`unpacked`, `half-configured`,
//! `triggers-awaited`, `triggers-pending`). A package marked `deinstall`
//! but still `installed` is still on disk and is listed; `config-files`,
//! `half-installed` and `not-installed` are not. Distroless records have no
//! `Status:` and are installed by construction.

use crate::os::{assign_ecosystem, purl};
use crate::{Cataloger, Output, location};
use std::collections::HashSet;
use tidewatch_image::{Files, Want};
use tidewatch_types::{OsInfo, Package, PackageType, SourcePackage};

const STATUS: &str = "var/lib/dpkg/status";
const STATUS_D: &str = "var/lib/dpkg/status.d/";
const INFO: &str = "var/lib/dpkg/info/";

/// Files in `status.d/` beside the stanza files that are not stanzas.
const NOT_STANZAS: [&str; 12] = [
    ".md5sums",
    ".preinst",
    ".postinst",
    ".prerm",
    ".postrm",
    ".conffiles",
    ".list",
    ".shlibs",
    ".symbols",
    ".triggers",
    ".templates",
    ".config",
];

/// The dpkg cataloger.
pub struct Dpkg;

/// One package stanza as read, before it becomes a [`Package`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stanza {
    /// 1-based line of the stanza's first line.
    pub line: usize,
    pub package: String,
    pub version: String,
    pub architecture: Option<String>,
    /// `Source:` name and, when given as `name (version)`, its version.
    pub source: Option<(String, Option<String>)>,
    pub status: Option<String>,
}

impl Stanza {
    /// Whether the package's files are on disk (see the module docs).
    pub fn installed(&self) -> bool {
        let Some(status) = &self.status else {
            return true;
        };
        matches!(
            status.split_whitespace().nth(2),
            Some(
                "installed"
                    | "unpacked"
                    | "half-configured"
                    | "triggers-awaited"
                    | "triggers-pending"
            )
        )
    }
}

#[derive(Default)]
struct Partial {
    line: usize,
    package: Option<String>,
    version: Option<String>,
    architecture: Option<String>,
    source: Option<String>,
    status: Option<String>,
    malformed_at: Option<usize>,
}

/// Parse every stanza of a status-format file. Problems go to `out` as
/// warnings naming `path` and the line; what parses is returned.
pub fn parse(text: &str, path: &str, out: &mut Output) -> Vec<Stanza> {
    let mut stanzas = Vec::new();
    let mut cur: Option<Partial> = None;
    for (i, raw) in text.split('\n').enumerate() {
        let n = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            if let Some(p) = cur.take() {
                finish(p, path, out, &mut stanzas);
            }
            continue;
        }
        let p = cur.get_or_insert_with(|| Partial {
            line: n,
            ..Partial::default()
        });
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let field = line.split_once(':').filter(|(k, _)| {
            !k.is_empty() && !k.contains(char::is_whitespace) && !k.starts_with('#')
        });
        let Some((key, value)) = field else {
            if line.starts_with('#') {
                continue;
            }
            if p.malformed_at.is_none() {
                p.malformed_at = Some(n);
                out.warn(
                    path,
                    format!(
                        "line {n}: neither a field nor a continuation line; read as a continuation"
                    ),
                );
            }
            continue;
        };
        let value = value.trim().to_string();
        let slot = match key.to_ascii_lowercase().as_str() {
            "package" => &mut p.package,
            "version" => &mut p.version,
            "architecture" => &mut p.architecture,
            "source" => &mut p.source,
            "status" => &mut p.status,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value);
        }
    }
    if let Some(p) = cur.take() {
        finish(p, path, out, &mut stanzas);
    }
    stanzas
}

fn finish(p: Partial, path: &str, out: &mut Output, stanzas: &mut Vec<Stanza>) {
    let line = p.line;
    let package = p.package.filter(|s| !s.is_empty());
    let version = p.version.filter(|s| !s.is_empty());
    let (package, version) = match (package, version) {
        (Some(a), Some(b)) => (a, b),
        (None, _) => {
            out.warn(
                path,
                format!("line {line}: stanza has no Package name; skipped"),
            );
            return;
        }
        (Some(name), None) => {
            out.warn(
                path,
                format!("line {line}: package {name:?} has no Version; skipped"),
            );
            return;
        }
    };
    let source = p.source.filter(|s| !s.is_empty()).map(|s| parse_source(&s));
    stanzas.push(Stanza {
        line,
        package,
        version,
        architecture: p.architecture.filter(|s| !s.is_empty()),
        source,
        status: p.status,
    });
}

/// `Source: name` or `Source: name (version)`.
fn parse_source(s: &str) -> (String, Option<String>) {
    match s.split_once('(') {
        Some((name, rest)) => {
            let version = rest.split(')').next().unwrap_or_default().trim();
            (
                name.trim().to_string(),
                (!version.is_empty()).then(|| version.to_string()),
            )
        }
        None => (s.trim().to_string(), None),
    }
}

fn read(files: &Files, path: &str, out: &mut Output) -> Option<String> {
    let entry = files.get(path)?;
    match entry.data.bytes() {
        Ok(b) => Some(String::from_utf8_lossy(&b).into_owned()),
        Err(e) => {
            out.warn(path, format!("cannot read: {e}"));
            None
        }
    }
}

/// Paths listed in a `.list` (absolute) or `.md5sums` (`<md5>  <path>`).
fn owned_paths(text: &str, md5sums: bool) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim_end_matches('\r');
            let p = if md5sums {
                l.split_once(char::is_whitespace)?.1.trim_start()
            } else {
                l
            };
            let p = p.trim_start_matches('/');
            (!p.is_empty() && p != ".").then(|| p.to_string())
        })
        .collect()
}

impl Dpkg {
    fn to_package(&self, s: &Stanza, path: &str, files: &Files, os: Option<&OsInfo>) -> Package {
        let mut p = Package::new(&s.package, &s.version, "deb", PackageType::Os);
        let (src_name, src_version) = match &s.source {
            Some((n, v)) => (n.clone(), v.clone().unwrap_or_else(|| s.version.clone())),
            None => (s.package.clone(), s.version.clone()),
        };
        let namespace = match os.map(|o| o.family.as_str()) {
            Some("ubuntu") => "ubuntu",
            _ => "debian",
        };
        p.purl = purl::os_purl(
            "deb",
            namespace,
            &s.package,
            &s.version,
            s.architecture.as_deref(),
            Some(&src_name),
            os.filter(|o| crate::os::ecosystem::native_format(o, "deb")),
        );
        p.source = Some(SourcePackage {
            name: src_name,
            version: src_version,
        });
        p.arch = s.architecture.clone();
        p.locations.push(location(files, path));
        p
    }

    fn owned_from_info(&self, files: &Files, s: &Stanza, out: &mut Output) -> Option<Vec<String>> {
        let candidates = s
            .architecture
            .iter()
            .map(|a| format!("{INFO}{}:{a}.list", s.package))
            .chain(std::iter::once(format!("{INFO}{}.list", s.package)));
        for c in candidates {
            if files.contains(&c) {
                return read(files, &c, out).map(|t| owned_paths(&t, false));
            }
        }
        None
    }
}

impl Cataloger for Dpkg {
    fn name(&self) -> &'static str {
        "dpkg"
    }

    fn wants(&self, path: &str, _size: u64, _mode: u32) -> Want {
        let keep = path == STATUS
            || path
                .strip_prefix(STATUS_D)
                .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
            || path
                .strip_prefix(INFO)
                .is_some_and(|rest| rest.ends_with(".list") && !rest.contains('/'));
        if keep { Want::Keep } else { Want::Skip }
    }

    fn catalog(&self, files: &Files, os: Option<&OsInfo>, out: &mut Output) {
        if let Some(text) = read(files, STATUS, out) {
            let mut pkgs = Vec::new();
            let mut seen = HashSet::new();
            for s in parse(&text, STATUS, out) {
                if !s.installed() {
                    continue;
                }
                let key = (s.package.clone(), s.architecture.clone());
                if !seen.insert(key) {
                    out.warn(
                        STATUS,
                        format!(
                            "line {}: package {:?} appears again; the first stanza is kept",
                            s.line, s.package
                        ),
                    );
                    continue;
                }
                let mut p = self.to_package(&s, STATUS, files, os);
                if let Some(owned) = self.owned_from_info(files, &s, out) {
                    p.owned_files = owned;
                }
                pkgs.push(p);
            }
            assign_ecosystem(&mut pkgs, os, "deb", STATUS, out);
            out.packages.extend(pkgs);
        }

        let mut pkgs = Vec::new();
        let stanza_files: Vec<&str> = files
            .under(STATUS_D)
            .map(|(p, _)| p)
            .filter(|p| !NOT_STANZAS.iter().any(|s| p.ends_with(s)))
            .filter(|p| {
                p.rsplit('/')
                    .next()
                    .is_some_and(|n| !n.is_empty() && !n.starts_with('.'))
            })
            .collect();
        for path in &stanza_files {
            let Some(text) = read(files, path, out) else {
                continue;
            };
            let stanzas: Vec<Stanza> = parse(&text, path, out)
                .into_iter()
                .filter(Stanza::installed)
                .collect();
            let stem = path.rsplit('/').next().unwrap_or_default();
            let single = stanzas.len() == 1;
            for s in &stanzas {
                let mut p = self.to_package(s, path, files, os);
                let md5 = format!("{STATUS_D}{}.md5sums", s.package);
                let stem_md5 = format!("{STATUS_D}{stem}.md5sums");
                let owned = if files.contains(&md5) {
                    read(files, &md5, out).map(|t| owned_paths(&t, true))
                } else if single && files.contains(&stem_md5) {
                    read(files, &stem_md5, out).map(|t| owned_paths(&t, true))
                } else {
                    self.owned_from_info(files, s, out)
                };
                if let Some(owned) = owned {
                    p.owned_files = owned;
                }
                pkgs.push(p);
            }
        }
        if let Some(first) = stanza_files.first() {
            let where_ = if stanza_files.len() == 1 {
                first.to_string()
            } else {
                STATUS_D.trim_end_matches('/').to_string()
            };
            assign_ecosystem(&mut pkgs, os, "deb", &where_, out);
        }
        out.packages.extend(pkgs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use tidewatch_image::{FileData, FileEntry};

    fn files(list: &[(&str, &str)]) -> Files {
        let mut f = Files::new();
        for (i, (p, t)) in list.iter().enumerate() {
            f.insert(
                p.to_string(),
                FileEntry {
                    layer: Some(i % 2),
                    size: t.len() as u64,
                    mode: 0o644,
                    data: FileData::Memory(Arc::new(t.as_bytes().to_vec())),
                },
            );
        }
        f
    }

    fn bookworm() -> OsInfo {
        OsInfo {
            family: "debian".into(),
            version: "12.5".into(),
            codename: Some("bookworm".into()),
            ..OsInfo::default()
        }
    }

    const STATUS_TEXT: &str = "Package: libc6\r\nStatus: install ok installed\r\nArchitecture: amd64\r\nMulti-Arch: same\r\nSource: glibc\r\nVersion: 2.36-9+deb12u4\r\nDescription: GNU C Library\r\n shared libraries\r\n\r\n\
Package: bsdutils\nStatus: install ok installed\nArchitecture: amd64\nSource: util-linux (2.38.1-5)\nVersion: 1:2.38.1-5+b1\n\n\
Package: old\nStatus: deinstall ok config-files\nVersion: 1.0\nArchitecture: amd64\n\n\
Package: held\nStatus: hold ok installed\nVersion: 2.0\nArchitecture: all\n\n\
Package: half\nStatus: install reinstreq half-installed\nVersion: 1.0\n\n\
Package: going\nStatus: deinstall ok installed\nVersion: 3.0\n\n\n\n";

    #[test]
    fn status_file_installed_packages_with_sources_and_owned_files() {
        let f = files(&[
            (STATUS, STATUS_TEXT),
            (
                "var/lib/dpkg/info/libc6:amd64.list",
                "/.\n/lib\n/lib/x86_64-linux-gnu/libc.so.6\n",
            ),
            ("var/lib/dpkg/info/held.list", "/usr/bin/held\n"),
        ]);
        let mut out = Output::default();
        Dpkg.catalog(&f, Some(&bookworm()), &mut out);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let names: Vec<&str> = out.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["libc6", "bsdutils", "held", "going"]);
        let libc = &out.packages[0];
        assert_eq!(
            libc.source
                .as_ref()
                .map(|s| (s.name.as_str(), s.version.as_str())),
            Some(("glibc", "2.36-9+deb12u4"))
        );
        assert_eq!(libc.ecosystem.as_deref(), Some("Debian:12"));
        assert_eq!(libc.format, "deb");
        assert_eq!(libc.kind, PackageType::Os);
        assert_eq!(
            libc.purl,
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12.5&upstream=glibc"
        );
        assert_eq!(libc.owned_files, ["lib", "lib/x86_64-linux-gnu/libc.so.6"]);
        assert_eq!(libc.locations[0].path, STATUS);
        assert_eq!(libc.locations[0].layer, Some(0));
        let bsd = &out.packages[1];
        assert_eq!(
            bsd.source.as_ref().map(|s| s.version.as_str()),
            Some("2.38.1-5")
        );
        // The purl spec leaves `:` unencoded everywhere.
        assert!(bsd.purl.contains("@1:2.38.1-5%2Bb1"), "{}", bsd.purl);
        assert_eq!(out.packages[2].owned_files, ["usr/bin/held"]);
        assert!(!out.packages[2].purl.contains("upstream"));
    }

    #[test]
    fn distroless_status_d_with_md5sums() {
        let f = files(&[
            (
                "var/lib/dpkg/status.d/libssl3",
                "Package: libssl3\nSource: openssl\nVersion: 3.0.11-1~deb12u2\nArchitecture: amd64\n",
            ),
            (
                "var/lib/dpkg/status.d/libssl3.md5sums",
                "0123  usr/lib/x86_64-linux-gnu/libssl.so.3\n",
            ),
            ("var/lib/dpkg/status.d/libssl3.preinst", "#!/bin/sh\n"),
            (
                "var/lib/dpkg/status.d/multi",
                "Package: a\nVersion: 1\n\nPackage: b\nVersion: 2\nStatus: deinstall ok config-files\n",
            ),
        ]);
        let mut out = Output::default();
        Dpkg.catalog(&f, Some(&bookworm()), &mut out);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let names: Vec<&str> = out.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["libssl3", "a"]);
        assert_eq!(
            out.packages[0].owned_files,
            ["usr/lib/x86_64-linux-gnu/libssl.so.3"]
        );
        assert_eq!(
            out.packages[0].locations[0].path,
            "var/lib/dpkg/status.d/libssl3"
        );
        assert_eq!(out.packages[1].locations[0].layer, Some(1));
    }

    #[test]
    fn malformed_stanzas_warn_with_line_and_the_rest_goes_on() {
        let text = "Package:\n\nPackage: noversion\nStatus: install ok installed\n\nStatus: install ok installed\nVersion: 1\n\nPackage: ok\nVersion: 1.0\nthis line is broken\nDescription: x\n\nPackage: ok\nVersion: 1.1\n";
        let mut out = Output::default();
        let f = files(&[(STATUS, text)]);
        Dpkg.catalog(&f, None, &mut out);
        assert_eq!(out.packages.len(), 1);
        assert_eq!(out.packages[0].version, "1.0");
        assert_eq!(out.packages[0].ecosystem, None);
        let msgs: Vec<String> = out
            .warnings
            .iter()
            .map(|w| format!("{}: {}", w.path, w.message))
            .collect();
        assert!(
            msgs.iter()
                .any(|m| m.contains("line 1:") && m.contains("no Package")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("line 3:") && m.contains("no Version")),
            "{msgs:?}"
        );
        assert!(msgs.iter().any(|m| m.contains("line 6:")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("line 11:")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("appears again")), "{msgs:?}");
        assert!(
            msgs.iter().any(|m| m.contains("cannot be matched")),
            "{msgs:?}"
        );
    }

    #[test]
    fn ubuntu_namespace_and_wrong_os_is_unmatched() {
        let f = files(&[(
            STATUS,
            "Package: bash\nVersion: 5.1-6ubuntu1\nArchitecture: amd64\n",
        )]);
        let ubuntu = OsInfo {
            family: "ubuntu".into(),
            version: "22.04".into(),
            ..OsInfo::default()
        };
        let mut out = Output::default();
        Dpkg.catalog(&f, Some(&ubuntu), &mut out);
        assert_eq!(
            out.packages[0].purl,
            "pkg:deb/ubuntu/bash@5.1-6ubuntu1?arch=amd64&distro=ubuntu-22.04"
        );
        assert_eq!(
            out.packages[0].ecosystem.as_deref(),
            Some("Ubuntu:22.04:LTS")
        );
        let alpine = OsInfo {
            family: "alpine".into(),
            version: "3.18.9".into(),
            ..OsInfo::default()
        };
        let mut out = Output::default();
        Dpkg.catalog(&f, Some(&alpine), &mut out);
        assert_eq!(out.packages[0].ecosystem, None);
        assert_eq!(out.warnings.len(), 1);
    }

    #[test]
    fn wants_only_its_files() {
        assert_eq!(Dpkg.wants(STATUS, 1, 0o644), Want::Keep);
        assert_eq!(
            Dpkg.wants("var/lib/dpkg/status.d/libc6", 1, 0o644),
            Want::Keep
        );
        assert_eq!(
            Dpkg.wants("var/lib/dpkg/info/bash.list", 1, 0o644),
            Want::Keep
        );
        assert_eq!(
            Dpkg.wants("var/lib/dpkg/info/bash.md5sums", 1, 0o644),
            Want::Skip
        );
        assert_eq!(Dpkg.wants("var/lib/dpkg/status-old", 1, 0o644), Want::Skip);
        assert_eq!(
            Dpkg.wants("var/lib/dpkg/status.d/x/y", 1, 0o644),
            Want::Skip
        );
    }

    proptest::proptest! {
        #[test]
        fn random_bytes_never_panic(data in proptest::collection::vec(proptest::num::u8::ANY, 0..2000)) {
            let text = String::from_utf8_lossy(&data);
            let mut out = Output::default();
            let _ = parse(&text, STATUS, &mut out);
        }

        #[test]
        fn random_stanza_text_never_panics(text in "((Package|Version|Status|Source|Architecture|X)?:? ?[a-z0-9 ()~+:.-]{0,12}\r?\n){0,40}") {
            let f = files(&[(STATUS, &text), ("var/lib/dpkg/status.d/x", &text)]);
            let mut out = Output::default();
            Dpkg.catalog(&f, Some(&bookworm()), &mut out);
        }
    }
}
