//! The language orderings on slices of osv-scalibr's ordered version lists
//! kept in `tests/lang_data` (the full lists run in
//! `lang_acceptance_semantic.rs` when `../shared` is there). Every line
//! must hold in both directions.

use std::cmp::Ordering;
use tidewatch_version::Scheme;

fn check(file: &str, compare: impl Fn(&str, &str) -> Result<Ordering, String>) {
    let path = format!("{}/tests/lang_data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut failures = Vec::new();
    let mut total = 0;
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let [a, op, b] = line.split(' ').collect::<Vec<_>>()[..] else {
            panic!("{file}: malformed line {line:?}");
        };
        let want = match op {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            ">" => Ordering::Greater,
            _ => panic!("{file}: bad operator in {line:?}"),
        };
        total += 1;
        match (compare(a, b), compare(b, a)) {
            (Ok(x), Ok(y)) if x == want && y == want.reverse() => {}
            other => failures.push(format!("{line}: {other:?}")),
        }
    }
    assert!(total > 30, "{file}: only {total} lines");
    assert!(failures.is_empty(), "{file}:\n{}", failures.join("\n"));
}

fn scheme(s: Scheme) -> impl Fn(&str, &str) -> Result<Ordering, String> {
    move |a, b| s.compare(a, b).map_err(|e| e.to_string())
}

#[test]
fn pypi() {
    check("pypi.txt", scheme(Scheme::Pep440));
}

#[test]
fn maven() {
    check("maven.txt", scheme(Scheme::Maven));
}

#[test]
fn rubygems() {
    check("rubygems.txt", scheme(Scheme::RubyGems));
}

#[test]
fn nuget() {
    check("nuget.txt", scheme(Scheme::NuGet));
}

#[test]
fn packagist_php_version_compare() {
    check("packagist-php.txt", |a, b| {
        let strip = |v: &str| v.strip_prefix(['v', 'V']).unwrap_or(v).to_string();
        Ok(tidewatch_version::composer::php_version_compare(
            &strip(a),
            &strip(b),
        ))
    });
}

#[test]
fn semver_as_npm_and_go() {
    check("semver.txt", scheme(Scheme::Npm));
    check("semver.txt", scheme(Scheme::Go));
}
