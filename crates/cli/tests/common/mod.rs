//! Shared helpers for the CLI's integration tests: run the real binary,
//! build small feeds and images, read JSON reports.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn db(&self) -> PathBuf {
        self.path("vuln.db")
    }

    /// The binary with its state confined to this test's directory.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_tidewatch"));
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("TIDEWATCH_DB", self.db())
            .env("TIDEWATCH_CACHE_DIR", self.path("cache"))
            .env("HOME", self.dir.path())
            .current_dir(self.dir.path());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run tidewatch")
    }

    /// Write feed files and import them; panics if the import fails.
    pub fn import(&self, files: &[(&str, &str)]) {
        let feeds = self.path("feeds");
        for (name, body) in files {
            let p = feeds.join(name);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, body).expect("write feed");
        }
        let out = self.run(&["db", "import", feeds.to_str().expect("utf8")]);
        assert!(
            out.status.success(),
            "import failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Scan with `--format json` and return (exit code, report, stderr).
    pub fn scan_json(
        &self,
        cmd: &str,
        target: &Path,
        extra: &[&str],
    ) -> (i32, serde_json::Value, String) {
        let mut args = vec![cmd, target.to_str().expect("utf8"), "--format", "json"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let code = out.status.code().unwrap_or(-1);
        let report = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("no JSON on stdout ({e}); exit {code}; stderr: {stderr}"));
        validate(&report);
        (code, report, stderr)
    }
}

/// `$TIDEWATCH_SHARED`, else `../shared` beside the repo, when it holds every
/// path in `needs`; otherwise says what is missing and gives `None` so that
/// the acceptance test skips.
pub fn shared(needs: &[&str]) -> Option<PathBuf> {
    let p = std::env::var_os("TIDEWATCH_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    match needs.iter().find(|n| !p.join(n).exists()) {
        None => Some(p),
        Some(missing) => {
            eprintln!("skipping: ../shared/{missing} not found");
            None
        }
    }
}

/// The debian-multilayer image directory that `scripts/test.sh` builds
/// (`$TIDEWATCH_IMAGES`, else `/tmp/tw-images`), or `None` after saying
/// the test skips.
pub fn debian_multilayer() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("TIDEWATCH_IMAGES").map(PathBuf::from),
        Some(PathBuf::from("/tmp/tw-images")),
    ];
    let found = candidates
        .into_iter()
        .flatten()
        .map(|d| d.join("debian-multilayer"))
        .find(|d| d.join("oci-archive.tar").is_file());
    if found.is_none() {
        eprintln!("skipping: debian-multilayer not built (scripts/test.sh builds it)");
    }
    found
}

impl Env {
    /// `db import` of the named feed directories under `vulndata`; panics
    /// if the import fails.
    pub fn import_feeds(&self, vulndata: &Path, feeds: &[&str]) {
        let paths: Vec<String> = feeds
            .iter()
            .map(|f| vulndata.join(f).display().to_string())
            .collect();
        let mut args = vec!["db", "import"];
        args.extend(paths.iter().map(String::as_str));
        let out = self.run(&args);
        assert!(
            out.status.success(),
            "import: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Write `bytes` at `rel` under `root`, making the directories.
pub fn write_file(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, bytes).expect("write");
}

/// A fixture's bytes, gunzipped when it is stored as `.gz`.
pub fn read_fixture(path: &Path) -> Vec<u8> {
    use std::io::Read;
    let raw = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if path.extension().is_none_or(|e| e != "gz") {
        return raw;
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(raw.as_slice())
        .read_to_end(&mut out)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    out
}

/// Every JSON report must validate against the published schema.
pub fn validate(report: &serde_json::Value) {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../../report/schema/report-v1.schema.json"))
            .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "report does not match its schema: {errors:?}"
    );
}

/// `(package name, installed version, finding id, fixed versions)` of every finding, sorted.
pub fn findings(report: &serde_json::Value) -> Vec<(String, String, String, Vec<String>)> {
    let mut v: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["package"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                f["package"]["version"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                f["id"].as_str().unwrap_or_default().to_string(),
                f["fixed_versions"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        })
        .collect();
    v.sort();
    v
}

pub fn package_names(report: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = report["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            format!(
                "{}@{}",
                p["name"].as_str().unwrap_or(""),
                p["version"].as_str().unwrap_or("")
            )
        })
        .collect();
    v.sort();
    v
}

pub const ALPINE_OS_RELEASE: &str =
    "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.18.9\nPRETTY_NAME=\"Alpine Linux v3.18\"\n";

pub fn apk_db(pkgs: &[(&str, &str, &str)]) -> String {
    pkgs.iter()
        .map(|(name, version, origin)| {
            format!("C:Q1abc=\nP:{name}\nV:{version}\nA:x86_64\nS:1\nI:1\nT:test\nL:MIT\no:{origin}\nF:usr/lib\nR:lib{name}.so\n\n")
        })
        .collect()
}

/// An Alpine secdb file for v3.18 with the given (origin, fixed, CVE) facts.
pub fn secdb(entries: &[(&str, &str, &str)]) -> String {
    let pkgs: Vec<serde_json::Value> = entries
        .iter()
        .map(|(name, fixed, cve)| {
            serde_json::json!({"pkg": {"name": name, "secfixes": {*fixed: [cve]}}})
        })
        .collect();
    serde_json::json!({
        "apkurl": "{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk",
        "archs": ["x86_64"], "reponame": "main", "urlprefix": "https://dl-cdn.alpinelinux.org/alpine",
        "distroversion": "v3.18", "packages": pkgs
    })
    .to_string()
}

/// One OSV record as JSON.
pub fn osv(id: &str, ecosystem: &str, package: &str, introduced: &str, fixed: &str) -> String {
    serde_json::json!({
        "schema_version": "1.6.0", "id": id, "modified": "2024-01-01T00:00:00Z",
        "affected": [{
            "package": {"ecosystem": ecosystem, "name": package},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": introduced}, {"fixed": fixed}]}]
        }]
    })
    .to_string()
}
