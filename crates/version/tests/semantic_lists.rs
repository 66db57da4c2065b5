//! The dpkg, apk, rpm and SemVer orderings against trimmed copies of
//! osv-scalibr's ordered version lists (`tests/data/`, refreshed from
//! `../shared` by hand; `acceptance_semantic.rs` checks the full lists).
//! Every line must agree in both directions, and no version may be refused.

#[path = "support/lists.rs"]
mod lists;

use tidewatch_version::Scheme;

fn check(file: &str, text: &str, scheme: Scheme, at_least: usize) {
    let out = lists::check(file, text, scheme);
    assert!(out.wrong.is_empty(), "{file}: {:?}", out.wrong);
    assert!(out.refused_lines().is_empty(), "{file}: {:?}", out.refused);
    assert!(out.agreed >= at_least, "{file}: only {} lines", out.agreed);
}

#[test]
fn debian() {
    let text = include_str!("data/debian-versions.txt");
    check("debian-versions.txt", text, Scheme::Dpkg, 300);
}

#[test]
fn alpine() {
    let text = include_str!("data/alpine-versions.txt");
    check("alpine-versions.txt", text, Scheme::Apk, 1000);
}

#[test]
fn redhat() {
    let text = include_str!("data/redhat-versions.txt");
    check("redhat-versions.txt", text, Scheme::Rpm, 160);
}

#[test]
fn semver() {
    let text = include_str!("data/semver-versions.txt");
    check("semver-versions.txt", text, Scheme::Semver, 80);
}
