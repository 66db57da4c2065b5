//! npm cataloger on a trimmed real node_modules tree plus synthetic
//! bundled, npm-internal and malformed packages.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod lang_text_support;

use lang_text_support::*;
use tidewatch_catalog::lang::npm::NpmCataloger;

const TREE: [&str; 11] = [
    "@babel/parser@7.23.6",
    "body-parser@1.18.3",
    "bundler@2.0.0",
    "debug@2.6.9",
    "debug@2.6.9",
    "express@4.16.4",
    "inner@1.0.0",
    "ms@2.0.0",
    "ms@2.0.0",
    "ms@2.1.1",
    "tv4@1.3.0",
];

#[test]
fn node_modules_tree() {
    let out = run_dir(&NpmCataloger::new(), "npm");
    let mut want: Vec<&str> = TREE.to_vec();
    want.push("npm@10.2.4");
    want.sort();
    assert_eq!(ids(&out.packages), want);

    let babel = find(&out.packages, "@babel/parser");
    assert_eq!(babel.purl, "pkg:npm/%40babel/parser@7.23.6");
    assert_eq!(babel.ecosystem.as_deref(), Some("npm"));
    assert_eq!(babel.licenses, ["MIT"]);
    assert_eq!(
        babel.locations[0].path,
        "app/node_modules/@babel/parser/package.json"
    );
    assert_eq!(
        find(&out.packages, "tv4").licenses,
        ["Public Domain", "MIT"]
    );

    let inner = find(&out.packages, "inner");
    assert_eq!(
        inner.metadata.get("bundled").map(String::as_str),
        Some("true")
    );
    assert_eq!(inner.licenses, ["ISC"]);
    assert!(
        !find(&out.packages, "bundler")
            .metadata
            .contains_key("bundled")
    );
    // The app itself (app/package.json) and express/lib/package.json are not packages.
    assert!(out.packages.iter().all(|p| p.name != "my-app"));

    let mut warned: Vec<&str> = out.warnings.iter().map(|w| w.path.as_str()).collect();
    warned.sort();
    assert_eq!(
        warned,
        [
            "app/node_modules/bad-name/package.json",
            "app/node_modules/truncated/package.json"
        ]
    );
}

#[test]
fn npm_internals_on_request() {
    let out = run_dir(&NpmCataloger::with_npm_internals(true), "npm");
    let semver = find(&out.packages, "semver");
    assert_eq!(semver.version, "7.5.4");
    assert_eq!(
        semver.metadata.get("bundled").map(String::as_str),
        Some("true")
    );
    assert_eq!(out.packages.len(), TREE.len() + 2);
}
