//! What the document formats (SARIF, CycloneDX, SPDX, HTML) share: a
//! content-derived identity so that the same scan renders byte-for-byte the
//! same document, the creation time, the link between a finding and the
//! package it is about, and how a layer and an advisory are named.

use jiff::Timestamp;
use std::collections::HashMap;
use tidewatch_types::{Finding, LayerInfo, Report, Severity, TargetKind};
use uuid::Uuid;

/// The UUID v5 namespace of tidewatch documents (itself the v5 UUID of
/// the name `tidewatch` in the URL namespace), so our serial numbers never
/// collide with another tool's v5 UUIDs of the same bytes.
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"https://tidewatch/report")
}

/// Writes `value` as pretty-printed JSON ending in a newline, the way
/// every JSON output format ends.
pub(crate) fn write_json(
    value: &impl serde::Serialize,
    out: &mut dyn std::io::Write,
) -> Result<(), serde_json::Error> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n").map_err(serde_json::Error::io)
}

/// A UUID derived from everything the report says: equal reports get equal
/// ids (reproducible output), any difference gives another one.
pub(crate) fn content_uuid(report: &Report) -> Uuid {
    // Serialising our own value cannot fail (no maps with non-string keys,
    // no non-finite floats that serde_json refuses are produced by
    // scanners); should it ever, the target and counts still identify it.
    let bytes = serde_json::to_vec(report).unwrap_or_else(|_| {
        format!(
            "{}|{:?}|{}|{}",
            report.target.name,
            report.target.digest,
            report.packages.len(),
            report.findings.len()
        )
        .into_bytes()
    });
    Uuid::new_v5(&namespace(), &bytes)
}

/// The creation time to record: the caller's, else `SOURCE_DATE_EPOCH`
/// (the reproducible-builds convention, so pipelines can pin it without a
/// flag), else now; always whole seconds, as SPDX requires.
pub(crate) fn created(pinned: Option<Timestamp>) -> Timestamp {
    let ts = pinned
        .or_else(|| {
            std::env::var("SOURCE_DATE_EPOCH")
                .ok()
                .and_then(|s| s.trim().parse::<i64>().ok())
                .and_then(|secs| Timestamp::from_second(secs).ok())
        })
        .unwrap_or_else(Timestamp::now);
    Timestamp::from_second(ts.as_second()).unwrap_or(ts)
}

/// `2024-05-01T12:00:00Z`: the form both SPDX and CycloneDX accept.
pub(crate) fn timestamp_string(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The hex part of a `sha256:` digest, when it is a well-formed one.
pub(crate) fn sha256_hex(digest: &str) -> Option<&str> {
    let hex = digest.strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hex)
}

/// The first 12 hex digits of a digest, as `docker` shows image ids.
pub(crate) fn short_digest(digest: &str) -> &str {
    let hex = digest.split_once(':').map_or(digest, |(_, h)| h);
    hex.get(..12).unwrap_or(hex)
}

/// `pkg:oci/NAME@sha256%3A…` for an image with a manifest digest. NAME is
/// the last path segment of what the user named, without tag, digest or a
/// `.tar` suffix, lower-cased as the OCI purl type requires.
pub(crate) fn image_purl(report: &Report) -> Option<String> {
    let target = &report.target;
    if target.kind != TargetKind::Image {
        return None;
    }
    let digest = target.digest.as_deref()?;
    let without_digest = target.name.split('@').next().unwrap_or(&target.name);
    let last = without_digest
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(without_digest);
    let last = last.split(':').next().unwrap_or(last);
    let last = last.strip_suffix(".tar").unwrap_or(last);
    let name = last.to_ascii_lowercase();
    if name.is_empty() {
        return None;
    }
    let mut purl = packageurl::PackageUrl::new("oci", name.as_str()).ok()?;
    purl.with_version(digest);
    Some(purl.to_string())
}

/// A page about the advisory: NVD for CVEs, GitHub for GHSAs, OSV for the
/// rest (OSV serves every id it imports, and aliases resolve there too).
pub(crate) fn advisory_url(id: &str) -> String {
    let enc: String = id
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b':') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    if id.starts_with("CVE-") {
        format!("https://nvd.nist.gov/vuln/detail/{enc}")
    } else if id.starts_with("GHSA-") {
        format!("https://github.com/advisories/{enc}")
    } else {
        format!("https://osv.dev/vulnerability/{enc}")
    }
}

/// The advisory's page at the feed that reported it (the Debian tracker
/// for a Debian finding, …), falling back to [`advisory_url`].
pub(crate) fn source_url(data_source: &str, id: &str) -> String {
    let cve = id.starts_with("CVE-") && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if cve {
        if data_source.starts_with("debian") {
            return format!("https://security-tracker.debian.org/tracker/{id}");
        }
        if data_source.starts_with("ubuntu") {
            return format!("https://ubuntu.com/security/{id}");
        }
        if data_source.starts_with("alpine") {
            return format!("https://security.alpinelinux.org/vuln/{id}");
        }
        if data_source.starts_with("redhat") {
            return format!("https://access.redhat.com/security/cve/{id}");
        }
    }
    advisory_url(id)
}

/// What marks a layer of the base image the image was built `FROM`.
pub(crate) const BASE_MARK: &str = "[base image]";

/// `layer 2 (sha256:0123456789ab): RUN pip install …` with `created_by`
/// squeezed onto one line and cut, for headings and descriptions; a base
/// image layer says so (`layer 0 (…) [base image]: …`), because what to
/// do about its findings differs: rebuild on a newer base, not edit a step.
pub(crate) fn layer_label(layer: &LayerInfo) -> String {
    let mut s = format!("layer {} ({})", layer.index, short_id(&layer.diff_id));
    if layer.base {
        s.push(' ');
        s.push_str(BASE_MARK);
    }
    if let Some(by) = layer.created_by.as_deref().map(one_line)
        && !by.is_empty()
    {
        s.push_str(": ");
        s.push_str(&by);
    }
    s
}

/// `sha256:0123456789ab`: the algorithm and 12 digits.
pub(crate) fn short_id(digest: &str) -> String {
    match digest.split_once(':') {
        Some((alg, _)) => format!("{alg}:{}", short_digest(digest)),
        None => short_digest(digest).to_string(),
    }
}

/// `created_by` on one line, Docker's `/bin/sh -c #(nop) ` noise dropped,
/// at most 100 characters.
pub(crate) fn one_line(s: &str) -> String {
    let s = s.trim();
    let s = s.strip_prefix("/bin/sh -c #(nop) ").unwrap_or(s).trim();
    let squeezed: Vec<&str> = s.split_whitespace().collect();
    let s = squeezed.join(" ");
    const MAX: usize = 100;
    if s.chars().count() > MAX {
        let cut: String = s.chars().take(MAX - 1).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// The layer a finding or package points at, when the report lists it.
pub(crate) fn layer(report: &Report, index: Option<usize>) -> Option<&LayerInfo> {
    let i = index?;
    report
        .layers
        .get(i)
        .filter(|l| l.index == i)
        .or_else(|| report.layers.iter().find(|l| l.index == i))
}

/// The finding's fix state, with what a VEX statement said about it when
/// one applied but did not suppress it: `fixed (VEX: under_investigation)`.
pub(crate) fn status_text(f: &Finding) -> String {
    match f.vex_status.as_deref().filter(|v| !v.is_empty()) {
        Some(v) => format!("{} (VEX: {v})", f.fix_state),
        None => f.fix_state.to_string(),
    }
}

/// Whether the layer at `index` belongs to the base image (`false` when
/// unknown).
pub(crate) fn is_base(report: &Report, index: Option<usize>) -> bool {
    layer(report, index).is_some_and(|l| l.base)
}

/// The base image's layers as text (`0`, `0-3`, `0, 2`), `None` when no
/// layer is known to come from a base image.
pub(crate) fn base_layers(report: &Report) -> Option<String> {
    let idx: Vec<usize> = report
        .layers
        .iter()
        .filter(|l| l.base)
        .map(|l| l.index)
        .collect();
    let (first, last) = (*idx.first()?, *idx.last()?);
    let contiguous = idx.windows(2).all(|w| w[1] == w[0] + 1);
    Some(if idx.len() == 1 {
        first.to_string()
    } else if contiguous {
        format!("{first}-{last}")
    } else {
        idx.iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// Finds the package a finding is about: the one with the same purl at
/// the same path (a package at two paths is two packages), else the only
/// one with that purl, else by name and version.
pub(crate) struct PackageIndex<'a> {
    by_purl_path: HashMap<(&'a str, Option<&'a str>), usize>,
    by_purl: HashMap<&'a str, usize>,
    by_name_version: HashMap<(&'a str, &'a str), usize>,
}

impl<'a> PackageIndex<'a> {
    pub(crate) fn new(report: &'a Report) -> Self {
        let mut by_purl_path = HashMap::new();
        let mut by_purl = HashMap::new();
        let mut by_name_version = HashMap::new();
        for (i, p) in report.packages.iter().enumerate() {
            by_purl_path.entry((p.purl.as_str(), p.path())).or_insert(i);
            by_purl.entry(p.purl.as_str()).or_insert(i);
            by_name_version
                .entry((p.name.as_str(), p.version.as_str()))
                .or_insert(i);
        }
        PackageIndex {
            by_purl_path,
            by_purl,
            by_name_version,
        }
    }

    pub(crate) fn find(&self, f: &Finding) -> Option<usize> {
        let purl = f.package.purl.as_str();
        self.by_purl_path
            .get(&(purl, f.path.as_deref()))
            .or_else(|| (!purl.is_empty()).then(|| self.by_purl.get(purl)).flatten())
            .or_else(|| {
                self.by_name_version
                    .get(&(f.package.name.as_str(), f.package.version.as_str()))
            })
            .copied()
    }
}

/// The CVSS score that stands for a finding's severity: the highest
/// published score in the finding's own band (so a vendor's LOW with an
/// NVD 9.8 does not turn critical downstream), else a value in the middle
/// of the band. `None` for UNKNOWN.
pub(crate) fn severity_score(f: &Finding) -> Option<f64> {
    let in_band = f
        .cvss
        .iter()
        .filter_map(|c| c.score)
        .filter(|s| s.is_finite() && Severity::from_cvss_score(*s) == f.severity)
        .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))));
    in_band.or(match f.severity {
        Severity::Critical => Some(9.5),
        Severity::High => Some(8.0),
        Severity::Medium => Some(5.5),
        Severity::Low => Some(2.0),
        Severity::Negligible => Some(0.0),
        Severity::Unknown => None,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn digests_and_labels() {
        let d = format!("sha256:{}", "ab".repeat(32));
        assert_eq!(sha256_hex(&d).map(str::len), Some(64));
        assert_eq!(sha256_hex("sha256:abcd"), None);
        assert_eq!(sha256_hex("sha512:00"), None);
        assert_eq!(short_id(&d), "sha256:abababababab");
        assert_eq!(short_id("xy"), "xy");
        let l: LayerInfo = serde_json::from_value(serde_json::json!({
            "index": 3,
            "diff_id": d,
            "created_by": "/bin/sh -c #(nop)  CMD [\"sh\"]\n",
        }))
        .unwrap();
        assert_eq!(
            layer_label(&l),
            "layer 3 (sha256:abababababab): CMD [\"sh\"]"
        );
        assert_eq!(one_line(&"x ".repeat(80)).chars().count(), 100);
        let base = LayerInfo { base: true, ..l };
        assert_eq!(
            layer_label(&base),
            "layer 3 (sha256:abababababab) [base image]: CMD [\"sh\"]"
        );
    }

    #[test]
    fn base_layer_ranges() {
        let layers = |bases: &[bool]| -> Report {
            serde_json::from_value(serde_json::json!({
                "schema_version": 1,
                "tool": {"name": "t", "version": "0"},
                "target": {"kind": "image", "name": "x", "os": null},
                "layers": bases.iter().enumerate().map(|(i, b)| serde_json::json!({
                    "index": i, "diff_id": format!("sha256:{i}"), "base": b,
                })).collect::<Vec<_>>(),
                "packages": [], "findings": [], "suppressed": [], "warnings": [],
                "summary": {"by_severity": {}, "exit_code": 0},
            }))
            .unwrap()
        };
        assert_eq!(base_layers(&layers(&[false, false])), None);
        assert_eq!(base_layers(&layers(&[true, false])).as_deref(), Some("0"));
        assert_eq!(
            base_layers(&layers(&[true, true, true, false])).as_deref(),
            Some("0-2")
        );
        assert_eq!(
            base_layers(&layers(&[true, false, true])).as_deref(),
            Some("0, 2")
        );
        let r = layers(&[true, false]);
        assert!(is_base(&r, Some(0)));
        assert!(!is_base(&r, Some(1)));
        assert!(!is_base(&r, Some(7)));
        assert!(!is_base(&r, None));
    }

    #[test]
    fn advisory_urls() {
        assert_eq!(
            advisory_url("CVE-2024-1"),
            "https://nvd.nist.gov/vuln/detail/CVE-2024-1"
        );
        assert_eq!(
            advisory_url("GHSA-xxxx-yyyy-zzzz"),
            "https://github.com/advisories/GHSA-xxxx-yyyy-zzzz"
        );
        assert_eq!(
            advisory_url("PYSEC-2024-1/x y"),
            "https://osv.dev/vulnerability/PYSEC-2024-1%2Fx%20y"
        );
    }

    #[test]
    fn source_urls() {
        assert_eq!(
            source_url("debian-tracker", "CVE-2024-1"),
            "https://security-tracker.debian.org/tracker/CVE-2024-1"
        );
        assert_eq!(
            source_url("alpine-secdb", "CVE-2024-1"),
            "https://security.alpinelinux.org/vuln/CVE-2024-1"
        );
        assert_eq!(
            source_url("osv", "GHSA-a"),
            "https://github.com/advisories/GHSA-a"
        );
        assert_eq!(
            source_url("debian-tracker", "DSA-1"),
            "https://osv.dev/vulnerability/DSA-1"
        );
    }

    #[test]
    fn created_is_whole_seconds() {
        let t = Timestamp::from_second(1_700_000_000).unwrap();
        let t = t
            .checked_add(jiff::SignedDuration::from_millis(300))
            .unwrap();
        assert_eq!(timestamp_string(created(Some(t))), "2023-11-14T22:13:20Z");
    }
}
