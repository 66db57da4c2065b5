//! Python cataloger on trimmed real METADATA / PKG-INFO files and eggs
//! built by the test.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod lang_text_support;

use lang_text_support::*;
use std::io::Write;
use tidewatch_catalog::lang::python::PythonCataloger;

#[test]
fn site_packages_tree() {
    let out = run_dir(&PythonCataloger, "python");
    assert_eq!(
        ids(&out.packages),
        [
            "Flask@2.0.0",
            "PyJWT@2.6.0",
            "Python@2.7.13",
            "distlib@0.3.1",
            "pyphen@0.14.0"
        ]
    );
    let flask = find(&out.packages, "Flask");
    assert_eq!(flask.purl, "pkg:pypi/flask@2.0.0");
    assert_eq!(flask.ecosystem.as_deref(), Some("PyPI"));
    assert_eq!(flask.format, "pypi");
    assert_eq!(flask.licenses, ["BSD-3-Clause"]);
    assert_eq!(
        flask.locations[0].path,
        "usr/local/lib/python3.11/site-packages/Flask-2.0.0.dist-info/METADATA"
    );
    assert_eq!(flask.locations[0].layer, Some(0));
    assert_eq!(find(&out.packages, "PyJWT").purl, "pkg:pypi/pyjwt@2.6.0");
    assert_eq!(find(&out.packages, "pyphen").licenses.len(), 3);
    // Classifiers after a Description with blank lines still count.
    assert_eq!(find(&out.packages, "Python").licenses, ["PSF license"]);
    // The egg-info without a Version is a warning naming the file.
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert!(out.warnings[0].path.ends_with("no-version-py3.8.egg-info"));
    assert!(out.warnings[0].message.contains("Version"));
}

fn egg(pkg_info: &str) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    w.start_file("EGG-INFO/PKG-INFO", opts).unwrap();
    w.write_all(pkg_info.as_bytes()).unwrap();
    w.start_file("foo/__init__.py", opts).unwrap();
    w.finish().unwrap().into_inner()
}

#[test]
fn zipped_and_directory_eggs() {
    let sp = "usr/lib/python3/site-packages";
    let out = run(
        &PythonCataloger,
        vec![
            (
                format!("{sp}/zope.interface-5.4.0-py3.9.egg"),
                egg("Name: zope.interface\nVersion: 5.4.0\n"),
            ),
            (
                format!("{sp}/six-1.16.0-py3.9.egg/EGG-INFO/PKG-INFO"),
                b"Name: six\nVersion: 1.16.0\n".to_vec(),
            ),
            (
                format!("{sp}/broken-1.0.egg"),
                b"PK\x03\x04 not really a zip".to_vec(),
            ),
            (format!("{sp}/empty-1.0.egg"), egg("")),
        ],
    );
    assert_eq!(ids(&out.packages), ["six@1.16.0", "zope.interface@5.4.0"]);
    assert_eq!(
        find(&out.packages, "zope.interface").purl,
        "pkg:pypi/zope-interface@5.4.0"
    );
    let mut warned: Vec<_> = out
        .warnings
        .iter()
        .map(|w| w.path.rsplit('/').next().unwrap().to_string())
        .collect();
    warned.sort();
    assert_eq!(warned, ["broken-1.0.egg", "empty-1.0.egg"]);
}

#[test]
fn binary_garbage_is_a_warning() {
    let out = run(
        &PythonCataloger,
        vec![
            (
                "a/x-1.dist-info/METADATA".into(),
                vec![0xff, 0xfe, 0x00, 0x13, 0x37],
            ),
            (
                "a/ok-1.dist-info/METADATA".into(),
                b"Name: ok\nVersion: 1\n".to_vec(),
            ),
        ],
    );
    assert_eq!(ids(&out.packages), ["ok@1"]);
    assert_eq!(out.warnings.len(), 1);
}
