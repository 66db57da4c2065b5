//! Acceptance: the versions real feeds in `../shared/vulndata` use are
//! ones our orderings accept, and OSV range evaluation behaves on real
//! records. A feed version we refused would turn every match against it
//! into a warning, so refusals are counted and must stay explained.

use serde_json::Value;
use std::path::{Path, PathBuf};
use tidewatch_types::{AffectedRange, RangeEvent, RangeKind};
use tidewatch_version::{Scheme, is_affected};

fn vulndata() -> Option<PathBuf> {
    let shared = std::env::var_os("TIDEWATCH_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let dir = shared.join("vulndata");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipping: ../shared not found");
        None
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == ext) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// OSV `ranges` as our types; `None` for a shape we do not know.
fn ranges(affected: &Value) -> Vec<AffectedRange> {
    let mut out = Vec::new();
    for r in affected["ranges"].as_array().into_iter().flatten() {
        let kind = match r["type"].as_str() {
            Some("ECOSYSTEM") => RangeKind::Ecosystem,
            Some("SEMVER") => RangeKind::Semver,
            Some("GIT") => RangeKind::Git,
            other => panic!("unknown range type {other:?}"),
        };
        let mut events = Vec::new();
        for e in r["events"].as_array().into_iter().flatten() {
            let Some((k, v)) = e.as_object().and_then(|o| o.iter().next()) else {
                panic!("bad event {e}");
            };
            let v = v.as_str().unwrap_or_default().to_string();
            events.push(match k.as_str() {
                "introduced" => RangeEvent::Introduced(v),
                "fixed" => RangeEvent::Fixed(v),
                "last_affected" => RangeEvent::LastAffected(v),
                "limit" => RangeEvent::Limit(v),
                other => panic!("unknown event {other}"),
            });
        }
        out.push(AffectedRange { kind, events });
    }
    out
}

#[test]
fn alpine_secdb_fixed_versions_are_valid_apk_versions() {
    let Some(dir) = vulndata() else { return };
    let (mut total, mut refused) = (0, Vec::new());
    for path in files(&dir.join("pschou-oval/alpine"), "json") {
        let doc = read_json(&path);
        for pkg in doc["packages"].as_array().into_iter().flatten() {
            let fixes = pkg["pkg"]["secfixes"].as_object();
            for version in fixes.into_iter().flat_map(|m| m.keys()) {
                total += 1;
                if let Err(e) = Scheme::Apk.compare(version, "0") {
                    println!("  {}: {e}", path.display());
                    refused.push(version.clone());
                }
            }
        }
    }
    println!(
        "alpine secdb: {total} fixed versions, {} refused",
        refused.len()
    );
    assert!(total > 10_000, "only {total} versions");
    // Typos in the secdb (APKBUILD `secfixes` comments): a dot before
    // `-r`, a hyphen that is not `-r`, a `.r` revision. apk-tools cannot
    // validate them either; the matcher reports them as warnings.
    refused.sort();
    refused.dedup();
    assert_eq!(
        refused,
        [
            "0.12.5.-r0",
            "0.8.21.r2",
            "1.0.4.-r0",
            "1.11-20-r0",
            "1.18.-r2",
            "1.7.5.-r1",
            "10.0.11-0",
            "10.2.22.r0",
            "10.2.24.r0",
            "2.15.r-r1",
            "2021-03-27-r5",
            "4.10-1-r1",
            "4.8.0.-r1",
            "57-1-r2",
        ]
    );
}

#[test]
fn debian_tracker_fixed_versions_are_valid_dpkg_versions() {
    let Some(dir) = vulndata() else { return };
    let (mut total, mut refused) = (0, Vec::new());
    for list in ["DSA", "DLA"] {
        let path = dir
            .join("debian-security-tracker-2023/data")
            .join(list)
            .join("list");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // `\t[release] - package version [(note)]`; `<...>` are states.
        for line in text.lines().filter(|l| l.starts_with("\t[")) {
            let Some(version) = line.split_whitespace().nth(3) else {
                continue;
            };
            if version.starts_with('<') {
                continue;
            }
            total += 1;
            if let Err(e) = Scheme::Dpkg.compare(version, "0") {
                println!("  {e}");
                refused.push(version.to_string());
            }
        }
    }
    println!(
        "debian tracker: {total} fixed versions, {} refused",
        refused.len()
    );
    assert!(total > 5_000, "only {total} versions");
    // One line of the DSA list carries the package name in the version
    // column (`[woody] - kernel-image-2.4.17-ia64 kernel-image-2.4.17-ia64`).
    assert_eq!(refused, ["kernel-image-2.4.17-ia64"]);
}

#[test]
fn almalinux_osv_ranges_evaluate() {
    let Some(dir) = vulndata() else { return };
    let mut checked = 0;
    for path in files(&dir.join("almalinux-osv-database/advisories"), "json") {
        let doc = read_json(&path);
        for affected in doc["affected"].as_array().into_iter().flatten() {
            let ranges = ranges(affected);
            for range in &ranges {
                let fixed: Vec<&str> = range.fixed_versions().collect();
                for f in fixed {
                    let at_fix = is_affected(Scheme::Rpm, f, &ranges, &[])
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    assert!(
                        !at_fix.affected,
                        "{}: affected at its fix {f}",
                        path.display()
                    );
                    // Just below the fix (same EVR with `~` appended sorts
                    // before it): affected, and the fix is reported.
                    let below = format!("{f}~");
                    let a = is_affected(Scheme::Rpm, &below, &ranges, &[])
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    assert!(a.affected, "{}: {below} not affected", path.display());
                    assert_eq!(a.fixed, [f], "{}", path.display());
                    checked += 1;
                }
            }
        }
    }
    println!("almalinux: {checked} ranges evaluated at and below their fix");
    assert!(checked > 50_000, "only {checked}");
}

#[test]
fn go_vulndb_semver_ranges_evaluate() {
    let Some(dir) = vulndata() else { return };
    let (mut checked, mut refused) = (0, Vec::new());
    for path in files(&dir.join("golang-vulndb/data/osv"), "json") {
        let doc = read_json(&path);
        for affected in doc["affected"].as_array().into_iter().flatten() {
            let ranges = ranges(affected);
            for range in ranges.iter().filter(|r| r.kind == RangeKind::Semver) {
                for f in range.fixed_versions() {
                    // SEMVER ranges in a non-Go ecosystem use SemVer order;
                    // the Go vulndb's bare versions must all be SemVer 2.0.
                    match is_affected(Scheme::Semver, f, std::slice::from_ref(range), &[]) {
                        Ok(a) => assert!(!a.affected, "{}: affected at {f}", path.display()),
                        Err(e) => refused.push(format!("{}: {e}", path.display())),
                    }
                    checked += 1;
                }
            }
        }
    }
    println!(
        "go vulndb: {checked} fixed versions, {} refused",
        refused.len()
    );
    for r in &refused {
        println!("  {r}");
    }
    assert!(checked > 4_000, "only {checked}");
    assert!(refused.is_empty());
}
