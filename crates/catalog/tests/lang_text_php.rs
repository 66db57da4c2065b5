//! Composer installed.json cataloger, Composer 1 and 2 formats.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod lang_text_support;

use lang_text_support::*;
use tidewatch_catalog::lang::php::ComposerInstalledCataloger;

#[test]
fn composer_1_and_2() {
    let out = run_dir(&ComposerInstalledCataloger, "php");
    assert_eq!(
        ids(&out.packages),
        [
            "a/b@1.0.0",
            "asm89/stack-cors@1.3.0",
            "asm89/stack-cors@1.3.0",
            "behat/mink@v1.8.1",
            "behat/mink@v1.8.1"
        ]
    );
    let c2: Vec<_> = out
        .packages
        .iter()
        .filter(|p| p.locations[0].path.starts_with("composer2/"))
        .collect();
    assert_eq!(c2.len(), 2);
    let mink = c2.iter().find(|p| p.name == "behat/mink").unwrap();
    assert_eq!(mink.purl, "pkg:composer/behat/mink@v1.8.1");
    assert_eq!(mink.ecosystem.as_deref(), Some("Packagist"));
    assert_eq!(mink.licenses, ["MIT"]);
    assert_eq!(mink.metadata.get("dev").map(String::as_str), Some("true"));
    assert!(
        c2.iter()
            .find(|p| p.name == "asm89/stack-cors")
            .unwrap()
            .metadata
            .is_empty()
    );

    // broken/: one entry without a version and one that is not an object;
    // truncated/: not JSON at all. The rest is still found.
    let mut warned: Vec<String> = out
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.path, w.message))
        .collect();
    warned.sort();
    assert_eq!(warned.len(), 3, "{warned:?}");
    assert!(warned[0].starts_with("broken/vendor/composer/installed.json: package #1: no version"));
    assert!(warned[1].starts_with("broken/vendor/composer/installed.json: package #2"));
    assert!(warned[2].starts_with("truncated/vendor/composer/installed.json: malformed"));
}
