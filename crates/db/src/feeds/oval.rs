//! A reader for OVAL definition files (Debian, Ubuntu, Red Hat, Rocky),
//! keeping what the package-level importers need: each definition's
//! metadata and criteria tree, and the tests, objects, states and constant
//! variables those criteria point to. Distro modules interpret the result.
//!
//! OVAL's full evaluation model (uname patterns, file contents, kernel
//! variables) is not reproduced: only package tests with an
//! "evr less than" state name a package and its fixed version, and that is
//! all an image scan can check.

use super::xml_attr;
use crate::error::DbError;
use crate::model::Advisory;
use crate::scoring;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;

#[derive(Debug, Default)]
pub(crate) struct Oval {
    pub definitions: Vec<Definition>,
    pub tests: HashMap<String, Test>,
    pub objects: HashMap<String, Object>,
    pub states: HashMap<String, State>,
    /// Constant variables: id → values (Ubuntu lists binary packages so).
    pub variables: HashMap<String, Vec<String>>,
}

#[derive(Debug, Default)]
pub(crate) struct Definition {
    pub id: String,
    pub class: String,
    pub title: Option<String>,
    /// `(source, ref_id)` pairs: `("CVE", "CVE-2022-1")`, `("USN", …)`.
    pub references: Vec<(String, String)>,
    pub platforms: Vec<String>,
    pub severity: Option<String>,
    pub issued: Option<String>,
    pub updated: Option<String>,
    /// `<advisory from="…">` (Rocky puts its release CPE there).
    pub advisory_from: Option<String>,
    pub cpes: Vec<String>,
    pub cves: Vec<CveRef>,
    pub criteria: Option<Criteria>,
}

impl Definition {
    /// Copies the definition's dates, its references and `<cve>` ids as
    /// aliases (other than `id` itself), and the CVEs' CVSS vectors
    /// (attributed to `cvss_source`) into `adv`.
    pub(crate) fn fill_advisory(&self, adv: &mut Advisory, id: &str, cvss_source: &str) {
        adv.published = self.issued.clone();
        adv.modified = self.updated.clone();
        for (_, r) in &self.references {
            if r != id && !adv.aliases.contains(r) {
                adv.aliases.push(r.clone());
            }
        }
        for c in &self.cves {
            if !c.id.is_empty() && c.id != id && !adv.aliases.contains(&c.id) {
                adv.aliases.push(c.id.clone());
            }
            if let Some(v) = &c.cvss_vector {
                adv.cvss
                    .extend(scoring::entry(v, c.cvss_score, cvss_source));
            }
        }
    }
}

/// A `<cve>` element of a definition's advisory block.
#[derive(Debug, Default, Clone)]
pub(crate) struct CveRef {
    pub id: String,
    /// Ubuntu `priority`, Red Hat `impact`.
    pub priority: Option<String>,
    /// Ubuntu `cvss_vector`; Red Hat `cvss3` (`score/vector`).
    pub cvss_vector: Option<String>,
    pub cvss_score: Option<f64>,
}

#[derive(Debug, Default)]
pub(crate) struct Criteria {
    pub operator: String,
    pub nodes: Vec<Node>,
}

#[derive(Debug)]
pub(crate) enum Node {
    Criteria(Criteria),
    Criterion {
        test_ref: String,
        comment: Option<String>,
    },
}

#[derive(Debug, Default)]
pub(crate) struct Test {
    /// Element name without namespace: `dpkginfo_test`, `rpminfo_test`, …
    pub kind: String,
    pub object_ref: Option<String>,
    pub state_refs: Vec<String>,
}

#[derive(Debug, Default)]
pub(crate) struct Object {
    pub name: Option<String>,
    pub name_var_ref: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    /// `(operation, value)` of an `<evr>` child.
    pub evr: Option<(String, String)>,
}

impl Oval {
    /// The package names an object stands for.
    pub fn object_names(&self, object_ref: &str) -> Vec<String> {
        let Some(obj) = self.objects.get(object_ref) else {
            return Vec::new();
        };
        if let Some(name) = &obj.name {
            return vec![name.clone()];
        }
        obj.name_var_ref
            .as_ref()
            .and_then(|v| self.variables.get(v))
            .cloned()
            .unwrap_or_default()
    }

    /// For a package test with an "evr less than" state: the package names
    /// and the version they must be below.
    pub fn less_than(&self, test_ref: &str) -> Option<(Vec<String>, String)> {
        let test = self
            .tests
            .get(test_ref)
            .filter(|t| t.kind == "dpkginfo_test" || t.kind == "rpminfo_test")?;
        let evr = test
            .state_refs
            .iter()
            .filter_map(|s| self.states.get(s))
            .find_map(|s| s.evr.as_ref().filter(|(op, _)| op == "less than"))?;
        let names = self.object_names(test.object_ref.as_deref()?);
        Some((names, evr.1.clone()))
    }
}

impl Criteria {
    /// Calls `f` for every criterion below this node with the comments of
    /// the criteria that must hold with it: those in its own and every
    /// enclosing `AND` group (Red Hat states "Module nodejs:18 is enabled"
    /// next to the group listing that stream's packages), depth first.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a str, &[&'a str])) {
        self.walk_in(&mut Vec::new(), f);
    }

    fn walk_in<'a>(&'a self, context: &mut Vec<&'a str>, f: &mut dyn FnMut(&'a str, &[&'a str])) {
        let before = context.len();
        if self.operator.eq_ignore_ascii_case("AND") {
            context.extend(self.nodes.iter().filter_map(|n| match n {
                Node::Criterion {
                    comment: Some(c), ..
                } => Some(c.as_str()),
                _ => None,
            }));
        }
        for node in &self.nodes {
            match node {
                Node::Criterion { test_ref, .. } => f(test_ref, context),
                Node::Criteria(c) => c.walk_in(context, f),
            }
        }
        context.truncate(before);
    }
}

/// Where text is being collected to.
#[derive(Clone, Copy, PartialEq)]
enum Capture {
    Title,
    Platform,
    Severity,
    Cpe,
    Cve,
    ObjectName,
    Evr,
    VarValue,
}

#[derive(Clone, Copy, PartialEq)]
enum Section {
    None,
    Definitions,
    Tests,
    Objects,
    States,
    Variables,
}

/// Parses an OVAL definitions document.
pub(crate) fn parse(path: &str, format: &'static str, bytes: &[u8]) -> Result<Oval, DbError> {
    let bad = |m: String| DbError::malformed(path, format, m);
    let mut reader = Reader::from_reader(bytes);
    // Not trimmed per event: text around an entity (`a &amp; b`) arrives
    // in pieces, and trimming those would eat the spaces.
    reader.config_mut().trim_text(false);
    let mut oval = Oval::default();
    let mut buf = Vec::new();
    let mut section = Section::None;
    let mut depth_in_section = 0usize;
    let mut def: Option<Definition> = None;
    let mut criteria: Vec<Criteria> = Vec::new();
    let mut test: Option<(String, Test)> = None;
    let mut object: Option<(String, Object)> = None;
    let mut state: Option<(String, State)> = None;
    let mut variable: Option<(String, Vec<String>)> = None;
    let mut capture: Option<Capture> = None;
    let mut text = String::new();
    let mut evr_op = String::new();
    let mut saw_root = false;

    let mut open_elements = 0usize;
    loop {
        buf.clear();
        let pos = reader.buffer_position();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| bad(format!("XML error at byte {pos}: {e}")))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                if !empty {
                    open_elements += 1;
                }
                let name = local(e);
                if name == "oval_definitions" {
                    saw_root = true;
                }
                if section == Section::None {
                    section = match name.as_str() {
                        "definitions" => Section::Definitions,
                        "tests" => Section::Tests,
                        "objects" => Section::Objects,
                        // vunnel's SUSE sample spells the section `<state>`.
                        "states" | "state" => Section::States,
                        "variables" => Section::Variables,
                        _ => Section::None,
                    };
                    depth_in_section = 0;
                    if section != Section::None && empty {
                        section = Section::None;
                    }
                    continue;
                }
                if !empty {
                    depth_in_section += 1;
                }
                match section {
                    Section::Definitions => match name.as_str() {
                        "definition" => {
                            def = Some(Definition {
                                id: xml_attr(e, "id").unwrap_or_default(),
                                class: xml_attr(e, "class").unwrap_or_default(),
                                ..Definition::default()
                            });
                        }
                        "title" if criteria.is_empty() => capture = Some(Capture::Title),
                        "platform" => capture = Some(Capture::Platform),
                        "severity" => capture = Some(Capture::Severity),
                        "cpe" => capture = Some(Capture::Cpe),
                        "reference" => {
                            if let (Some(d), Some(src), Some(id)) =
                                (def.as_mut(), xml_attr(e, "source"), xml_attr(e, "ref_id"))
                            {
                                d.references.push((src, id));
                            }
                        }
                        "advisory" => {
                            if let Some(d) = def.as_mut() {
                                d.advisory_from = xml_attr(e, "from");
                            }
                        }
                        "issued" | "updated" => {
                            if let Some(d) = def.as_mut() {
                                let date = xml_attr(e, "date");
                                if name == "issued" {
                                    d.issued = date;
                                } else {
                                    d.updated = date;
                                }
                            }
                        }
                        "cve" => {
                            if let Some(d) = def.as_mut() {
                                let mut c = CveRef {
                                    priority: xml_attr(e, "priority")
                                        .or_else(|| xml_attr(e, "impact")),
                                    cvss_vector: xml_attr(e, "cvss_vector"),
                                    cvss_score: xml_attr(e, "cvss_score")
                                        .and_then(|s| s.parse().ok()),
                                    ..CveRef::default()
                                };
                                if let Some(rh) = xml_attr(e, "cvss3") {
                                    // Red Hat: "7.5/CVSS:3.1/AV:N/…"
                                    if let Some((score, vector)) = rh.split_once('/') {
                                        c.cvss_score = score.parse().ok();
                                        c.cvss_vector = Some(vector.to_string());
                                    }
                                }
                                d.cves.push(c);
                                if !empty {
                                    capture = Some(Capture::Cve);
                                }
                            }
                        }
                        "criteria" => {
                            let c = Criteria {
                                operator: xml_attr(e, "operator").unwrap_or_else(|| "AND".into()),
                                nodes: Vec::new(),
                            };
                            if empty {
                                attach(&mut criteria, &mut def, c);
                            } else {
                                criteria.push(c);
                            }
                        }
                        "criterion" => {
                            if let (Some(top), Some(test_ref)) =
                                (criteria.last_mut(), xml_attr(e, "test_ref"))
                            {
                                top.nodes.push(Node::Criterion {
                                    test_ref,
                                    comment: xml_attr(e, "comment"),
                                });
                            }
                        }
                        _ => {}
                    },
                    Section::Tests => {
                        if name.ends_with("_test") {
                            test = Some((
                                xml_attr(e, "id").unwrap_or_default(),
                                Test {
                                    kind: name.clone(),
                                    ..Test::default()
                                },
                            ));
                        } else if let Some((_, t)) = test.as_mut() {
                            if name == "object" {
                                t.object_ref = xml_attr(e, "object_ref");
                            } else if name == "state" {
                                t.state_refs.extend(xml_attr(e, "state_ref"));
                            }
                        }
                        if empty
                            && name.ends_with("_test")
                            && let Some((id, t)) = test.take()
                        {
                            oval.tests.insert(id, t);
                        }
                    }
                    Section::Objects => {
                        if name.ends_with("_object") {
                            object =
                                Some((xml_attr(e, "id").unwrap_or_default(), Object::default()));
                            if empty && let Some((id, o)) = object.take() {
                                oval.objects.insert(id, o);
                            }
                        } else if name == "name"
                            && let Some((_, o)) = object.as_mut()
                        {
                            o.name_var_ref = xml_attr(e, "var_ref");
                            if !empty {
                                capture = Some(Capture::ObjectName);
                            }
                        }
                    }
                    Section::States => {
                        if name.ends_with("_state") {
                            state = Some((xml_attr(e, "id").unwrap_or_default(), State::default()));
                            if empty && let Some((id, s)) = state.take() {
                                oval.states.insert(id, s);
                            }
                        } else if name == "evr" && !empty {
                            evr_op = xml_attr(e, "operation").unwrap_or_else(|| "equals".into());
                            capture = Some(Capture::Evr);
                        }
                    }
                    Section::Variables => {
                        if name == "constant_variable" {
                            variable = Some((xml_attr(e, "id").unwrap_or_default(), Vec::new()));
                        } else if name == "value" && !empty && variable.is_some() {
                            capture = Some(Capture::VarValue);
                        }
                    }
                    Section::None => {}
                }
                if capture.is_some() {
                    text.clear();
                }
            }
            Event::Text(t) if capture.is_some() => {
                let s = t
                    .xml_content()
                    .map_err(|e| bad(format!("bad text at byte {pos}: {e}")))?;
                text.push_str(&s);
            }
            Event::CData(t) if capture.is_some() => {
                text.push_str(&String::from_utf8_lossy(&t));
            }
            Event::GeneralRef(r) if capture.is_some() => match r.resolve_char_ref() {
                Ok(Some(c)) => text.push(c),
                _ => {
                    let name = String::from_utf8_lossy(&r);
                    text.push_str(match name.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            },
            Event::End(ref e) => {
                open_elements = open_elements.saturating_sub(1);
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if section == Section::None {
                    continue;
                }
                if depth_in_section == 0 {
                    // The end of the section element itself.
                    section = Section::None;
                    continue;
                }
                depth_in_section -= 1;
                if let Some(c) = capture.take() {
                    let value = text.trim().to_string();
                    text.clear();
                    match c {
                        Capture::Title => set(&mut def, |d| d.title = Some(value)),
                        Capture::Platform => set(&mut def, |d| d.platforms.push(value)),
                        Capture::Severity => set(&mut def, |d| d.severity = Some(value)),
                        Capture::Cpe => set(&mut def, |d| d.cpes.push(value)),
                        Capture::Cve => set(&mut def, |d| {
                            if let Some(c) = d.cves.last_mut() {
                                c.id = value;
                            }
                        }),
                        Capture::ObjectName => {
                            if let Some((_, o)) = object.as_mut() {
                                o.name = Some(value);
                            }
                        }
                        Capture::Evr => {
                            if let Some((_, s)) = state.as_mut() {
                                s.evr = Some((std::mem::take(&mut evr_op), value));
                            }
                        }
                        Capture::VarValue => {
                            if let Some((_, v)) = variable.as_mut() {
                                v.push(value);
                            }
                        }
                    }
                }
                match section {
                    Section::Definitions => match name.as_str() {
                        "criteria" => {
                            if let Some(c) = criteria.pop() {
                                attach(&mut criteria, &mut def, c);
                            }
                        }
                        "definition" => {
                            if let Some(d) = def.take() {
                                oval.definitions.push(d);
                            }
                            criteria.clear();
                        }
                        _ => {}
                    },
                    Section::Tests if name.ends_with("_test") => {
                        if let Some((id, t)) = test.take() {
                            oval.tests.insert(id, t);
                        }
                    }
                    Section::Objects if name.ends_with("_object") => {
                        if let Some((id, o)) = object.take() {
                            oval.objects.insert(id, o);
                        }
                    }
                    Section::States if name.ends_with("_state") => {
                        if let Some((id, s)) = state.take() {
                            oval.states.insert(id, s);
                        }
                    }
                    Section::Variables if name == "constant_variable" => {
                        if let Some((id, v)) = variable.take() {
                            oval.variables.insert(id, v);
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
        return Err(bad("no <oval_definitions> root element".into()));
    }
    if open_elements != 0 || section != Section::None || def.is_some() {
        return Err(bad("document ends inside an element (truncated?)".into()));
    }
    Ok(oval)
}

fn set(def: &mut Option<Definition>, f: impl FnOnce(&mut Definition)) {
    if let Some(d) = def.as_mut() {
        f(d);
    }
}

/// Hangs a finished `criteria` under its parent, or on the definition.
fn attach(stack: &mut [Criteria], def: &mut Option<Definition>, c: Criteria) {
    match stack.last_mut() {
        Some(parent) => parent.nodes.push(Node::Criteria(c)),
        None => set(def, |d| d.criteria = Some(c)),
    }
}

fn local(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).into_owned()
}

/// `0:1.2-3` → `1.2-3`: dpkg treats a missing epoch as 0, and the short
/// form is what users and the other feeds show.
pub(crate) fn strip_zero_epoch(v: &str) -> &str {
    v.strip_prefix("0:").unwrap_or(v)
}

/// The `<oval_definitions` root and a vendor marker near the start.
pub(crate) fn is_oval(head: &str, marker: &str) -> bool {
    head.contains("oval_definitions") && head.contains(marker)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"<?xml version="1.0"?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:linux="x">
  <definitions>
    <definition id="oval:x:def:1" class="patch">
      <metadata>
        <title>USN-1-1 -- a &amp; b</title>
        <reference source="CVE" ref_id="CVE-2024-1"/>
        <advisory><severity>Medium</severity>
          <cve priority="medium" cvss_score="5.5" cvss_vector="CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H">CVE-2024-1</cve>
        </advisory>
      </metadata>
      <criteria operator="OR">
        <criteria operator="AND">
          <criterion test_ref="t1" comment="Module m:1 is enabled"/>
          <criterion test_ref="t2"/>
        </criteria>
        <criteria/>
      </criteria>
    </definition>
  </definitions>
  <tests>
    <linux:dpkginfo_test id="t2"><linux:object object_ref="o1"/><linux:state state_ref="s1"/></linux:dpkginfo_test>
  </tests>
  <objects>
    <linux:dpkginfo_object id="o1"><linux:name var_ref="v1"/></linux:dpkginfo_object>
  </objects>
  <states>
    <linux:dpkginfo_state id="s1"><linux:evr datatype="debian_evr_string" operation="less than">0:1.2-3</linux:evr></linux:dpkginfo_state>
  </states>
  <variables>
    <constant_variable id="v1"><value>libfoo1</value><value>foo-bin</value></constant_variable>
  </variables>
</oval_definitions>"#;

    #[test]
    fn reads_definitions_and_resolves_tests() {
        let oval = parse("t.xml", "OVAL", DOC.as_bytes()).expect("parse");
        assert_eq!(oval.definitions.len(), 1);
        let d = &oval.definitions[0];
        assert_eq!(d.title.as_deref(), Some("USN-1-1 -- a & b"));
        assert_eq!(
            d.references,
            [("CVE".to_string(), "CVE-2024-1".to_string())]
        );
        assert_eq!(d.cves[0].id, "CVE-2024-1");
        assert_eq!(d.cves[0].cvss_score, Some(5.5));
        let mut seen = Vec::new();
        d.criteria.as_ref().expect("criteria").walk(&mut |t, sib| {
            seen.push((t.to_string(), sib.len()));
        });
        assert_eq!(seen, [("t1".to_string(), 1), ("t2".to_string(), 1)]);
        let (names, evr) = oval.less_than("t2").expect("package test");
        assert_eq!(names, ["libfoo1", "foo-bin"]);
        assert_eq!(evr, "0:1.2-3");
        assert!(oval.less_than("t1").is_none());
    }

    #[test]
    fn truncated_documents_are_errors() {
        let cut = &DOC[..DOC.len() / 2];
        let err = parse("cut.xml", "OVAL", cut.as_bytes()).expect_err("truncated");
        assert!(err.to_string().contains("cut.xml"), "{err}");
        let err = parse("other.xml", "OVAL", b"<html><body/></html>").expect_err("not oval");
        assert!(err.to_string().contains("oval_definitions"), "{err}");
    }
}
