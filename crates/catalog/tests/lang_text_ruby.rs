//! Gemspec cataloger on trimmed real installed specifications.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod lang_text_support;

use lang_text_support::*;
use tidewatch_catalog::lang::ruby::GemspecCataloger;

#[test]
fn installed_specifications() {
    let out = run_dir(&GemspecCataloger, "ruby");
    assert_eq!(
        ids(&out.packages),
        [
            "async@1.25.0",
            "gv@0.4.1",
            "rake@13.0.3",
            "rss@0.2.9",
            "test-unit@3.3.7",
            "unbundler@3.1.4"
        ]
    );
    let rake = find(&out.packages, "rake");
    assert_eq!(rake.purl, "pkg:gem/rake@13.0.3");
    assert_eq!(rake.ecosystem.as_deref(), Some("RubyGems"));
    assert_eq!(rake.licenses, ["MIT"]);
    assert_eq!(
        find(&out.packages, "test-unit").licenses,
        ["Ruby", "BSDL", "PSFL"]
    );
    assert_eq!(find(&out.packages, "async").licenses, ["MIT"]);
    let unbundler = find(&out.packages, "unbundler");
    assert_eq!(
        unbundler.metadata.get("default-gem").map(String::as_str),
        Some("true")
    );
    let mut warned: Vec<&str> = out
        .warnings
        .iter()
        .map(|w| w.path.rsplit('/').next().unwrap())
        .collect();
    warned.sort();
    assert_eq!(warned, ["empty_name.gemspec", "malformed00.gemspec"]);
}
