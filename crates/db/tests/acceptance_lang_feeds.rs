//! Acceptance: import the native language feeds of `../shared/vulndata`
//! (RustSec, FriendsOfPHP, nodejs security-wg) whole — every file must
//! convert, since a malformed file fails the import — and check records a
//! human can verify in them. Skipped when `../shared` is not there.

mod support;

use std::time::Instant;
use support::shared;
use tidewatch_db::{AffectedRecord, Db, import};
use tidewatch_types::{RangeEvent, Severity};
use tidewatch_version::{Scheme, is_affected};

fn events(rec: &AffectedRecord) -> Vec<Vec<RangeEvent>> {
    rec.ranges.iter().map(|r| r.events.clone()).collect()
}

fn range(lo: &str, fixed: &str) -> Vec<RangeEvent> {
    vec![
        RangeEvent::Introduced(lo.to_string()),
        RangeEvent::Fixed(fixed.to_string()),
    ]
}

#[test]
fn language_feeds_import_whole() {
    let Some(shared) = shared() else { return };
    let vd = shared.join("vulndata");
    let tmp = tempfile::tempdir().expect("tempdir");
    let db_path = tmp.path().join("vuln.db");
    let start = Instant::now();
    let report = import(
        &db_path,
        &[
            vd.join("rustsec-advisory-db/crates"),
            vd.join("friendsofphp-security-advisories"),
            vd.join("nodejs-security-wg/vuln/npm"),
        ],
    )
    .expect("import");
    println!(
        "imported {} files in {:?}",
        report.files_read,
        start.elapsed()
    );
    for s in &report.sources {
        println!(
            "  {:<32} {:>6} advisories {:>7} affected",
            s.name, s.advisories, s.affected
        );
    }
    let count = |name: &str| {
        report
            .sources
            .iter()
            .find(|s| s.name == name)
            .map_or(0, |s| s.advisories)
    };
    assert!(count("rustsec:crates.io") > 1000, "RustSec advisories");
    assert!(
        count("friendsofphp:Packagist") > 1000,
        "FriendsOfPHP advisories"
    );
    assert!(
        count("nodejs-security-wg:npm") > 400,
        "security-wg advisories"
    );
    // Whatever is skipped (READMEs, licences, composer.json, CI files) must
    // not look like an advisory of these feeds.
    for w in &report.warnings {
        println!("  skipped {}", w.path);
        let name = w.path.rsplit('/').next().unwrap_or_default();
        let advisory_like = name.starts_with("RUSTSEC-")
            || (w.path.contains("/vuln/npm/")
                && name
                    .strip_suffix(".json")
                    .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit())))
            || (w.path.contains("friendsofphp")
                && name.ends_with(".yaml")
                && !w.path.contains("/.github/"));
        assert!(!advisory_like, "advisory file skipped: {w:?}");
    }

    let db = Db::open(&db_path).expect("open");

    // security-wg 516: lodash `>=4.17.15 <4.17.19`.
    let lodash = db.affected("npm", "lodash").expect("query");
    let rec = lodash
        .iter()
        .find(|r| r.advisory.id == "NSWG-ECO-516")
        .expect("NSWG-ECO-516");
    assert_eq!(events(rec), [range("4.17.15", "4.17.19")]);
    assert_eq!(rec.advisory.source, "nodejs-security-wg");
    let verdict = |scheme: Scheme, rec: &AffectedRecord, v: &str| {
        is_affected(scheme, v, &rec.ranges, &rec.versions)
            .expect("evaluate")
            .affected
    };
    assert!(verdict(Scheme::Npm, rec, "4.17.15"));
    assert!(!verdict(Scheme::Npm, rec, "4.17.19"));
    assert!(!verdict(Scheme::Npm, rec, "4.17.14"));

    // RUSTSEC-2020-0105: abi_stable, patched `>= 0.9.1`.
    let abi = db.affected("crates.io", "abi_stable").expect("query");
    let rec = abi
        .iter()
        .find(|r| r.advisory.id == "RUSTSEC-2020-0105")
        .expect("RUSTSEC-2020-0105");
    assert_eq!(events(rec), [range("0", "0.9.1")]);
    assert!(rec.advisory.aliases.iter().any(|a| a == "CVE-2020-36212"));
    assert!(verdict(Scheme::Semver, rec, "0.9.0"));
    assert!(!verdict(Scheme::Semver, rec, "0.9.1"));

    // An informational (unmaintained) advisory is kept, flagged.
    let any_unmaintained = std::fs::read_dir(vd.join("rustsec-advisory-db/crates"))
        .expect("read crates")
        .flatten()
        .flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten().flatten())
        .find_map(|f| {
            let text = std::fs::read_to_string(f.path()).ok()?;
            text.contains("informational = \"unmaintained\"").then(|| {
                let pkg = text.lines().find_map(|l| l.strip_prefix("package = "))?;
                let id = text.lines().find_map(|l| l.strip_prefix("id = "))?;
                Some((
                    pkg.trim_matches('"').to_string(),
                    id.trim_matches('"').to_string(),
                ))
            })?
        })
        .expect("an unmaintained advisory in the feed");
    let recs = db
        .affected("crates.io", &any_unmaintained.0)
        .expect("query");
    let rec = recs
        .iter()
        .find(|r| r.advisory.id == any_unmaintained.1)
        .expect("the unmaintained advisory");
    assert_eq!(rec.advisory.severity, Some(Severity::Negligible));
    assert_eq!(
        rec.advisory.severity_source.as_deref(),
        Some("rustsec:informational:unmaintained")
    );

    // CVE-2019-10910 for symfony/proxy-manager-bridge: the branches from
    // 3.0.x to 3.4.x meet and merge.
    let pmb = db
        .affected("Packagist", "symfony/proxy-manager-bridge")
        .expect("query");
    let rec = pmb
        .iter()
        .find(|r| r.advisory.id == "CVE-2019-10910")
        .expect("CVE-2019-10910");
    assert_eq!(
        events(rec),
        [
            range("2.7.0", "2.7.51"),
            range("2.8.0", "2.8.50"),
            range("3.0.0", "3.4.26"),
            range("4.0.0", "4.1.12"),
            range("4.2.0", "4.2.7"),
        ]
    );
    assert!(verdict(Scheme::Composer, rec, "v3.3.9"));
    assert!(!verdict(Scheme::Composer, rec, "v3.4.26"));
    assert!(!verdict(Scheme::Composer, rec, "4.1.12"));
}
