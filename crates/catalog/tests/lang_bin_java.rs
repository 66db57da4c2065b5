//! The Java archive cataloger on jars, wars and ears written by the test
//! with the `zip` crate: pom.properties, manifest-only and file-name-only
//! archives, nesting, limits and malformed archives.
#![allow(clippy::unwrap_used)]

mod lang_bin_support;

use lang_bin_support::*;
use std::collections::BTreeSet;
use tidewatch_catalog::Cataloger;
use tidewatch_catalog::lang::java::JavaArchiveCataloger;
use tidewatch_image::{Files, Want};
use tidewatch_types::Package;

fn find<'a>(out: &'a tidewatch_catalog::Output, name: &str) -> Vec<&'a Package> {
    out.packages.iter().filter(|p| p.name == name).collect()
}

const LOG4J_MANIFEST: &[u8] = b"Manifest-Version: 1.0\r\nBundle-Name: Apache Log4j\r\n\
Bundle-SymbolicName: org.apache.log4j\r\nBundle-Version: 1.2.17\r\n\r\n";

#[test]
fn wants_archives_by_name() {
    let c = JavaArchiveCataloger;
    for p in [
        "app/x.jar",
        "srv/a.WAR",
        "x.ear",
        "p.par",
        "plugins/git.jpi",
        "plugins/git.hpi",
    ] {
        assert_eq!(c.wants(p, 10, 0o644), Want::Keep, "{p}");
    }
    assert_eq!(c.wants("usr/share/doc/jar.txt", 10, 0o644), Want::Skip);
}

#[test]
fn pom_properties_identify_the_archive() {
    let jar = zip(&[
        (
            "META-INF/MANIFEST.MF",
            b"Manifest-Version: 1.0\nImplementation-Version: 9.9.9\n",
        ),
        (
            "META-INF/maven/com.fasterxml.jackson.core/jackson-databind/pom.properties",
            &pom("com.fasterxml.jackson.core", "jackson-databind", "2.14.0"),
        ),
    ]);
    for entry in [mem(jar.clone(), 0o644), spilled(&jar, 0o644)] {
        let layer = entry.layer;
        let mut files = Files::new();
        files.insert("usr/share/java/jackson-databind.jar".into(), entry);
        let out = run(&JavaArchiveCataloger, &files);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        assert_eq!(
            out.packages.len(),
            1,
            "manifest must not add a second package"
        );
        let p = &out.packages[0];
        assert_eq!(p.name, "com.fasterxml.jackson.core:jackson-databind");
        assert_eq!(p.version, "2.14.0");
        assert_eq!(p.ecosystem.as_deref(), Some("Maven"));
        assert_eq!(p.format, "maven");
        assert_eq!(
            p.purl,
            "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.14.0"
        );
        assert_eq!(p.metadata["identified-by"], "pom.properties");
        assert_eq!(p.locations[0].path, "usr/share/java/jackson-databind.jar");
        assert_eq!(p.locations[0].layer, layer);
        assert!(!p.metadata.contains_key("archive-path"));
    }
}

#[test]
fn shaded_jar_lists_each_pom_and_identifies_itself_from_the_manifest() {
    let jar = zip(&[
        (
            "META-INF/MANIFEST.MF",
            b"Implementation-Title: shaded-app\nImplementation-Version: 3.1.0\nImplementation-Vendor-Id: org.example\n",
        ),
        ("META-INF/maven/org.multiple/multiple-matching-1/pom.properties", &pom("org.multiple", "multiple-matching-1", "2.11.5")),
        ("META-INF/maven/org.multiple/multiple-matching-2/pom.properties", &pom("org.multiple", "multiple-matching-2", "2.11.5")),
    ]);
    let mut files = Files::new();
    files.insert("opt/app.jar".into(), mem(jar, 0o644));
    let out = run(&JavaArchiveCataloger, &files);
    let names: BTreeSet<(&str, &str, &str)> = out
        .packages
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.metadata["identified-by"].as_str(),
            )
        })
        .collect();
    let expected: BTreeSet<(&str, &str, &str)> = [
        (
            "org.multiple:multiple-matching-1",
            "2.11.5",
            "pom.properties",
        ),
        (
            "org.multiple:multiple-matching-2",
            "2.11.5",
            "pom.properties",
        ),
        ("org.example:shaded-app", "3.1.0", "manifest"),
    ]
    .into_iter()
    .collect();
    assert_eq!(names, expected);
}

#[test]
fn name_from_the_file_name_says_so() {
    let mut files = Files::new();
    files.insert(
        "app/lib/log4j-1.2.17.jar".into(),
        mem(zip(&[("META-INF/MANIFEST.MF", LOG4J_MANIFEST)]), 0o644),
    );
    // No manifest version either: the version comes from the name too.
    files.insert(
        "app/lib/commons-io-2.11.0.jar".into(),
        mem(zip(&[("org/x/A.class", b"\xca\xfe")]), 0o644),
    );
    // Nothing to go on at all: not reported.
    files.insert(
        "app/lib/app.jar".into(),
        mem(zip(&[("org/x/A.class", b"\xca\xfe")]), 0o644),
    );
    let out = run(&JavaArchiveCataloger, &files);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(out.packages.len(), 2, "{:?}", out.packages);
    let log4j = find(&out, "log4j:log4j")[0];
    assert_eq!(log4j.version, "1.2.17");
    assert_eq!(log4j.metadata["identified-by"], "filename");
    assert_eq!(log4j.metadata["group-guessed"], "true");
    assert_eq!(log4j.purl, "pkg:maven/log4j/log4j@1.2.17");
    let cio = find(&out, "commons-io:commons-io")[0];
    assert_eq!(cio.version, "2.11.0");
    assert_eq!(cio.metadata["identified-by"], "filename");
}

#[test]
fn nested_archives_are_followed_with_their_path() {
    let inner_jar = zip(&[(
        "META-INF/maven/org.yaml/snakeyaml/pom.properties",
        &pom("org.yaml", "snakeyaml", "1.33"),
    )]);
    let war = zip(&[
        (
            "META-INF/maven/com.example/web/pom.properties",
            &pom("com.example", "web", "1.0"),
        ),
        ("WEB-INF/lib/snakeyaml-1.33.jar", &inner_jar),
        (
            "WEB-INF/lib/log4j-1.2.17.jar",
            &zip(&[("META-INF/MANIFEST.MF", LOG4J_MANIFEST)]),
        ),
    ]);
    let ear = zip(&[("web.war", &war)]);
    let mut files = Files::new();
    files.insert("srv/app.ear".into(), spilled(&ear, 0o644));
    let out = run(&JavaArchiveCataloger, &files);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let got: BTreeSet<(&str, Option<&str>)> = out
        .packages
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.metadata.get("archive-path").map(String::as_str),
            )
        })
        .collect();
    let expected: BTreeSet<(&str, Option<&str>)> = [
        ("com.example:web", Some("srv/app.ear!/web.war")),
        (
            "org.yaml:snakeyaml",
            Some("srv/app.ear!/web.war!/WEB-INF/lib/snakeyaml-1.33.jar"),
        ),
        (
            "log4j:log4j",
            Some("srv/app.ear!/web.war!/WEB-INF/lib/log4j-1.2.17.jar"),
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, expected);
    assert!(
        out.packages
            .iter()
            .all(|p| p.locations[0].path == "srv/app.ear")
    );
}

#[test]
fn nesting_depth_is_bounded() {
    let mut archive = zip(&[(
        "META-INF/maven/g/deep/pom.properties",
        &pom("g", "deep", "1"),
    )]);
    for i in 0..8 {
        archive = zip(&[
            (
                &*format!("META-INF/maven/g/level{i}/pom.properties"),
                &pom("g", &format!("level{i}"), "1"),
            ),
            ("lib/inner.jar", &archive),
        ]);
    }
    let mut files = Files::new();
    files.insert("x.jar".into(), mem(archive, 0o644));
    let out = run(&JavaArchiveCataloger, &files);
    // The outer archive plus MAX_DEPTH levels below it.
    assert_eq!(
        out.packages.len(),
        tidewatch_catalog::lang::java::MAX_DEPTH + 1
    );
    assert!(find(&out, "g:deep").is_empty());
}

#[test]
fn malformed_archives_warn_and_the_scan_goes_on() {
    let good_inner = zip(&[("META-INF/maven/g/ok/pom.properties", &pom("g", "ok", "1.0"))]);
    let mut broken_inner = good_inner.clone();
    broken_inner.truncate(broken_inner.len() - 30);
    let outer = zip(&[
        (
            "META-INF/maven/g/outer/pom.properties",
            &pom("g", "outer", "2.0"),
        ),
        ("BOOT-INF/lib/ok-1.0.jar", &good_inner),
        ("BOOT-INF/lib/broken-1.0.jar", &broken_inner),
    ]);
    let mut files = Files::new();
    files.insert(
        "app/not-a-zip.jar".into(),
        mem(b"PK\x03\x04 this is not a zip".to_vec(), 0o644),
    );
    files.insert("app/empty.jar".into(), mem(Vec::new(), 0o644));
    files.insert("app/outer-2.0.jar".into(), mem(outer, 0o644));
    let out = run(&JavaArchiveCataloger, &files);
    let warned: Vec<&str> = out.warnings.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(
        warned,
        vec!["app/empty.jar", "app/not-a-zip.jar", "app/outer-2.0.jar"],
        "{:?}",
        out.warnings
    );
    assert!(
        out.warnings[2].message.contains("broken-1.0.jar"),
        "{}",
        out.warnings[2].message
    );
    let names: BTreeSet<&str> = out.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["g:outer", "g:ok"].into_iter().collect());
}

#[test]
fn incomplete_pom_properties_fall_back_to_the_manifest() {
    let jar = zip(&[
        (
            "META-INF/maven/g/a/pom.properties",
            b"groupId=g\nartifactId=a\n",
        ),
        (
            "META-INF/MANIFEST.MF",
            b"Implementation-Version: 4.2\nImplementation-Vendor-Id: org.acme\n",
        ),
    ]);
    let mut files = Files::new();
    files.insert("lib/widget-4.2.jar".into(), mem(jar, 0o644));
    let out = run(&JavaArchiveCataloger, &files);
    assert_eq!(out.packages.len(), 1);
    assert_eq!(out.packages[0].name, "org.acme:widget");
    assert_eq!(out.packages[0].version, "4.2");
}
