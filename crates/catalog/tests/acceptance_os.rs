//! Acceptance tests of OS detection and the dpkg / apk catalogers on the
//! real fixtures in `../shared` (`$TIDEWATCH_SHARED`): every package list
//! the fixtures' expected files give, every release file their INDEX names,
//! and the real images. Each test skips when `../shared` is missing.

mod shared_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tidewatch_catalog::os::{apk::Apk, dpkg::Dpkg, ecosystem::ecosystem, release};
use tidewatch_catalog::{Cataloger, Catalogers, Output};
use tidewatch_image::{FileData, FileEntry, FileFilter, Files, Want};
use tidewatch_types::{OsInfo, PackageType};

/// The files under `root` the scan would keep, keyed as image paths.
fn load_root(root: &Path) -> Files {
    let filter = Catalogers::all();
    let mut files = Files::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let Ok(meta) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(p);
                continue;
            }
            let Ok(rel) = p.strip_prefix(root) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            if filter.wants(&rel, meta.len(), 0o644) != Want::Keep {
                continue;
            }
            let Ok(bytes) = std::fs::read(&p) else {
                continue;
            };
            files.insert(rel, entry(bytes));
        }
    }
    files
}

fn entry(bytes: Vec<u8>) -> FileEntry {
    FileEntry {
        layer: Some(0),
        size: bytes.len() as u64,
        mode: 0o644,
        data: FileData::Memory(Arc::new(bytes)),
    }
}

fn tsv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

fn col(row: &[String], i: usize) -> &str {
    row.get(i).map(String::as_str).unwrap_or_default()
}

fn today() -> jiff::civil::Date {
    jiff::civil::date(2025, 6, 1)
}

#[test]
fn dpkg_status_fixtures_match_dpkg_query() {
    let Some(shared) = shared_support::shared("") else {
        return;
    };
    let base = shared.join("fixtures/dpkg/status");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&base)
        .expect("dpkg fixtures")
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 8, "{dirs:?}");
    for dir in dirs {
        let files = load_root(&dir);
        let mut out = Output::default();
        let os = release::detect_at(&files, today(), &mut out);
        Dpkg.catalog(&files, os.as_ref(), &mut out);
        // (name, version, arch, source, source version) of the `ii` rows.
        let want: BTreeSet<(String, String, String, String, String)> =
            tsv(&dir.join("expected.dpkg-query.tsv"))
                .iter()
                .filter(|r| col(r, 3).trim() == "ii")
                .map(|r| {
                    (
                        col(r, 0).into(),
                        col(r, 1).into(),
                        col(r, 2).into(),
                        col(r, 4).into(),
                        col(r, 5).into(),
                    )
                })
                .collect();
        let got: BTreeSet<(String, String, String, String, String)> = out
            .packages
            .iter()
            .map(|p| {
                let s = p.source.as_ref().expect("deb packages carry their source");
                (
                    p.name.clone(),
                    p.version.clone(),
                    p.arch.clone().unwrap_or_default(),
                    s.name.clone(),
                    s.version.clone(),
                )
            })
            .collect();
        assert_eq!(
            got.len(),
            out.packages.len(),
            "{}: duplicates",
            dir.display()
        );
        assert_eq!(got, want, "{}", dir.display());
        assert!(
            out.warnings.iter().all(|w| !w.message.contains("line ")),
            "{}: {:?}",
            dir.display(),
            out.warnings
        );
        // Where the fixture carries its os-release, the packages are matched.
        if let Some(os) = &os {
            assert!(out.packages.iter().all(|p| p.ecosystem == ecosystem(os)));
            assert!(
                out.packages
                    .iter()
                    .all(|p| p.purl.starts_with(&format!("pkg:deb/{}/", os.family))),
                "{}",
                dir.display()
            );
        }
    }
}

#[test]
fn dpkg_fixture_roots_detect_their_release_and_owned_files() {
    let Some(shared) = shared_support::shared("") else {
        return;
    };
    let base = shared.join("fixtures/dpkg/status");
    for (dir, family, version, eco) in [
        ("debian-11-bullseye-minbase", "debian", "11.", "Debian:11"),
        ("debian-12-bookworm-minbase", "debian", "12.", "Debian:12"),
        ("debian-13-trixie-minbase", "debian", "13", "Debian:13"),
        ("debian-9-stretch", "debian", "9", "Debian:9"),
        ("ubuntu-10.04-lucid", "ubuntu", "10.04", "Ubuntu:10.04:LTS"),
    ] {
        let files = load_root(&base.join(dir));
        let mut out = Output::default();
        let os = release::detect_at(&files, today(), &mut out).unwrap_or_else(|| panic!("{dir}"));
        assert_eq!(os.family, family, "{dir}");
        assert!(os.version.starts_with(version), "{dir}: {}", os.version);
        assert_eq!(ecosystem(&os).as_deref(), Some(eco), "{dir}");
    }
    let files = load_root(&base.join("debian-11-bullseye-minbase"));
    let mut out = Output::default();
    let os = release::detect_at(&files, today(), &mut out);
    Dpkg.catalog(&files, os.as_ref(), &mut out);
    let libc = out
        .packages
        .iter()
        .find(|p| p.name == "libc6")
        .expect("libc6");
    assert!(
        libc.owned_files
            .iter()
            .any(|f| f.starts_with("lib/x86_64-linux-gnu/")),
        "{:?}",
        libc.owned_files.first()
    );
    let bash = out
        .packages
        .iter()
        .find(|p| p.name == "bash")
        .expect("bash");
    assert!(bash.owned_files.iter().any(|f| f == "bin/bash"));
}

#[test]
fn dpkg_edge_and_distroless_fixtures() {
    let Some(shared) = shared_support::shared("") else {
        return;
    };
    let dpkg = shared.join("fixtures/dpkg");
    let run = |rel: &str| -> Output {
        let files = load_root(&dpkg.join(rel));
        let mut out = Output::default();
        Dpkg.catalog(&files, None, &mut out);
        out
    };
    let names = |o: &Output| -> Vec<String> { o.packages.iter().map(|p| p.name.clone()).collect() };

    // status-edge files hold a bare `status`: place it where dpkg keeps it.
    let edge = |name: &str| -> Output {
        let bytes = std::fs::read(dpkg.join("status-edge").join(name).join("status")).expect(name);
        let mut files = Files::new();
        files.insert("var/lib/dpkg/status".into(), entry(bytes));
        let mut out = Output::default();
        Dpkg.catalog(&files, None, &mut out);
        out
    };
    let o = edge("scalibr-statusfield");
    assert_eq!(
        names(&o),
        [
            "wantinstall_installed",
            "wantdeinstall_installed",
            "wantinstall_unpacked",
            "wantpurge_installed",
            "wantnostatus"
        ]
    );
    let o = edge("syft-empty-package-stanza");
    assert_eq!(names(&o), ["libpam-runtime"]);
    assert!(o.warnings.iter().any(|w| w.message.contains("line 1:")));
    let o = edge("scalibr-nopackage");
    assert_eq!(names(&o), ["foo", "bar"]);
    let o = edge("scalibr-noversion");
    assert!(
        o.warnings.iter().any(|w| w.message.contains("no Version")),
        "{:?}",
        o.warnings
    );
    let o = edge("trivy-corrupted");
    assert!(!o.packages.is_empty());
    assert!(
        o.warnings
            .iter()
            .any(|w| w.path == "var/lib/dpkg/status" && w.message.contains("line 15"))
    );
    let o = edge("scalibr-trailingnewlines");
    assert!(!o.packages.is_empty());
    assert!(
        o.warnings.iter().all(|w| !w.message.contains("line ")),
        "{:?}",
        o.warnings
    );

    let o = run("status.d/stackrox-distroless-base");
    assert_eq!(names(&o), ["base-files", "netbase"]);
    let o = run("status.d/syft-distroless-deb");
    assert_eq!(names(&o), ["libsqlite3-0"]);
    assert!(!o.packages[0].owned_files.is_empty());
    assert!(
        o.packages[0]
            .owned_files
            .iter()
            .all(|f| !f.starts_with('/'))
    );
    let o = run("status.d/syft-samples");
    let got = names(&o);
    assert!(got.contains(&"tzdata".to_string()) && got.contains(&"util-linux".to_string()));
    assert!(got.contains(&"linux-image-6.14.0-1012-aws".to_string()));
    assert!(
        !got.contains(&"linux-image-6.8.0-1029-aws".to_string()),
        "config-files only"
    );
    let tz = o
        .packages
        .iter()
        .find(|p| p.name == "tzdata")
        .expect("tzdata");
    assert_eq!(
        tz.source.as_ref().map(|s| s.name.as_str()),
        Some("tzdata-dev")
    );
    assert!(
        o.warnings
            .iter()
            .any(|w| w.path.ends_with("status.d/corrupt"))
    );
}

#[test]
fn apk_fixtures_match_expected() {
    let Some(shared) = shared_support::shared("") else {
        return;
    };
    let base = shared.join("fixtures/apk");
    let index = tsv(&base.join("INDEX.tsv"));
    assert!(index.len() >= 15);
    for row in &index {
        let dir = base.join(col(row, 0));
        let files = load_root(&dir);
        assert!(files.contains(col(row, 1)), "{}", dir.display());
        let mut out = Output::default();
        let os = release::detect_at(&files, today(), &mut out);
        Apk.catalog(&files, os.as_ref(), &mut out);
        let want: Vec<(String, String, String, String, String)> = tsv(&dir.join("expected.tsv"))
            .iter()
            .map(|r| {
                (
                    col(r, 0).into(),
                    col(r, 1).into(),
                    col(r, 2).into(),
                    col(r, 3).into(),
                    col(r, 4).into(),
                )
            })
            .collect();
        let got: Vec<(String, String, String, String, String)> = out
            .packages
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    p.version.clone(),
                    p.arch.clone().unwrap_or_default(),
                    p.source
                        .as_ref()
                        .map(|s| s.name.clone())
                        .unwrap_or_default(),
                    p.licenses.join(" "),
                )
            })
            .collect();
        // expected.tsv lists stanzas as written; one without a version
        // cannot be matched or named, so tidewatch warns and skips it.
        let versionless = want.iter().filter(|w| w.1.is_empty()).count();
        let skipped = out
            .warnings
            .iter()
            .filter(|w| w.message.contains("no V: version"))
            .count();
        assert_eq!(skipped, versionless, "{}", dir.display());
        // expected.tsv leaves origin empty when the stanza has no `o:`;
        // tidewatch then uses the package's own name as its source.
        let want: Vec<_> = want
            .into_iter()
            .filter(|w| !w.1.is_empty())
            .map(|(n, v, a, o, l)| {
                let o = if o.is_empty() { n.clone() } else { o };
                (n, v, a, o, l)
            })
            .collect();
        assert_eq!(got, want, "{}", dir.display());
        assert_eq!(
            (want.len() + versionless).to_string(),
            col(row, 2),
            "{}",
            dir.display()
        );
        assert!(
            out.packages
                .iter()
                .all(|p| p.kind == PackageType::Os && p.format == "apk")
        );
        if col(row, 0) == "corrupt-syft" {
            assert!(
                out.warnings
                    .iter()
                    .any(|w| w.message.starts_with("line 1:"))
            );
        }
    }
}

#[test]
fn apk_fixture_roots_detect_alpine() {
    let Some(shared) = shared_support::shared("") else {
        return;
    };
    let base = shared.join("fixtures/apk");
    for (dir, version, eco) in [
        ("alpine-3.12.12-minirootfs", "3.12.12", "Alpine:v3.12"),
        ("alpine-3.18.9-minirootfs", "3.18.9", "Alpine:v3.18"),
        ("alpine-3.7.0-snyk", "3.7.0", "Alpine:v3.7"),
    ] {
        let files = load_root(&base.join(dir));
        let mut out = Output::default();
        let os = release::detect_at(&files, today(), &mut out).expect(dir);
        assert_eq!(
            (os.family.as_str(), os.version.as_str()),
            ("alpine", version)
        );
        assert!(os.eol, "{dir} is past its end of life on {}", today());
        assert!(
            out.warnings
                .iter()
                .any(|w| w.message.contains("reached end of life"))
        );
        Apk.catalog(&files, Some(&os), &mut out);
        assert!(
            out.packages
                .iter()
                .all(|p| p.ecosystem.as_deref() == Some(eco))
        );
        assert!(
            out.packages
                .iter()
                .all(|p| p.purl.contains(&format!("distro=alpine-{version}")))
        );
    }
}

/// Detect the OS of one release file placed at `image_path`.
fn detect_one(file: &Path, image_path: &str) -> (Option<OsInfo>, Output) {
    let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut files = Files::new();
    files.insert(image_path.to_string(), entry(bytes));
    let mut out = Output::default();
    let os = release::detect_at(&files, today(), &mut out);
    (os, out)
}

#[test]
fn os_release_index_ids_and_versions() {
    let Some(shared) = shared_support::shared("") else {
        return;
    };
    let base = shared.join("fixtures/os-release");
    let mut checked = 0;
    for row in tsv(&base.join("INDEX.tsv")) {
        let (file, format, id, version_id) =
            (col(&row, 0), col(&row, 1), col(&row, 2), col(&row, 3));
        if format != "key=value" || id.is_empty() {
            continue;
        }
        let image_path = if file.ends_with("lsb-release") {
            "etc/lsb-release"
        } else {
            "etc/os-release"
        };
        let (os, _) = detect_one(&base.join(file), image_path);
        let os = os.unwrap_or_else(|| panic!("{file}: nothing detected"));
        let want_family = match id.to_ascii_lowercase().as_str() {
            "opensuse" => "opensuse-leap".to_string(),
            other => other.to_string(),
        };
        assert_eq!(os.family, want_family, "{file}");
        assert_eq!(os.version, version_id, "{file}");
        checked += 1;
    }
    assert!(checked > 150, "{checked}");
}

#[test]
fn legacy_release_files() {
    let Some(shared) = shared_support::shared("") else {
        return;
    };
    let base = shared.join("fixtures/os-release");
    #[allow(clippy::type_complexity)]
    let cases: &[(&[(&str, &str)], Option<(&str, &str)>)] = &[
        (
            &[("snyk/centos_5/fs/etc/redhat-release", "etc/redhat-release")],
            Some(("centos", "5.11")),
        ),
        (
            &[("snyk/centos_6/fs/etc/redhat-release", "etc/redhat-release")],
            Some(("centos", "6.9")),
        ),
        (
            &[(
                "snyk/redhat_6_5/fs/etc/redhat-release",
                "etc/redhat-release",
            )],
            Some(("rhel", "6.5")),
        ),
        (
            &[("snyk/debian_6/fs/etc/debian_version", "etc/debian_version")],
            Some(("debian", "6.0.10")),
        ),
        (
            &[(
                "snyk/alpine_2_6_6/fs/etc/alpine-release",
                "etc/alpine-release",
            )],
            Some(("alpine", "2.6.6")),
        ),
        (
            &[(
                "snyk/alpine_release_corrupt/fs/etc/alpine-release",
                "etc/alpine-release",
            )],
            None,
        ),
        (
            &[(
                "snyk/debian_version_corrupt/fs/etc/debian_version",
                "etc/debian_version",
            )],
            None,
        ),
        (
            &[
                (
                    "snyk/oraclelinux_5_11/fs/etc/oracle-release",
                    "etc/oracle-release",
                ),
                (
                    "snyk/oraclelinux_5_11/fs/etc/redhat-release",
                    "etc/redhat-release",
                ),
                (
                    "snyk/oraclelinux_5_11/fs/etc/enterprise-release",
                    "etc/enterprise-release",
                ),
            ],
            Some(("ol", "5.11")),
        ),
        (
            &[
                (
                    "claircore/rhel/oracle-8/etc/oracle-release",
                    "etc/oracle-release",
                ),
                (
                    "claircore/rhel/oracle-8/etc/redhat-release",
                    "etc/redhat-release",
                ),
            ],
            Some(("ol", "8.9")),
        ),
        (
            &[
                (
                    "snyk/ubuntu_10_04/fs/etc/debian_version",
                    "etc/debian_version",
                ),
                ("snyk/ubuntu_10_04/fs/etc/lsb-release", "etc/lsb-release"),
            ],
            Some(("ubuntu", "10.04")),
        ),
        (
            &[
                (
                    "syft/os/debian/with-point-release/etc/os-release",
                    "etc/os-release",
                ),
                (
                    "syft/os/debian/with-point-release/etc/debian_version",
                    "etc/debian_version",
                ),
            ],
            Some(("debian", "13.5")),
        ),
        (
            &[
                (
                    "syft/os/debian/from-debian_version/etc/os-release",
                    "etc/os-release",
                ),
                (
                    "syft/os/debian/from-debian_version/etc/debian_version",
                    "etc/debian_version",
                ),
            ],
            Some(("debian", "10.8")),
        ),
        (
            &[
                ("claircore/rhel/7/etc/os-release", "etc/os-release"),
                ("claircore/rhel/7/etc/redhat-release", "etc/redhat-release"),
            ],
            Some(("rhel", "7.7")),
        ),
        (
            &[(
                "trivy/redhatbase/centos/centos-release",
                "etc/centos-release",
            )],
            Some(("centos", "7.6.1810")),
        ),
        (
            &[(
                "trivy/redhatbase/alma/almalinux-release",
                "etc/almalinux-release",
            )],
            Some(("almalinux", "8.4")),
        ),
        (
            &[("trivy/redhatbase/rocky/rocky-release", "etc/rocky-release")],
            Some(("rocky", "8.4")),
        ),
        (
            &[(
                "trivy/redhatbase/fedora_29/fedora-release",
                "etc/fedora-release",
            )],
            Some(("fedora", "29")),
        ),
        (
            &[(
                "trivy/redhatbase/oracle_7/oracle-release",
                "etc/oracle-release",
            )],
            Some(("ol", "7.6")),
        ),
        (
            &[(
                "trivy/redhatbase/redhat_6/redhat-release",
                "etc/redhat-release",
            )],
            None,
        ),
        (
            &[("trivy/mariner/1.0/mariner-release", "etc/mariner-release")],
            Some(("mariner", "1.0")),
        ),
        (
            &[(
                "snyk/os_release_corrupt/fs/etc/os-release",
                "etc/os-release",
            )],
            Some(("ubuntu", "18.04")),
        ),
        (&[("syft/os/empty/etc/os-release", "etc/os-release")], None),
    ];
    for (list, want) in cases {
        let mut files = Files::new();
        for (src, dst) in *list {
            let bytes = std::fs::read(base.join(src)).unwrap_or_else(|e| panic!("{src}: {e}"));
            files.insert(dst.to_string(), entry(bytes));
        }
        let mut out = Output::default();
        let os = release::detect_at(&files, today(), &mut out);
        let got = os.as_ref().map(|o| (o.family.as_str(), o.version.as_str()));
        assert_eq!(got, *want, "{list:?}");
    }
}

#[test]
fn os_release_ecosystems_of_supported_distros() {
    let Some(shared) = shared_support::shared("") else {
        return;
    };
    let base = shared.join("fixtures/os-release");
    for (file, eco) in [
        ("trivy/os-release/alma", "AlmaLinux:9"),
        ("trivy/os-release/rocky", "Rocky Linux:9"),
        ("trivy/os-release/rhel", "Red Hat:enterprise_linux:9"),
        (
            "trivy/os-release/centos-stream",
            "Red Hat:enterprise_linux:8",
        ),
        ("trivy/os-release/oracle", "Oracle:8"),
        ("trivy/os-release/fedora", "Fedora:42"),
        (
            "trivy/os-release/sles",
            "SUSE:Linux Enterprise Server 15 SP3",
        ),
        ("trivy/os-release/opensusetumbleweed", "openSUSE:Tumbleweed"),
        ("trivy/os-release/opensuseleap-42.3", "openSUSE:Leap 42.3"),
        ("trivy/os-release/photon", "Photon OS:4.0"),
        ("trivy/os-release/azurelinux-3.0", "Azure Linux:3.0"),
        ("trivy/os-release/mariner-2.0", "Azure Linux:2.0"),
        ("syft/os/amazon/etc/os-release", "Amazon Linux:2"),
        ("syft/os/wolfi/etc/os-release", "Wolfi"),
        (
            "claircore/ubuntu/dist/22.04/etc/os-release",
            "Ubuntu:22.04:LTS",
        ),
        ("claircore/ubuntu/dist/23.10/etc/os-release", "Ubuntu:23.10"),
        (
            "claircore/debian/distroless_dist/11/etc/os-release",
            "Debian:11",
        ),
        ("claircore/alpine/edge/etc/os-release", "Alpine:edge"),
    ] {
        let (os, _) = detect_one(&base.join(file), "etc/os-release");
        let os = os.unwrap_or_else(|| panic!("{file}"));
        assert_eq!(ecosystem(&os).as_deref(), Some(eco), "{file}");
    }
    let (os, _) = detect_one(
        &base.join("trivy/os-release/centos-stream"),
        "etc/os-release",
    );
    let os = os.expect("centos stream");
    assert_eq!(os.eol_date.as_deref(), Some("2024-05-31"));
    let (os, _) = detect_one(&base.join("syft/os/arch/etc/os-release"), "etc/os-release");
    assert_eq!(os.map(|o| ecosystem(&o)), Some(None));
}

/// The whole pipeline on the real images: OS, package count, ecosystem.
#[test]
fn real_images() {
    let Some(shared) = shared_support::shared("") else {
        return;
    };
    let mut images = vec![
        (
            shared.join("images/alpine-3.12.oci.tar"),
            "alpine",
            "3.12.12",
            14,
            "apk",
        ),
        (
            shared.join("images/alpine-3.18.docker.tar"),
            "alpine",
            "3.18.9",
            15,
            "apk",
        ),
        (
            shared.join("images/distroless-like.oci.tar"),
            "debian",
            "12.",
            11,
            "deb",
        ),
    ];
    let multilayer = Path::new("/tmp/tw-images/debian-multilayer/oci-archive.tar");
    if multilayer.exists() {
        images.push((multilayer.to_path_buf(), "debian", "12.", 144, "deb"));
    }
    let catalogers = Catalogers::all();
    for (path, family, version, count, format) in images {
        let spec = path.to_string_lossy().to_string();
        let image = tidewatch_image::open(&spec, &Default::default()).expect(&spec);
        let squashed = image.squash(&catalogers).expect(&spec);
        let mut out = Output::default();
        let os = release::detect_at(&squashed.files, today(), &mut out).expect(&spec);
        assert_eq!(os.family, family, "{spec}");
        assert!(os.version.starts_with(version), "{spec}: {}", os.version);
        let mut out = Output::default();
        Dpkg.catalog(&squashed.files, Some(&os), &mut out);
        Apk.catalog(&squashed.files, Some(&os), &mut out);
        let pkgs: Vec<_> = out.packages.iter().filter(|p| p.format == format).collect();
        assert_eq!(pkgs.len(), count, "{spec}");
        assert!(
            pkgs.iter()
                .all(|p| p.ecosystem == ecosystem(&os) && p.ecosystem.is_some())
        );
        assert!(
            pkgs.iter().all(|p| p.locations[0].layer.is_some()),
            "{spec}"
        );
        if family == "debian" {
            let libssl = pkgs.iter().find(|p| p.name == "libssl3").expect("libssl3");
            assert_eq!(
                libssl.source.as_ref().map(|s| s.name.as_str()),
                Some("openssl")
            );
            assert!(libssl.purl.contains("upstream=openssl"));
            assert!(
                !libssl.owned_files.is_empty(),
                "{spec}: libssl3 owns its files"
            );
        }
    }
}
