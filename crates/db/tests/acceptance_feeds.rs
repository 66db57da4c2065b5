//! Acceptance: import the real feeds in `../shared/vulndata` (skipped when
//! that directory is not there) and check facts a human can verify in them.

use std::path::PathBuf;
use std::time::Instant;
use tidewatch_db::{Db, import};
use tidewatch_types::RangeEvent;

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("TIDEWATCH_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    if dir.join("vulndata").is_dir() {
        Some(dir)
    } else {
        println!("skipping: ../shared not found");
        None
    }
}

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
}
