//! SBOM input: CycloneDX and SPDX documents shaped as Trivy, Syft and
//! tidewatch write them (trimmed to the facts that matter) become
//! packages with the ecosystems and source packages the matcher needs.

use tidewatch_catalog::sbom::read_sbom;
use tidewatch_types::{Package, PackageType};

fn find<'a>(pkgs: &'a [Package], name: &str) -> &'a Package {
    pkgs.iter().find(|p| p.name == name).unwrap_or_else(|| {
        panic!(
            "{name} not read; got {:?}",
            pkgs.iter().map(|p| &p.name).collect::<Vec<_>>()
        )
    })
}

fn src(p: &Package) -> Option<(&str, &str)> {
    p.source
        .as_ref()
        .map(|s| (s.name.as_str(), s.version.as_str()))
}

/// Trivy 0.59 CycloneDX: OS component, distro qualifiers (apk without the
/// family), `SrcName`/`SrcVersion`/`SrcRelease`/`SrcEpoch` properties.
const TRIVY_CDX: &str = r#"{
  "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
  "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
  "metadata": {"component": {"bom-ref": "img", "type": "container", "name": "debian-app"}},
  "components": [
    {"bom-ref": "os", "type": "operating-system", "name": "debian", "version": "12.15"},
    {"bom-ref": "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12.15", "type": "library",
     "name": "libc6", "version": "2.36-9+deb12u14",
     "purl": "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12.15",
     "properties": [{"name": "aquasecurity:trivy:SrcName", "value": "glibc"},
                    {"name": "aquasecurity:trivy:SrcRelease", "value": "9+deb12u14"},
                    {"name": "aquasecurity:trivy:SrcVersion", "value": "2.36"}]},
    {"bom-ref": "x", "type": "library", "name": "login", "version": "1:4.13+dfsg1-1+b1",
     "purl": "pkg:deb/debian/login@4.13%2Bdfsg1-1%2Bb1?arch=amd64&distro=debian-12.15&epoch=1",
     "properties": [{"name": "aquasecurity:trivy:SrcEpoch", "value": "1"},
                    {"name": "aquasecurity:trivy:SrcName", "value": "shadow"},
                    {"name": "aquasecurity:trivy:SrcRelease", "value": "1"},
                    {"name": "aquasecurity:trivy:SrcVersion", "value": "4.13+dfsg1"}]},
    {"bom-ref": "app", "type": "application", "name": "usr/local/bin/dive",
     "properties": [{"name": "aquasecurity:trivy:Type", "value": "gobinary"}]},
    {"bom-ref": "pkg:golang/stdlib@v1.24.1", "type": "library", "name": "stdlib", "version": "v1.24.1",
     "purl": "pkg:golang/stdlib@v1.24.1"},
    {"bom-ref": "pkg:golang/github.com/awesome-gocui/gocui@v1.1.0", "type": "library",
     "name": "github.com/awesome-gocui/gocui", "version": "v1.1.0",
     "purl": "pkg:golang/github.com/awesome-gocui/gocui@v1.1.0"},
    {"bom-ref": "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.14.0", "type": "library",
     "group": "com.fasterxml.jackson.core", "name": "jackson-databind", "version": "2.14.0",
     "purl": "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.14.0",
     "properties": [{"name": "aquasecurity:trivy:FilePath", "value": "app/lib/demo-app-1.0.0.jar"}]},
    {"bom-ref": "pkg:pypi/pyyaml@5.3.1", "type": "library", "name": "PyYAML", "version": "5.3.1",
     "purl": "pkg:pypi/pyyaml@5.3.1", "licenses": [{"license": {"name": "MIT"}}]},
    {"bom-ref": "pkg:npm/%40babel/parser@7.23.0", "type": "library", "group": "@babel", "name": "parser",
     "version": "7.23.0", "purl": "pkg:npm/%40babel/parser@7.23.0"}
  ]
}"#;

#[test]
fn trivy_cyclonedx() {
    let (os, pkgs, warnings) = read_sbom(TRIVY_CDX.as_bytes(), "trivy.cdx.json").expect("reads");
    let os = os.expect("os");
    assert_eq!(
        (os.family.as_str(), os.version.as_str()),
        ("debian", "12.15")
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(pkgs.len(), 7, "the application component is not a package");

    let libc = find(&pkgs, "libc6");
    assert_eq!(libc.kind, PackageType::Os);
    assert_eq!(libc.format, "deb");
    assert_eq!(libc.version, "2.36-9+deb12u14");
    assert_eq!(libc.ecosystem.as_deref(), Some("Debian:12"));
    assert_eq!(src(libc), Some(("glibc", "2.36-9+deb12u14")));
    assert_eq!(libc.arch.as_deref(), Some("amd64"));

    let login = find(&pkgs, "login");
    assert_eq!(
        login.version, "1:4.13+dfsg1-1+b1",
        "epoch qualifier joins the version"
    );
    assert_eq!(src(login), Some(("shadow", "1:4.13+dfsg1-1")));

    let stdlib = find(&pkgs, "stdlib");
    assert_eq!(
        (stdlib.version.as_str(), stdlib.ecosystem.as_deref()),
        ("v1.24.1", Some("Go"))
    );
    assert_eq!(
        find(&pkgs, "github.com/awesome-gocui/gocui")
            .ecosystem
            .as_deref(),
        Some("Go")
    );

    let jackson = find(&pkgs, "com.fasterxml.jackson.core:jackson-databind");
    assert_eq!(jackson.ecosystem.as_deref(), Some("Maven"));
    assert_eq!(jackson.path(), Some("app/lib/demo-app-1.0.0.jar"));
    assert_eq!(jackson.layer(), None);

    let yaml = find(&pkgs, "PyYAML");
    assert_eq!(
        (yaml.ecosystem.as_deref(), yaml.licenses.as_slice()),
        (Some("PyPI"), &["MIT".to_string()][..])
    );
    assert_eq!(
        find(&pkgs, "@babel/parser").ecosystem.as_deref(),
        Some("npm")
    );
}

/// Syft 1.18 CycloneDX: `upstream` qualifiers, Syft's distro properties,
/// Go stdlib as `go1.x` with a bare purl version, locations.
const SYFT_CDX: &str = r#"{
  "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
  "components": [
    {"bom-ref": "a", "type": "library", "name": "libssl3", "version": "3.1.7-r0",
     "purl": "pkg:apk/alpine/libssl3@3.1.7-r0?arch=x86_64&distro=alpine-3.18.9&package-id=57acecbe66399df1&upstream=openssl",
     "properties": [{"name": "syft:metadata:originPackage", "value": "openssl"},
                    {"name": "syft:location:0:path", "value": "/lib/apk/db/installed"}]},
    {"bom-ref": "b", "type": "library", "name": "busybox", "version": "1.36.1-r7",
     "purl": "pkg:apk/alpine/busybox@1.36.1-r7?arch=x86_64&distro=alpine-3.18.9"},
    {"bom-ref": "c", "type": "library", "name": "stdlib", "version": "go1.21rc2", "purl": "pkg:golang/stdlib@1.21rc2"},
    {"bom-ref": "d", "type": "library", "name": "openssl-libs", "version": "1:3.0.7-27.el9",
     "purl": "pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.3&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm"},
    {"bom-ref": "e", "type": "library", "name": "Newtonsoft.Json", "version": "13.0.1", "purl": "pkg:nuget/Newtonsoft.Json@13.0.1"},
    {"bom-ref": "f", "type": "library", "name": "thing", "version": "1.0", "purl": "pkg:generic/thing@1.0"},
    {"bom-ref": "os:alpine@3.18.9", "type": "operating-system", "name": "alpine", "version": "3.18.9",
     "properties": [{"name": "syft:distro:id", "value": "alpine"}, {"name": "syft:distro:versionID", "value": "3.18.9"}]}
  ]
}"#;

#[test]
fn syft_cyclonedx() {
    let (os, pkgs, _) = read_sbom(SYFT_CDX.as_bytes(), "syft.cdx.json").expect("reads");
    assert_eq!(os.map(|o| o.family), Some("alpine".into()));
    let ssl = find(&pkgs, "libssl3");
    assert_eq!(ssl.ecosystem.as_deref(), Some("Alpine:v3.18"));
    assert_eq!(src(ssl), Some(("openssl", "3.1.7-r0")));
    assert_eq!(ssl.path(), Some("lib/apk/db/installed"));
    assert_eq!(
        src(find(&pkgs, "busybox")),
        Some(("busybox", "1.36.1-r7")),
        "no upstream: its own name"
    );
    assert_eq!(find(&pkgs, "stdlib").version, "v1.21.0-rc.2");
    let rpm = find(&pkgs, "openssl-libs");
    assert_eq!(rpm.version, "1:3.0.7-27.el9");
    assert_eq!(rpm.ecosystem.as_deref(), Some("Red Hat:enterprise_linux:9"));
    assert_eq!(src(rpm), Some(("openssl", "1:3.0.7-27.el9")));
    assert_eq!(
        find(&pkgs, "Newtonsoft.Json").ecosystem.as_deref(),
        Some("NuGet")
    );
    let generic = find(&pkgs, "thing");
    assert_eq!(
        (generic.kind, generic.ecosystem.as_deref()),
        (PackageType::Library, None)
    );
}

/// Trivy and Syft SPDX 2.3: purl external refs, the OPERATING-SYSTEM
/// package, `sourceInfo` sentences.
const SPDX: &str = r#"{
  "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "x",
  "documentNamespace": "http://example.com/x",
  "creationInfo": {"creators": ["Tool: trivy-0.59.1"], "created": "2024-01-01T00:00:00Z"},
  "packages": [
    {"name": "alpine", "SPDXID": "SPDXRef-OperatingSystem-1", "versionInfo": "3.18.9", "downloadLocation": "NONE",
     "primaryPackagePurpose": "OPERATING-SYSTEM"},
    {"name": "libcrypto3", "SPDXID": "SPDXRef-Package-1", "versionInfo": "3.1.7-r0", "downloadLocation": "NONE",
     "sourceInfo": "built package from: openssl 3.1.7-r0", "licenseDeclared": "Apache-2.0",
     "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                       "referenceLocator": "pkg:apk/alpine/libcrypto3@3.1.7-r0?arch=x86_64&distro=3.18.9"}]},
    {"name": "axios", "SPDXID": "SPDXRef-Package-2", "versionInfo": "0.21.0", "downloadLocation": "NONE",
     "sourceInfo": "acquired package info from installed node module manifest file: /app/node_modules/axios/package.json",
     "externalRefs": [{"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": "cpe:2.3:a:axios:axios:0.21.0:*:*:*:*:*:*:*"},
                      {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/axios@0.21.0"}]},
    {"name": "image", "SPDXID": "SPDXRef-DocumentRoot", "versionInfo": "sha256:c114", "downloadLocation": "NOASSERTION",
     "primaryPackagePurpose": "CONTAINER",
     "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:oci/image@sha256%3Ac114"}]},
    {"name": "mystery", "SPDXID": "SPDXRef-Package-3", "versionInfo": "1", "downloadLocation": "NONE"},
    {"name": "bad", "SPDXID": "SPDXRef-Package-4", "versionInfo": "1", "downloadLocation": "NONE",
     "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "npm/not-a-purl"}]}
  ]
}"#;

#[test]
fn spdx_packages_and_warnings() {
    let (os, pkgs, warnings) = read_sbom(SPDX.as_bytes(), "sbom.spdx.json").expect("reads");
    assert_eq!(
        os.map(|o| (o.family, o.version)),
        Some(("alpine".into(), "3.18.9".into()))
    );
    let names: Vec<&str> = pkgs.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["libcrypto3", "axios"],
        "the image itself is no package"
    );
    let crypto = find(&pkgs, "libcrypto3");
    assert_eq!(
        crypto.ecosystem.as_deref(),
        Some("Alpine:v3.18"),
        "Trivy's apk distro has no family"
    );
    assert_eq!(src(crypto), Some(("openssl", "3.1.7-r0")));
    assert_eq!(
        find(&pkgs, "axios").path(),
        Some("app/node_modules/axios/package.json")
    );
    let messages: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("invalid purl \"npm/not-a-purl\"")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("1 component(s) have no purl") && m.contains("mystery")),
        "{messages:?}"
    );
    assert!(warnings.iter().all(|w| w.path == "sbom.spdx.json"));
}

#[test]
fn os_packages_without_a_release_are_listed_not_matched() {
    let doc = r#"{"bomFormat": "CycloneDX", "specVersion": "1.4", "components": [
      {"type": "library", "name": "bash", "version": "5.2.15-2", "purl": "pkg:deb/debian/bash@5.2.15-2"},
      {"type": "library", "name": "zlib1g", "version": "1.2.13", "purl": "pkg:deb/debian/zlib1g@1.2.13?distro=bookworm"}
    ]}"#;
    let (os, pkgs, warnings) = read_sbom(doc.as_bytes(), "x.json").expect("reads");
    assert!(os.is_none());
    assert_eq!(find(&pkgs, "bash").ecosystem, None);
    assert_eq!(
        find(&pkgs, "zlib1g").ecosystem.as_deref(),
        Some("Debian:12"),
        "codename qualifier"
    );
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].message.contains("bash@5.2.15-2"),
        "{}",
        warnings[0].message
    );

    // With the document's OS the same package is matchable.
    let doc = doc.replace(
        r#""components": ["#,
        r#""components": [{"type": "operating-system", "name": "debian", "version": "12.5"},"#,
    );
    let (_, pkgs, _) = read_sbom(doc.as_bytes(), "x.json").expect("reads");
    assert_eq!(find(&pkgs, "bash").ecosystem.as_deref(), Some("Debian:12"));
}

#[test]
fn malformed_documents_are_errors_naming_file_and_line() {
    let cases: [(&str, &str); 6] = [
        (
            "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\",\n \"components\": [{\"type\": \"library\"}]}",
            "x.json: malformed CycloneDX document: components[0]: missing field `name` at line 2",
        ),
        (
            "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\",\n \"components\": {}}",
            "x.json: malformed CycloneDX document: components: invalid type: map, expected a sequence at line 2",
        ),
        (
            "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"2.0\"}",
            "x.json: unsupported CycloneDX version \"2.0\"",
        ),
        (
            "{\"spdxVersion\": \"SPDX-3.0\", \"packages\": []}",
            "x.json: unsupported SPDX version \"SPDX-3.0\"",
        ),
        (
            "{\"spdxVersion\": \"SPDX-2.3\",\n\"packages\": [{\"name\": 5}]}",
            "x.json: malformed SPDX document: packages[0].name: invalid type: integer `5`, expected a string at line 2",
        ),
        ("[1, 2", "x.json: not valid JSON"),
    ];
    for (doc, want) in cases {
        let err = read_sbom(doc.as_bytes(), "x.json")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains(want), "got {err:?}, want {want:?}");
    }
}

/// tidewatch's own CycloneDX and SPDX keep what an image scan knew: the
/// source package, the path, and that the OS installed a language package
/// (so it is matched by the OS advisories only, as in the image scan).
#[test]
fn our_own_output_keeps_source_path_and_ownership() {
    let cdx = r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
      {"type": "library", "name": "pip", "version": "23.0.1", "purl": "pkg:pypi/pip@23.0.1",
       "properties": [{"name": "tidewatch:package:owned_by", "value": "python3-pip"},
                      {"name": "tidewatch:location:path", "value": "usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA"}]},
      {"type": "library", "name": "bsdutils", "version": "1:2.38.1-5+deb12u3",
       "purl": "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12.15&upstream=util-linux",
       "properties": [{"name": "tidewatch:package:source_name", "value": "util-linux"},
                      {"name": "tidewatch:package:source_version", "value": "2.38.1-5+deb12u3"}]}
    ]}"#;
    let (_, pkgs, _) = read_sbom(cdx.as_bytes(), "ours.cdx.json").expect("reads");
    let pip = find(&pkgs, "pip");
    assert_eq!(pip.owned_by.as_deref(), Some("python3-pip"));
    assert_eq!(
        pip.path(),
        Some("usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA")
    );
    let bsd = find(&pkgs, "bsdutils");
    assert_eq!(bsd.version, "1:2.38.1-5+deb12u3");
    assert_eq!(
        src(bsd),
        Some(("util-linux", "2.38.1-5+deb12u3")),
        "the binary's epoch is not the source's"
    );

    let spdx = r#"{"spdxVersion": "SPDX-2.3", "packages": [
      {"name": "pip", "SPDXID": "SPDXRef-1", "versionInfo": "23.0.1",
       "comment": "found at usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA in layer 1 (sha256:6966): RUN apt-get install\ninstalled by OS package python3-pip",
       "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:pypi/pip@23.0.1"}]},
      {"name": "libc6", "SPDXID": "SPDXRef-2", "versionInfo": "2.36-9+deb12u14",
       "sourceInfo": "built from source package glibc 2.36-9+deb12u14",
       "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?distro=debian-12.15"}]}
    ]}"#;
    let (_, pkgs, _) = read_sbom(spdx.as_bytes(), "ours.spdx.json").expect("reads");
    let pip = find(&pkgs, "pip");
    assert_eq!(pip.owned_by.as_deref(), Some("python3-pip"));
    assert_eq!(
        pip.path(),
        Some("usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA")
    );
    assert_eq!(
        src(find(&pkgs, "libc6")),
        Some(("glibc", "2.36-9+deb12u14"))
    );
}
