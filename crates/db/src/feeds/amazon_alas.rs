//! Amazon Linux security advisories (ALAS) for Amazon Linux 1 (AMI),
//! Amazon Linux 2, 2022 and 2023, in the two forms they are found in:
//!
//! - vuln-list's JSON, one advisory per file (`amazon/2/ALAS2-2021-1699.json`,
//!   what Trivy's DB is built from), and
//! - the `updateinfo.xml` of an Amazon Linux repository (`<updates>` of
//!   `<update type="security">`), as Amazon publishes it.
//!
//! Each advisory lists the fixed build of every **binary** RPM, per
//! architecture; records are `binary_package`. The release comes from the
//! advisory id (`ALAS-` is AL1, `ALAS2-` AL2, `ALAS2023-` AL2023), else
//! the repository collection or the title ("Amazon Linux 2 …",
//! "Amazon Linux AMI …"). Ecosystems are `Amazon Linux:1`, `:2`, `:2022`,
//! `:2023`, as the catalog names Amazon Linux releases.
//!
//! **Extras topics.** Amazon Linux 2's extras repositories have advisories
//! of their own (`ALAS2KERNEL-5.10-2022-002`, `ALASPHP8.0-…`) for a
//! version line that lives next to the core one (kernel 5.10 next to
//! 4.14). A fix on such a line says nothing about the core package of the
//! same name, so when the topic ends in a version and the fixed version
//! is on that line, the range starts at the line (`introduced: 5.10`)
//! instead of at 0.
//!
//! The vendor's severity (`low`, `medium`, `important`, `critical`) is the
//! advisory severity, with source `amazon-alas`. Sources are
//! `amazon-alas:<release>`.

use super::rpm_fix::{self, Fixes};
use super::{Feed, Input, NewAdvisory, SourceBatch, Syntax, advisory, xml_attr};
use crate::error::DbError;
use quick_xml::Reader;
use quick_xml::events::Event;
use serde::Deserialize;
use std::collections::BTreeMap;

pub(crate) const FEED: Feed = Feed {
    name: NAME,
    claims,
    parse,
};

const NAME: &str = "amazon-alas";
const FORMAT: &str = "Amazon ALAS";

fn claims(input: &Input<'_>) -> bool {
    match input.syntax {
        Syntax::Json => {
            let s = input.shape;
            s.has(0, "id")
                && s.has(0, "packages")
                && !s.has(0, "affected")
                && input.head(512).contains("\"ALAS")
        }
        Syntax::Xml => {
            let head = input.head(4096);
            head.contains("<updates") && head.contains("<update ") && head.contains("ALAS")
        }
        _ => false,
    }
}

/// One advisory, from either form.
#[derive(Default, Debug)]
struct Alas {
    id: String,
    title: Option<String>,
    severity: Option<String>,
    issued: Option<String>,
    updated: Option<String>,
    cves: Vec<String>,
    collection: Option<String>,
    packages: Vec<Pkg>,
}

#[derive(Default, Debug, Deserialize)]
struct Pkg {
    #[serde(default)]
    name: String,
    #[serde(default)]
    epoch: Option<String>,
    #[serde(default)]
    version: String,
    #[serde(default)]
    release: String,
    #[serde(default)]
    arch: Option<String>,
}

/// vuln-list's JSON.
#[derive(Deserialize)]
struct JsonAlas {
    id: String,
    title: Option<String>,
    severity: Option<String>,
    issued: Option<JsonDate>,
    updated: Option<JsonDate>,
    #[serde(default)]
    packages: Option<Vec<Pkg>>,
    #[serde(default)]
    references: Option<Vec<JsonRef>>,
    #[serde(default)]
    cveids: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct JsonDate {
    date: Option<String>,
}

#[derive(Deserialize)]
struct JsonRef {
    id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

fn parse(input: &Input<'_>) -> Result<Vec<SourceBatch>, DbError> {
    let advisories = match input.syntax {
        Syntax::Json => {
            let j: JsonAlas = input.json(FORMAT)?;
            let mut cves = j.cveids.unwrap_or_default();
            for r in j.references.into_iter().flatten() {
                if let (Some(id), Some("cve")) = (r.id, r.kind.as_deref())
                    && !cves.contains(&id)
                {
                    cves.push(id);
                }
            }
            vec![Alas {
                id: j.id,
                title: j.title,
                severity: j.severity,
                issued: j.issued.and_then(|d| d.date),
                updated: j.updated.and_then(|d| d.date),
                cves,
                collection: None,
                packages: j.packages.unwrap_or_default(),
            }]
        }
        _ => parse_updateinfo(input)?,
    };
    let mut batches: BTreeMap<String, SourceBatch> = BTreeMap::new();
    for alas in advisories {
        let (release, adv) = convert(input, alas)?;
        batches
            .entry(release.clone())
            .or_insert_with(|| SourceBatch::new(format!("{NAME}:{release}"), NAME))
            .advisories
            .push(adv);
    }
    Ok(batches.into_values().collect())
}

fn convert(input: &Input<'_>, a: Alas) -> Result<(String, NewAdvisory), DbError> {
    let id = a.id.trim().to_string();
    if !id.starts_with("ALAS") {
        return Err(input.malformed(FORMAT, format!("advisory id {id:?} is not an ALAS id")));
    }
    let (id_release, topic) = split_id(&id);
    let release = id_release
        .or_else(|| a.collection.as_deref().and_then(release_of_name))
        .or_else(|| a.title.as_deref().and_then(release_of_name))
        .ok_or_else(|| {
            input.malformed(
                FORMAT,
                format!("{id}: cannot tell the Amazon Linux release (id, collection or title)"),
            )
        })?;
    let mut adv = advisory(&id, NAME);
    // "Amazon Linux 2 2017.12 - ALAS2-2018-939: critical priority package update for kernel"
    adv.title = a
        .title
        .as_deref()
        .and_then(|t| t.split_once(": "))
        .map(|(_, t)| t.trim().to_string())
        .filter(|t| !t.is_empty());
    adv.published = a.issued;
    adv.modified = a.updated;
    for c in a.cves {
        let c = c.trim().to_string();
        if !c.is_empty() && !adv.aliases.contains(&c) {
            adv.aliases.push(c);
        }
    }
    let severity = rpm_fix::vendor_severity(a.severity.as_deref().unwrap_or_default())
        .map_err(|e| input.malformed(FORMAT, format!("{id}: {e}")))?;
    if let Some(s) = severity {
        adv.severity = Some(s);
        adv.severity_source = Some(NAME.into());
    }
    let mut fixes = Fixes::default();
    for p in &a.packages {
        if p.name.trim().is_empty() || p.version.trim().is_empty() || p.release.trim().is_empty() {
            return Err(input.malformed(
                FORMAT,
                format!("{id}: a package without name, version or release"),
            ));
        }
        let evr = rpm_fix::evr(p.epoch.as_deref(), p.version.trim(), p.release.trim());
        fixes.add(p.name.trim(), &evr, p.arch.as_deref());
    }
    let line = topic.as_deref().and_then(topic_version);
    let ecosystem = format!("Amazon Linux:{release}");
    let affected = fixes.into_affected(&ecosystem, true, |_, evr| match &line {
        Some(line) if on_line(evr, line) => {
            let epoch = evr.split_once(':').map(|(e, _)| format!("{e}:"));
            rpm_fix::between(&format!("{}{line}", epoch.unwrap_or_default()), evr)
        }
        _ => rpm_fix::plain("", evr),
    });
    Ok((
        release,
        NewAdvisory {
            advisory: adv,
            affected,
        },
    ))
}

/// `ALAS2-2018-939` → (`2`, none); `ALAS-2018-1093` → (`1`, none);
/// `ALAS2KERNEL-5.10-2022-002` → (`2`, `KERNEL-5.10`);
/// `ALASKERNEL-5.4-2022-007` → (none, `KERNEL-5.4`).
fn split_id(id: &str) -> (Option<String>, Option<String>) {
    let rest = id.strip_prefix("ALAS").unwrap_or(id);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let after = &rest[digits.len()..];
    let release = if !digits.is_empty() {
        Some(digits)
    } else if after.starts_with('-') {
        Some("1".to_string())
    } else {
        None
    };
    let segments: Vec<&str> = after.trim_start_matches('-').split('-').collect();
    let topic = (segments.len() > 2)
        .then(|| segments[..segments.len() - 2].join("-"))
        .filter(|t| !t.is_empty());
    (release, topic)
}

/// "Amazon Linux 2 2017.12 - …", "amazon-linux-2023", "Amazon Linux AMI …".
fn release_of_name(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase().replace('-', " ");
    let rest = lower.split("amazon linux").nth(1)?.trim_start();
    let word = rest.split_whitespace().next()?;
    if word == "ami" {
        return Some("1".into());
    }
    (!word.is_empty() && word.bytes().all(|b| b.is_ascii_digit())).then(|| word.to_string())
}

/// The version line an extras topic is about: `KERNEL-5.10` → `5.10`,
/// `PHP8.0` → `8.0`, `POSTGRESQL11` → `11`; `DOCKER` → none.
fn topic_version(topic: &str) -> Option<String> {
    let tail_len = topic
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .count();
    let tail = topic[topic.len() - tail_len..].trim_start_matches('.');
    tail.starts_with(|c: char| c.is_ascii_digit())
        .then(|| tail.trim_end_matches('.').to_string())
}

/// Whether `evr`'s version is on `line` (`5.10.62-55.141.amzn2` on `5.10`).
fn on_line(evr: &str, line: &str) -> bool {
    let v = evr.split_once(':').map_or(evr, |(_, v)| v);
    v.strip_prefix(line)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '-', '_']))
}

/// `updateinfo.xml`: `<updates><update type="security">…</update>…`.
fn parse_updateinfo(input: &Input<'_>) -> Result<Vec<Alas>, DbError> {
    let mut reader = Reader::from_reader(input.bytes);
    reader.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut current: Option<Alas> = None;
    let mut capture: Option<&'static str> = None;
    let mut text = String::new();
    let mut in_collection = false;
    let mut saw_root = false;
    let mut depth = 0usize;
    loop {
        buf.clear();
        let pos = reader.buffer_position();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| input.malformed(FORMAT, format!("XML error at byte {pos}: {e}")))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                if !empty {
                    depth += 1;
                }
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                match name.as_str() {
                    "updates" => saw_root = true,
                    "update" => {
                        // Bug-fix and enhancement notices fix no vulnerability.
                        let security = xml_attr(e, "type").is_none_or(|t| t == "security");
                        current = security.then(Alas::default);
                    }
                    _ => {}
                }
                let Some(a) = current.as_mut() else { continue };
                match name.as_str() {
                    "id" | "title" | "severity" if !empty => {
                        capture = Some(match name.as_str() {
                            "id" => "id",
                            "title" => "title",
                            _ => "severity",
                        });
                        text.clear();
                    }
                    "name" if in_collection && !empty => {
                        capture = Some("collection");
                        text.clear();
                    }
                    "issued" => a.issued = xml_attr(e, "date"),
                    "updated" => a.updated = xml_attr(e, "date"),
                    "reference" => {
                        if xml_attr(e, "type").as_deref() == Some("cve")
                            && let Some(id) = xml_attr(e, "id")
                            && !a.cves.contains(&id)
                        {
                            a.cves.push(id);
                        }
                    }
                    "collection" => {
                        in_collection = !empty;
                        if a.collection.is_none() {
                            a.collection = xml_attr(e, "short");
                        }
                    }
                    "package" => a.packages.push(Pkg {
                        name: xml_attr(e, "name").unwrap_or_default(),
                        epoch: xml_attr(e, "epoch"),
                        version: xml_attr(e, "version").unwrap_or_default(),
                        release: xml_attr(e, "release").unwrap_or_default(),
                        arch: xml_attr(e, "arch"),
                    }),
                    _ => {}
                }
            }
            Event::Text(t) if capture.is_some() => {
                let s = t
                    .xml_content()
                    .map_err(|e| input.malformed(FORMAT, format!("bad text at byte {pos}: {e}")))?;
                text.push_str(&s);
            }
            Event::GeneralRef(_) if capture.is_some() => {}
            Event::End(ref e) => {
                depth = depth.saturating_sub(1);
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if let (Some(what), Some(a)) = (capture.take(), current.as_mut()) {
                    let value = text.trim().to_string();
                    match what {
                        "id" => a.id = value,
                        "title" => a.title = Some(value),
                        "severity" => a.severity = Some(value).filter(|s| !s.is_empty()),
                        _ => a.collection = Some(value),
                    }
                }
                match name.as_str() {
                    "collection" => in_collection = false,
                    "update" => {
                        if let Some(a) = current.take() {
                            if a.id.is_empty() {
                                return Err(input.malformed(FORMAT, "an <update> without an <id>"));
                            }
                            out.push(a);
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        return Err(input.malformed(FORMAT, "no <updates> root element"));
    }
    if depth != 0 || current.is_some() {
        return Err(input.malformed(FORMAT, "document ends inside an element (truncated?)"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert_eq!(split_id("ALAS2-2018-939"), (Some("2".into()), None));
        assert_eq!(split_id("ALAS-2018-1093"), (Some("1".into()), None));
        assert_eq!(split_id("ALAS2023-2023-001"), (Some("2023".into()), None));
        assert_eq!(
            split_id("ALAS2KERNEL-5.10-2022-002"),
            (Some("2".into()), Some("KERNEL-5.10".into()))
        );
        assert_eq!(
            split_id("ALASKERNEL-5.4-2022-007"),
            (None, Some("KERNEL-5.4".into()))
        );
        assert_eq!(
            split_id("ALAS2NITRO-ENCLAVES-2022-001"),
            (Some("2".into()), Some("NITRO-ENCLAVES".into()))
        );
    }

    #[test]
    fn names_and_topics() {
        assert_eq!(
            release_of_name("Amazon Linux 2 2017.12 - ALAS2-2018-939: x").as_deref(),
            Some("2")
        );
        assert_eq!(
            release_of_name("amazon-linux-2023").as_deref(),
            Some("2023")
        );
        assert_eq!(
            release_of_name("Amazon Linux AMI 2014.03 - ALAS-2018-1093").as_deref(),
            Some("1")
        );
        assert_eq!(release_of_name("Fedora 39"), None);
        assert_eq!(topic_version("KERNEL-5.10").as_deref(), Some("5.10"));
        assert_eq!(topic_version("PHP8.0").as_deref(), Some("8.0"));
        assert_eq!(topic_version("POSTGRESQL11").as_deref(), Some("11"));
        assert_eq!(topic_version("DOCKER"), None);
        assert!(on_line("5.10.62-55.141.amzn2", "5.10"));
        assert!(!on_line("5.15.1-1.amzn2", "5.1"));
    }
}
