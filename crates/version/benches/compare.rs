//! Throughput of the OS version orderings and of OSV range evaluation: the
//! matcher runs these once per (package, advisory range) pair, so a scan of
//! a large image against a full DB calls them hundreds of thousands of
//! times.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use tidewatch_types::{AffectedRange, RangeEvent};
use tidewatch_version::{Scheme, is_affected};

/// Realistic pairs: same package, versions that differ late in the string.
const DPKG: &[(&str, &str)] = &[
    ("1:2.38.1-5+deb12u2", "1:2.38.1-5+deb12u3"),
    ("3.0.11-1~deb12u2", "3.0.15-1~deb12u1"),
    ("252.30-1~deb12u2", "252.33-1~deb12u1"),
    ("2.36-9+deb12u9", "2.36-9+deb12u10"),
];
const APK: &[(&str, &str)] = &[
    ("1.2.12-r0", "1.2.12-r2"),
    ("3.1.7-r0", "3.1.7-r1"),
    ("1.36.1-r2", "1.36.1_p20240101-r0"),
    ("8.5.0_rc1-r0", "8.5.0-r0"),
];
const RPM: &[(&str, &str)] = &[
    ("1:1.1.1k-12.el8_9", "1:1.1.1k-14.el8_6"),
    ("2.28-225.el8_8.6", "2.28-236.el8_9.13"),
    ("4.18.0-513.5.1.el8_9", "4.18.0-553.el8_10"),
    ("3.6.8-51.el8_8.2", "3.6.8-56.el8_9.3"),
];

fn bench_compare(c: &mut Criterion) {
    for (name, scheme, pairs) in [
        ("dpkg", Scheme::Dpkg, DPKG),
        ("apk", Scheme::Apk, APK),
        ("rpm", Scheme::Rpm, RPM),
    ] {
        c.bench_function(&format!("compare/{name}"), |b| {
            b.iter(|| {
                for (x, y) in pairs {
                    let _ = black_box(scheme.compare(black_box(x), black_box(y)));
                }
            })
        });
    }
}

fn bench_range(c: &mut Criterion) {
    // A Debian-style record: two introduced/fixed pairs plus a
    // last_affected range, evaluated for a version inside the second.
    let ranges = vec![
        AffectedRange::ecosystem(vec![
            RangeEvent::Introduced("0".into()),
            RangeEvent::Fixed("3.0.9-1".into()),
            RangeEvent::Introduced("3.0.11-1".into()),
            RangeEvent::Fixed("3.0.15-1~deb12u1".into()),
        ]),
        AffectedRange::ecosystem(vec![
            RangeEvent::Introduced("3.1.0-1".into()),
            RangeEvent::LastAffected("3.1.4-2".into()),
        ]),
    ];
    let versions: Vec<String> = Vec::new();
    c.bench_function("is_affected/dpkg", |b| {
        b.iter(|| {
            is_affected(
                Scheme::Dpkg,
                black_box("3.0.11-1~deb12u2"),
                black_box(&ranges),
                &versions,
            )
        })
    });
}

criterion_group!(benches, bench_compare, bench_range);
criterion_main!(benches);
