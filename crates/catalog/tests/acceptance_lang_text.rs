//! Acceptance: the text catalogers and lockfile parsers on every text
//! sample in `../shared/fixtures/lang`. No expected lists ship with these
//! samples, so each check compares against an independent reading of the
//! same facts (file names, `# stub:` headers, a lockfile beside its
//! installed tree, JSON/TOML read generically by the test).
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod lang_text_support;
mod shared_support;

use lang_text_support::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tidewatch_catalog::lang::dotnet::DepsJsonCataloger;
use tidewatch_catalog::lang::lockfile_catalogers;
use tidewatch_catalog::lang::lockfiles::identity::pep503;
use tidewatch_catalog::lang::npm::NpmCataloger;
use tidewatch_catalog::lang::php::ComposerInstalledCataloger;
use tidewatch_catalog::lang::python::PythonCataloger;
use tidewatch_catalog::lang::ruby::GemspecCataloger;
use tidewatch_catalog::{Cataloger, Output};

fn lang_fixtures() -> Option<PathBuf> {
    shared_support::shared("fixtures/lang").map(|p| p.join("fixtures/lang"))
}

fn lockfiles(all: Vec<(String, Vec<u8>)>) -> Output {
    let mut out = Output::default();
    for c in lockfile_catalogers() {
        c.catalog(&kept(c.as_ref(), all.clone()), None, &mut out);
    }
    out
}

fn pairs_at(out: &Output, path: &str) -> Vec<(String, String)> {
    let mut v: Vec<_> = out
        .packages
        .iter()
        .filter(|p| p.locations[0].path == path)
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect();
    v.sort();
    v
}

#[test]
fn python_metadata_samples() {
    let Some(root) = lang_fixtures() else { return };
    // Place every sample where an installer would put it.
    let mut files = Vec::new();
    for (rel, bytes) in files_from_dir(&root.join("python")) {
        let file = rel.rsplit('/').next().unwrap().to_string();
        let placed = if let Some(stem) = file.strip_suffix(".METADATA") {
            format!("site/{stem}.dist-info/METADATA")
        } else if let Some(stem) = file.strip_suffix(".PKG-INFO") {
            format!("site/{stem}.egg-info/PKG-INFO")
        } else if rel.ends_with("egg-name/egg-info/PKG-INFO") {
            "site/egg-name.egg-info/PKG-INFO".to_string()
        } else {
            rel
        };
        files.push((placed, bytes));
    }
    let kept_count = kept(&PythonCataloger, files.clone()).len();
    let out = run(&PythonCataloger, files);
    assert_eq!(out.packages.len() + out.warnings.len(), kept_count);
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert!(out.warnings[0].path.contains("no-version"));
    // Where the file name carries name-version, it agrees with the metadata.
    let mut checked = 0;
    for p in &out.packages {
        let dir = p.locations[0].path.rsplit('/').nth(1).unwrap_or("");
        let dir = p.locations[0]
            .path
            .rsplit('/')
            .next()
            .filter(|f| f.ends_with(".egg-info"))
            .unwrap_or(dir);
        let stem = dir
            .split(".dist-info")
            .next()
            .unwrap()
            .split(".egg-info")
            .next()
            .unwrap();
        let stem = stem.split("-py").next().unwrap();
        if let Some((n, v)) = stem.rsplit_once('-')
            && v.starts_with(|c: char| c.is_ascii_digit())
        {
            assert_eq!(pep503(n), pep503(&p.name), "{}", p.locations[0].path);
            // `Python-2.7.egg-info` names the series, not the release.
            assert!(
                p.version.starts_with(v),
                "{} vs {}",
                p.version,
                p.locations[0].path
            );
            checked += 1;
        }
        assert!(
            p.purl
                .starts_with(&format!("pkg:pypi/{}@", pep503(&p.name)))
        );
    }
    assert!(checked >= 15, "only {checked} checked");
}

#[test]
fn npm_installed_tree_matches_its_lockfile() {
    let Some(root) = lang_fixtures() else { return };
    let project = root.join("npm/project-with-node_modules");
    let all = files_from_dir(&project);
    let installed = run(&NpmCataloger::new(), all.clone());
    assert!(installed.warnings.is_empty(), "{:?}", installed.warnings);
    assert!(installed.packages.len() >= 8);
    let locked = lockfiles(all.clone());
    assert!(locked.warnings.is_empty(), "{:?}", locked.warnings);
    // Each installed package is the one the lockfile pins at that path.
    let lock: serde_json::Value = serde_json::from_slice(
        &all.iter()
            .find(|(p, _)| p == "package-lock.json")
            .unwrap()
            .1,
    )
    .unwrap();
    for p in &installed.packages {
        // v1 lockfile: node_modules/a/node_modules/b is dependencies.a.dependencies.b.
        let dir = p.locations[0].path.trim_end_matches("/package.json");
        let mut node = &lock;
        for name in dir.split("node_modules/").filter(|s| !s.is_empty()) {
            node = &node["dependencies"][name.trim_end_matches('/')];
        }
        assert_eq!(node["version"].as_str(), Some(p.version.as_str()), "{dir}");
        assert!(
            pairs_at(&locked, "package-lock.json").contains(&(p.name.clone(), p.version.clone()))
        );
    }
}

#[test]
fn npm_package_json_samples() {
    let Some(root) = lang_fixtures() else { return };
    let files: Vec<_> = files_from_dir(&root.join("npm/package-json"))
        .into_iter()
        .map(|(rel, b)| {
            (
                format!(
                    "app/node_modules/{}/package.json",
                    rel.trim_end_matches(".json")
                ),
                b,
            )
        })
        .collect();
    let out = run(&NpmCataloger::new(), files);
    assert_eq!(
        ids(&out.packages),
        [
            "angular@4.1.2",
            "bootstrap@5.0.2",
            "example@1.0.0",
            "mixed-array-license@1.0.0",
            "null-license@1.0.0",
            "tv4@1.3.0",
            "unknown-license-object@1.0.0"
        ]
    );
    let mut warned: Vec<&str> = out.warnings.iter().map(|w| w.path.as_str()).collect();
    warned.sort();
    assert_eq!(
        warned,
        [
            "app/node_modules/invalid_name/package.json",
            "app/node_modules/without_version_package/package.json"
        ]
    );
    assert_eq!(find(&out.packages, "mixed-array-license").licenses, ["MIT"]);
    assert!(find(&out.packages, "null-license").licenses.is_empty());
}

#[test]
fn npm_lockfile_samples() {
    let Some(root) = lang_fixtures() else { return };
    for (rel, bytes) in files_from_dir(&root.join("npm/lockfiles")) {
        let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let out = lockfiles(vec![("package-lock.json".into(), bytes)]);
        assert!(
            out.warnings
                .iter()
                .all(|w| w.message.contains("no version")),
            "{rel}: {:?}",
            out.warnings
        );
        // Independent reading: every registry package the file installs.
        let mut want: Vec<(String, String)> = Vec::new();
        if let Some(pkgs) = doc.get("packages").and_then(|p| p.as_object()) {
            for (path, e) in pkgs {
                let Some(i) = path.rfind("node_modules/") else {
                    continue;
                };
                if e.get("link").is_some() {
                    continue;
                }
                if let Some(v) = e.get("version").and_then(|v| v.as_str()) {
                    let name = e
                        .get("name")
                        .and_then(|n| n.as_str())
                        .unwrap_or(&path[i + 13..]);
                    want.push((name.to_string(), v.to_string()));
                }
            }
        } else {
            fn walk(
                d: &serde_json::Map<String, serde_json::Value>,
                want: &mut Vec<(String, String)>,
            ) {
                for (n, e) in d {
                    want.push((n.clone(), e["version"].as_str().unwrap().to_string()));
                    if let Some(sub) = e.get("dependencies").and_then(|s| s.as_object()) {
                        walk(sub, want);
                    }
                }
            }
            walk(doc["dependencies"].as_object().unwrap(), &mut want);
        }
        want.sort();
        want.dedup();
        assert_eq!(pairs_at(&out, "package-lock.json"), want, "{rel}");
    }
}

#[test]
fn gemspec_samples() {
    let Some(root) = lang_fixtures() else { return };
    let files: Vec<_> = files_from_dir(&root.join("ruby"))
        .into_iter()
        .map(|(rel, b)| {
            (
                format!(
                    "usr/lib/ruby/gems/3.1.0/specifications/{}",
                    rel.rsplit('/').next().unwrap()
                ),
                b,
            )
        })
        .collect();
    let stubs: BTreeMap<String, String> = files
        .iter()
        .filter_map(|(p, b)| {
            let text = String::from_utf8_lossy(b);
            let stub = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("# stub: ").map(str::to_string))?;
            Some((p.clone(), stub.split_whitespace().next()?.to_string()))
        })
        .collect();
    let out = run(&GemspecCataloger, files);
    let mut warned: Vec<&str> = out
        .warnings
        .iter()
        .map(|w| w.path.rsplit('/').next().unwrap())
        .collect();
    warned.sort();
    assert_eq!(
        warned,
        [
            "empty_name.gemspec",
            "malformed00.gemspec",
            "malformed01.gemspec"
        ]
    );
    assert_eq!(out.packages.len(), 8);
    for p in &out.packages {
        if let Some(stub_name) = stubs.get(&p.locations[0].path) {
            assert_eq!(&p.name, stub_name);
        }
    }
    assert_eq!(find(&out.packages, "rss").version, "0.2.9");
}

#[test]
fn composer_samples() {
    let Some(root) = lang_fixtures() else { return };
    let all = files_from_dir(&root.join("php"));
    let out = run(&ComposerInstalledCataloger, all.clone());
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let locked = lockfiles(all.clone());
    assert!(locked.warnings.is_empty(), "{:?}", locked.warnings);
    for (path, bytes) in &all {
        let doc: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        let lists: Vec<&serde_json::Value> = if path.ends_with("composer.lock") {
            vec![&doc["packages"], &doc["packages-dev"]]
        } else if doc.is_array() {
            vec![&doc]
        } else {
            vec![&doc["packages"]]
        };
        let mut want: Vec<(String, String)> = lists
            .iter()
            .filter_map(|l| l.as_array())
            .flatten()
            .map(|p| {
                (
                    p["name"].as_str().unwrap().to_string(),
                    p["version"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        want.sort();
        let got = if path.ends_with("composer.lock") {
            pairs_at(&locked, path)
        } else {
            pairs_at(&out, path)
        };
        assert_eq!(got, want, "{path}");
        assert!(!want.is_empty());
    }
}

#[test]
fn deps_json_samples() {
    let Some(root) = lang_fixtures() else { return };
    let all = files_from_dir(&root.join("dotnet"));
    let out = run(&DepsJsonCataloger, all.clone());
    assert_eq!(out.warnings.len(), 1);
    assert!(out.warnings[0].path.ends_with("invalid.deps.json"));
    for (path, bytes) in &all {
        let Ok(doc) = serde_json::from_slice::<serde_json::Value>(bytes) else {
            continue;
        };
        let mut want: Vec<(String, String)> = doc["libraries"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(_, l)| l["type"] == "package")
            .map(|(k, _)| {
                let (n, v) = k.split_once('/').unwrap();
                (n.to_string(), v.to_string())
            })
            .collect();
        want.sort();
        assert_eq!(pairs_at(&out, path), want, "{path}");
    }
    assert_eq!(
        out.packages
            .iter()
            .filter(|p| p.locations[0]
                .path
                .ends_with("net8-app-single-file.deps.json"))
            .count(),
        51
    );
}

#[test]
fn cargo_lock_samples() {
    let Some(root) = lang_fixtures() else { return };
    let all = files_from_dir(&root.join("rust/cargo-lock"));
    let out = lockfiles(all.clone());
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    for (path, bytes) in &all {
        let doc: toml::Table = toml::from_str(std::str::from_utf8(bytes).unwrap()).unwrap();
        let pkgs = doc["package"].as_array().unwrap();
        let from_registry = pkgs
            .iter()
            .filter(|p| {
                p.get("source")
                    .and_then(|s| s.as_str())
                    .is_some_and(|s| s.starts_with("registry+"))
            })
            .count();
        let got: Vec<_> = out
            .packages
            .iter()
            .filter(|p| &p.locations[0].path == path)
            .collect();
        assert_eq!(got.len(), pkgs.len(), "{path}");
        assert_eq!(
            got.iter()
                .filter(|p| p.ecosystem.as_deref() == Some("crates.io"))
                .count(),
            from_registry,
            "{path}"
        );
    }
    // ripgrep's own lockfiles, across format versions, list the same crates at those revisions.
    let v4 = pairs_at(&out, "v4-ripgrep/Cargo.lock");
    assert!(v4.iter().any(|(n, _)| n == "ripgrep"));
}

#[test]
fn every_text_sample_is_read_without_panic() {
    let Some(root) = lang_fixtures() else { return };
    let all = files_from_dir(&root);
    let mut list: Vec<Box<dyn Cataloger>> = tidewatch_catalog::lang::catalogers();
    list.extend(lockfile_catalogers());
    let mut found = 0;
    for c in &list {
        // Only the text catalogers: binaries are other tests' business.
        if !matches!(
            c.name(),
            "python" | "npm" | "gemspec" | "composer-installed" | "dotnet-deps"
        ) && !c.name().contains('.')
        {
            continue;
        }
        let mut out = Output::default();
        c.catalog(&kept(c.as_ref(), all.clone()), None, &mut out);
        found += out.packages.len();
    }
    assert!(found > 300, "{found}");
}

/// The text catalogers as one image filter.
struct TextFilter(Vec<Box<dyn Cataloger>>);

impl tidewatch_image::FileFilter for TextFilter {
    fn wants(&self, path: &str, size: u64, mode: u32) -> tidewatch_image::Want {
        for c in &self.0 {
            if c.wants(path, size, mode) == tidewatch_image::Want::Keep {
                return tidewatch_image::Want::Keep;
            }
        }
        tidewatch_image::Want::Skip
    }
}

/// (name, version) of one peer tool's packages of some types.
fn peer(tsv: &Path, types: &[&str]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = std::fs::read_to_string(tsv)
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() > 3 && types.contains(&f[0])).then(|| (f[1].to_string(), f[2].to_string()))
        })
        .collect();
    v.sort();
    v
}

#[test]
fn debian_multilayer_python_and_npm() {
    let Some(root) = lang_fixtures() else { return };
    let image = Path::new("/tmp/tw-images/debian-multilayer/oci");
    if !image.is_dir() {
        println!(
            "skipping: {} not built (../shared/images/build-images.sh)",
            image.display()
        );
        return;
    }
    let filter = TextFilter(vec![
        Box::new(PythonCataloger),
        Box::new(NpmCataloger::new()),
    ]);
    let opened = tidewatch_image::open(image.to_str().unwrap(), &Default::default()).unwrap();
    let start = std::time::Instant::now();
    let squashed = opened.squash(&filter).unwrap();
    let mut out = Output::default();
    for c in &filter.0 {
        c.catalog(&squashed.files, None, &mut out);
    }
    println!(
        "squash + catalog: {:?}, {} files kept",
        start.elapsed(),
        squashed.files.len()
    );
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);

    let peers = root.join("../../peers/packages/debian-multilayer");
    let ours = |format: &str| -> Vec<(String, String)> {
        let mut v: Vec<_> = out
            .packages
            .iter()
            .filter(|p| p.format == format)
            .map(|p| (p.name.clone(), p.version.clone()))
            .collect();
        v.sort();
        v
    };
    let norm = |v: Vec<(String, String)>| -> Vec<(String, String)> {
        let mut v: Vec<_> = v.into_iter().map(|(n, ver)| (pep503(&n), ver)).collect();
        v.sort();
        v.dedup();
        v
    };
    println!("python {}, npm {}", ours("pypi").len(), ours("npm").len());
    // Python: everything Trivy and Syft report together.
    let py = norm(ours("pypi"));
    for want in norm(
        [
            peer(&peers.join("trivy-packages.tsv"), &["python-pkg"]),
            peer(&peers.join("syft-packages.tsv"), &["python"]),
        ]
        .concat(),
    ) {
        assert!(py.contains(&want), "python {want:?} missing from {py:?}");
    }
    // npm: both peers' lists, except the app's own package.json (not a dependency).
    let npm = ours("npm");
    let mut peers_npm = [
        peer(&peers.join("trivy-packages.tsv"), &["node-pkg"]),
        peer(&peers.join("syft-packages.tsv"), &["npm"]),
    ]
    .concat();
    peers_npm.retain(|(n, _)| n != "vuln-demo-app");
    for want in peers_npm {
        assert!(npm.contains(&want), "npm {want:?} missing from {npm:?}");
    }
    // The opaque directory in the last layer replaced axios 0.21.0 by 0.21.1,
    // and a later layer uninstalled PyYAML.
    let axios: Vec<_> = out.packages.iter().filter(|p| p.name == "axios").collect();
    assert_eq!(axios.len(), 1);
    assert_eq!(axios[0].version, "0.21.1");
    assert_eq!(axios[0].layer(), Some(4));
    assert!(!py.iter().any(|(n, _)| n == "pyyaml"));
    let lodash = out.packages.iter().find(|p| p.name == "lodash").unwrap();
    assert_eq!(
        (lodash.version.as_str(), lodash.purl.as_str()),
        ("4.17.15", "pkg:npm/lodash@4.17.15")
    );
}
