//! Lockfile catalogers on trimmed real lockfiles (npm, Cargo, Composer)
//! and small hand-written ones in each format's real syntax.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod lang_text_support;

use lang_text_support::*;
use tidewatch_catalog::Output;
use tidewatch_catalog::lang::lockfile_catalogers;
use tidewatch_types::Package;

/// Every lockfile cataloger over the whole fixture tree.
fn scan() -> Output {
    let all = files_from_dir(&fixture("lockfiles"));
    let mut out = Output::default();
    for c in lockfile_catalogers() {
        let files = kept(c.as_ref(), all.clone());
        c.catalog(&files, None, &mut out);
    }
    out
}

fn at<'a>(out: &'a Output, path: &str) -> Vec<&'a Package> {
    out.packages
        .iter()
        .filter(|p| p.locations[0].path == path)
        .collect()
}

fn ids_at(out: &Output, path: &str) -> Vec<String> {
    let v: Vec<Package> = at(out, path).into_iter().cloned().collect();
    ids(&v)
}

fn get<'a>(out: &'a Output, path: &str, name: &str) -> &'a Package {
    at(out, path)
        .into_iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} not in {path}: {:?}", ids_at(out, path)))
}

fn warnings_at(out: &Output, path: &str) -> Vec<String> {
    out.warnings
        .iter()
        .filter(|w| w.path == path)
        .map(|w| w.message.clone())
        .collect()
}

#[test]
fn package_lock_v1_v2_v3_agree() {
    let out = scan();
    let v1 = ids_at(&out, "npm/v1/package-lock.json");
    let v2 = ids_at(&out, "npm/v2/package-lock.json");
    let v3 = ids_at(&out, "npm/v3/package-lock.json");
    assert!(v1.len() >= 25, "{v1:?}");
    assert_eq!(v2, v3);
    // v1 has no paths, so nested duplicates collapse the same way.
    assert_eq!(v1, v2);
    let debug = get(&out, "npm/v3/package-lock.json", "debug");
    assert_eq!(debug.ecosystem.as_deref(), Some("npm"));
    assert!(debug.purl.starts_with("pkg:npm/debug@"));
    let babel = get(
        &out,
        "npm/v2/package-lock.json",
        "@babel/helper-string-parser",
    );
    assert_eq!(
        babel.purl,
        format!("pkg:npm/%40babel/helper-string-parser@{}", babel.version)
    );
    // A lockfile inside node_modules belongs to that dependency, not the project.
    assert!(at(&out, "npm/node_modules/dep/package-lock.json").is_empty());
}

#[test]
fn package_lock_workspaces_links_and_problems() {
    let out = scan();
    // Workspace directories and links are the project's own code.
    assert_eq!(
        ids_at(&out, "npm/workspace/package-lock.json"),
        ["debug@2.5.2", "debug@2.6.9", "ms@0.7.2", "ms@2.0.0"]
    );
    assert_eq!(ids_at(&out, "npm/broken/package-lock.json"), ["ok@1.0.0"]);
    assert_eq!(
        warnings_at(&out, "npm/broken/package-lock.json"),
        ["node_modules/noversion: no version"]
    );
}

#[test]
fn yarn_classic_and_berry() {
    let out = scan();
    assert_eq!(
        ids_at(&out, "yarn/v1/yarn.lock"),
        [
            "@babel/code-frame@7.12.13",
            "lodash@4.17.15",
            "string-width@4.2.3"
        ]
    );
    assert_eq!(
        ids_at(&out, "yarn/berry/yarn.lock"),
        ["@types/node@18.11.9", "axios@0.21.1", "resolve@1.22.1"]
    );
    assert_eq!(ids_at(&out, "yarn/broken/yarn.lock"), ["lodash@4.17.21"]);
    let w = warnings_at(&out, "yarn/broken/yarn.lock");
    assert_eq!(
        w,
        [
            "line 6: no-version has no version",
            "line 9: expected an entry key ending in ':'"
        ]
    );
}

#[test]
fn pnpm_v5_v6_v9() {
    let out = scan();
    assert_eq!(
        ids_at(&out, "pnpm/v5/pnpm-lock.yaml"),
        ["@jest/core@29.3.1", "express@4.18.2"]
    );
    assert_eq!(
        get(&out, "pnpm/v5/pnpm-lock.yaml", "@jest/core")
            .metadata
            .get("dev")
            .unwrap(),
        "true"
    );
    assert!(
        !get(&out, "pnpm/v5/pnpm-lock.yaml", "express")
            .metadata
            .contains_key("dev")
    );
    assert_eq!(
        ids_at(&out, "pnpm/v6/pnpm-lock.yaml"),
        ["@babel/core@7.20.5", "express@4.18.2"]
    );
    assert_eq!(
        ids_at(&out, "pnpm/v9/pnpm-lock.yaml"),
        ["@types/react@18.2.0", "lodash@4.17.15"]
    );
    assert_eq!(warnings_at(&out, "pnpm/broken/pnpm-lock.yaml").len(), 1);
}

#[test]
fn python_locks() {
    let out = scan();
    assert_eq!(
        ids_at(&out, "python/poetry/poetry.lock"),
        ["Django@2.2.0", "pytest@7.2.0", "zope.interface@5.4.0"]
    );
    let z = get(&out, "python/poetry/poetry.lock", "zope.interface");
    assert_eq!(z.purl, "pkg:pypi/zope-interface@5.4.0");
    assert_eq!(z.ecosystem.as_deref(), Some("PyPI"));
    assert_eq!(
        get(&out, "python/poetry/poetry.lock", "pytest")
            .metadata
            .get("dev")
            .unwrap(),
        "true"
    );

    assert_eq!(
        ids_at(&out, "python/pipenv/Pipfile.lock"),
        ["jinja2@2.10", "pytest@7.2.0", "requests@2.19.1"]
    );
    assert_eq!(
        ids_at(&out, "python/pip/requirements.txt"),
        [
            "Django@2.2.0",
            "PyYAML@5.3",
            "cryptography@3.2",
            "requests@2.19.1"
        ]
    );
    assert_eq!(
        ids_at(&out, "python/pip/requirements/base.txt"),
        ["Jinja2@2.10", "urllib3@1.24.1"]
    );
    assert_eq!(warnings_at(&out, "broken-formats/poetry.lock").len(), 1);
}

#[test]
fn cargo_lock_v1_to_v4() {
    let out = scan();
    for v in ["v1-trivy-normal", "v3-trivy", "v4-trivy"] {
        let path = format!("cargo/{v}/Cargo.lock");
        let pkgs = at(&out, &path);
        assert!(pkgs.len() >= 8, "{path}: {:?}", ids_at(&out, &path));
        // Every crates.io crate is matchable; the root crate (no source) is not.
        assert!(pkgs.iter().any(|p| p.ecosystem.is_none()), "{path}");
        assert!(
            pkgs.iter()
                .filter(|p| p.ecosystem.is_some())
                .all(|p| p.ecosystem.as_deref() == Some("crates.io"))
        );
    }
    let libc = get(&out, "cargo/v1-trivy-normal/Cargo.lock", "libc");
    assert_eq!(
        (libc.version.as_str(), libc.purl.as_str()),
        ("0.2.54", "pkg:cargo/libc@0.2.54")
    );

    let mixed = "cargo/mixed-sources/Cargo.lock";
    assert_eq!(
        ids_at(&out, mixed),
        [
            "app@0.1.0",
            "local-helper@0.2.0",
            "regex@1.5.4",
            "smallvec@1.6.0",
            "time@0.1.43"
        ]
    );
    assert_eq!(
        get(&out, mixed, "regex").ecosystem.as_deref(),
        Some("crates.io")
    );
    assert_eq!(
        get(&out, mixed, "time").ecosystem.as_deref(),
        Some("crates.io")
    );
    let smallvec = get(&out, mixed, "smallvec");
    assert_eq!(smallvec.ecosystem, None);
    assert!(smallvec.metadata["source"].starts_with("git+"));
    assert_eq!(get(&out, mixed, "local-helper").metadata["source"], "path");

    let w = warnings_at(&out, "cargo/broken/Cargo.lock");
    assert_eq!(w.len(), 1);
    assert!(w[0].contains("TOML"), "{w:?}");
}

#[test]
fn go_mod_with_replacements() {
    let out = scan();
    assert_eq!(
        ids_at(&out, "go/go.mod"),
        [
            "github.com/gin-gonic/gin@v1.9.0",
            "github.com/new/lib@v1.2.0",
            "github.com/pkg/errors@v0.9.1",
            "golang.org/x/net@v0.7.0",
            "golang.org/x/text@v0.3.8",
        ]
    );
    let new = get(&out, "go/go.mod", "github.com/new/lib");
    assert_eq!(new.metadata["replaces"], "github.com/old/lib");
    assert_eq!(new.purl, "pkg:golang/github.com/new/lib@v1.2.0");
    assert_eq!(new.ecosystem.as_deref(), Some("Go"));
    assert_eq!(
        get(&out, "go/go.mod", "golang.org/x/net").metadata["indirect"],
        "true"
    );
    let w = warnings_at(&out, "broken-formats/go.mod");
    assert_eq!(w.len(), 1, "{w:?}");
}

#[test]
fn composer_gemfile_nuget() {
    let out = scan();
    let composer = at(&out, "composer/composer.lock");
    assert_eq!(composer.len(), 10);
    assert_eq!(
        composer
            .iter()
            .filter(|p| p.metadata.contains_key("dev"))
            .count(),
        2
    );
    let guzzle = get(&out, "composer/composer.lock", "guzzlehttp/guzzle");
    assert_eq!(
        (guzzle.version.as_str(), guzzle.ecosystem.as_deref()),
        ("6.5.8", Some("Packagist"))
    );

    assert_eq!(
        ids_at(&out, "ruby/Gemfile.lock"),
        [
            "actionpack@7.1.0.alpha",
            "myapp@0.1.0",
            "nokogiri@1.13.10",
            "racc@1.6.2",
            "rack@2.2.3",
            "rake@13.0.3"
        ]
    );
    let noko = get(&out, "ruby/Gemfile.lock", "nokogiri");
    assert_eq!(noko.metadata["platform"], "x86_64-linux");
    assert_eq!(noko.ecosystem.as_deref(), Some("RubyGems"));
    assert_eq!(get(&out, "ruby/Gemfile.lock", "actionpack").ecosystem, None);
    assert_eq!(
        get(&out, "ruby/Gemfile.lock", "myapp").metadata["source"],
        "path"
    );
    assert_eq!(ids_at(&out, "broken-formats/Gemfile.lock"), ["rake@13.0.3"]);
    assert_eq!(warnings_at(&out, "broken-formats/Gemfile.lock").len(), 1);

    assert_eq!(
        ids_at(&out, "nuget/packages.lock.json"),
        ["Newtonsoft.Json@13.0.1", "System.Text.Encodings.Web@4.7.1"]
    );
    assert_eq!(
        warnings_at(&out, "nuget/packages.lock.json"),
        ["net8.0.Broken: no resolved version"]
    );
    assert_eq!(
        warnings_at(&out, "broken-formats/packages.lock.json").len(),
        1
    );
}
