//! Acceptance: import the real feeds in `../shared/vulndata` (skipped when
//! that directory is not there) and check facts a human can verify in them.

mod support;

use std::path::PathBuf;
use std::time::Instant;
use support::shared;
use tidewatch_db::{Db, import};
use tidewatch_types::{FixState, RangeEvent};

fn fixed(rec: &tidewatch_db::AffectedRecord) -> Vec<String> {
    rec.ranges
        .iter()
        .flat_map(|r| r.events.iter())
        .filter_map(|e| match e {
            RangeEvent::Fixed(v) => Some(v.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn alpine_and_debian_oval() {
    let Some(shared) = shared() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let db_path = tmp.path().join("vuln.db");
    let vd = shared.join("vulndata/pschou-oval");
    let start = Instant::now();
    let report = import(&db_path, &[vd.join("alpine"), vd.join("history")]).expect("import");
    println!("alpine + history imported in {:?}", start.elapsed());
    for s in &report.sources {
        println!(
            "  {:<32} {:>6} advisories {:>7} affected",
            s.name, s.advisories, s.affected
        );
    }
    let db = Db::open(&db_path).expect("open");

    let zlib = db.affected("Alpine:v3.12", "zlib").expect("query");
    let rec = zlib
        .iter()
        .find(|r| r.advisory.id == "CVE-2022-37434")
        .expect("CVE-2022-37434 for zlib in v3.12");
    assert_eq!(fixed(rec), ["1.2.12-r2"]);
    assert_eq!(rec.advisory.source, "alpine-secdb");
    assert!(!rec.binary_package);

    // openssl is matched through the origin name, never libssl1.1.
    assert!(
        !db.affected("Alpine:v3.12", "openssl")
            .expect("query")
            .is_empty()
    );
    assert!(
        db.affected("Alpine:v3.12", "libssl1.1")
            .expect("query")
            .is_empty()
    );
    assert!(db.affected("Alpine", "zlib").expect("query").is_empty());

    // Debian OVAL: source packages in Debian:<major>, "earlier than 0".
    let zlib = db.affected("Debian:12", "zlib").expect("query");
    assert_eq!(
        fixed(
            zlib.iter()
                .find(|r| r.advisory.id == "CVE-2022-37434")
                .expect("zlib CVE")
        ),
        ["1:1.2.11.dfsg-4.1"]
    );
    let tar = db.affected("Debian:12", "tar").expect("query");
    let rec = tar
        .iter()
        .find(|r| r.advisory.id == "CVE-2005-2541")
        .expect("tar CVE");
    assert_eq!(rec.fix_state, Some(FixState::NotAffected));
    assert!(
        !db.affected("Debian:11", "openssl")
            .expect("query")
            .is_empty()
    );
}

/// Everything in `vulndata` except `fixtures/` (which holds other tools'
/// deliberately broken test inputs), plus the fixture samples of feeds that
/// have no full copy here (Debian tracker JSON, EPSS).
#[test]
fn all_of_vulndata() {
    let Some(shared) = shared() else { return };
    let vd = shared.join("vulndata");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&vd)
        .expect("read vulndata")
        .flatten()
        .map(|e| e.path())
        .filter(|p| !p.ends_with("fixtures"))
        .collect();
    inputs.sort();
    inputs.push(
        vd.join("fixtures/vunnel/tests/unit/providers/debian/test-fixtures/input/debian.json"),
    );
    inputs.push(vd.join("fixtures/vunnel/tests/unit/providers/epss/test-fixtures/example-1.csv"));
    let tmp = tempfile::tempdir().expect("tempdir");
    let db_path = tmp.path().join("all.db");
    let start = Instant::now();
    let report = import(&db_path, &inputs).expect("import all of vulndata");
    println!(
        "all of vulndata: {} files, {} sources, {} skipped, {:?}",
        report.files_read,
        report.sources.len(),
        report.warnings.len(),
        start.elapsed()
    );
    let db = Db::open(&db_path).expect("open");
    let names: Vec<String> = db
        .status()
        .expect("status")
        .sources
        .into_iter()
        .map(|s| s.name)
        .collect();
    for want in [
        "alpine-secdb:v3.12",
        "debian-oval:bookworm",
        "debian-tracker:buster",
        "ubuntu-oval:jammy",
        "redhat-oval:9",
        "rocky-oval:9",
        "osv:AlmaLinux:9",
        "osv:PyPI",
        "osv:Go",
        "cisa-kev",
        "epss",
        "nvd",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
    }
    // AlmaLinux puts CVEs in `related`; they must be aliases.
    let pcs = db.affected("AlmaLinux:9", "pcs").expect("query");
    let alsa = pcs
        .iter()
        .find(|r| r.advisory.id == "ALSA-2022:4587")
        .expect("ALSA-2022:4587");
    assert!(
        alsa.advisory
            .aliases
            .contains(&"CVE-2022-29970".to_string())
    );
    // NVD makes the alpine-3.12 zlib finding critical; KEV marks Log4Shell.
    let info = db
        .cve_enrichment(&["CVE-2022-37434".to_string(), "CVE-2021-44228".to_string()])
        .expect("enrichment");
    let zlib = info
        .iter()
        .find(|i| i.cve == "CVE-2022-37434")
        .expect("zlib in NVD subset");
    assert_eq!(zlib.severity, Some(tidewatch_types::Severity::Critical));
    assert!(info.iter().any(|i| i.cve == "CVE-2021-44228" && i.kev));
}

/// Imports one input at a time into a scratch DB and prints the outcome:
/// a survey, not an assertion (run with `--ignored --nocapture`).
#[test]
#[ignore]
fn survey_vulndata() {
    let Some(shared) = shared() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = std::env::var_os("SURVEY_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| shared.join("vulndata"));
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        let start = Instant::now();
        match import(&tmp.path().join("s.db"), std::slice::from_ref(&p)) {
            Ok(r) => println!(
                "{:<50} ok {:>5} sources {:>6} warnings {:?}",
                p.display(),
                r.sources.len(),
                r.warnings.len(),
                start.elapsed()
            ),
            Err(e) => println!("{:<50} ERR {e}", p.display()),
        }
    }
}
