//! Ignore rules: findings the user has decided to accept, for now.
//!
//! Two spellings of one idea:
//! - **plain** (`.tidewatchignore`): one advisory id per line, `#`
//!   comments, optionally `exp:YYYY-MM-DD` after the id (as Trivy's
//!   `.trivyignore` has it);
//! - **structured** (`.tidewatchignore.yaml` / `.yml` / `.toml`): a list
//!   `ignore` of rules with `id`, `package` (a purl or a package name, or
//!   a list of them), `path` (a glob over the path the finding was read
//!   from, or a list), `reason` and `expires`. Trivy's spelling
//!   (`vulnerabilities`, `purls`, `paths`, `statement`, `expired_at`) is
//!   read too so that existing files can be pointed at directly.
//!
//! A rule matches a finding when every criterion it gives matches: the id
//! is the finding's id or one of its aliases, the package is the finding's
//! (purl compared as [`PurlPattern`] does, or the exact name), the path
//! glob matches its path. A rule applies strictly before its `expires`
//! date (on that day it has expired, as in Trivy); expired rules suppress
//! nothing and each yields a warning so that the file gets cleaned up.

use crate::purl_match::PurlPattern;
use globset::{Glob, GlobMatcher};
use jiff::civil::Date;
use serde::Deserialize;
use std::path::Path;
use tidewatch_types::{Finding, Suppressed, Warning};

/// The `reason` suppressed findings carry.
pub const IGNORE_REASON: &str = "ignore-file";

#[derive(Debug, thiserror::Error)]
pub enum IgnoreError {
    #[error("cannot read ignore file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Line {
        path: String,
        line: usize,
        message: String,
    },
    /// Not valid YAML/TOML, or not the shape of an ignore file; `at` is
    /// `path:line:column` when the parser knows where.
    #[error("{at}: {message}")]
    Syntax { at: String, message: String },
    /// A rule with a wrong value; `at` is `path:line` of the field (or of
    /// the rule) when known.
    #[error("{at}: rule {rule}: {field}: {message}")]
    Field {
        at: String,
        /// 1-based position in the rule list.
        rule: usize,
        field: &'static str,
        message: String,
    },
}

/// What a package criterion names.
#[derive(Debug, Clone)]
enum PackageSelector {
    Purl(PurlPattern),
    Name(String),
}

impl PackageSelector {
    fn matches(&self, f: &Finding) -> bool {
        match self {
            PackageSelector::Purl(p) => p.matches(&f.package.purl),
            PackageSelector::Name(n) => f.package.name == *n,
        }
    }
}

/// One rule of an ignore file.
#[derive(Debug, Clone)]
pub struct IgnoreRule {
    id: Option<String>,
    packages: Vec<PackageSelector>,
    paths: Vec<(String, GlobMatcher)>,
    reason: Option<String>,
    expires: Option<Date>,
    /// Where the rule is: `line 3` or `rule 2`.
    position: String,
}

impl IgnoreRule {
    fn matches(&self, f: &Finding) -> bool {
        let id_ok = self.id.as_deref().is_none_or(|id| {
            f.id.eq_ignore_ascii_case(id) || f.aliases.iter().any(|a| a.eq_ignore_ascii_case(id))
        });
        let pkg_ok = self.packages.is_empty() || self.packages.iter().any(|p| p.matches(f));
        let path_ok = self.paths.is_empty()
            || f.path.as_deref().is_some_and(|p| {
                self.paths
                    .iter()
                    .any(|(_, g)| g.is_match(p.trim_start_matches('/')))
            });
        id_ok && pkg_ok && path_ok
    }

    fn describe(&self) -> String {
        let mut what = Vec::new();
        if let Some(id) = &self.id {
            what.push(id.clone());
        }
        for p in &self.packages {
            what.push(match p {
                PackageSelector::Purl(p) => p.as_str().to_string(),
                PackageSelector::Name(n) => format!("package {n}"),
            });
        }
        for (g, _) in &self.paths {
            what.push(format!("path {g}"));
        }
        what.join(", ")
    }
}

/// The rules of one ignore file.
#[derive(Debug, Clone)]
pub struct IgnoreFile {
    path: String,
    rules: Vec<IgnoreRule>,
}

/// Findings after suppression: what is still reported, what was
/// suppressed and why, and warnings (expired rules).
#[derive(Debug, Default)]
pub struct Suppression {
    pub kept: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    pub warnings: Vec<Warning>,
}

impl IgnoreFile {
    /// Read and parse the ignore file at `path`; the format follows the
    /// extension (`.yaml`/`.yml`, `.toml`, anything else plain).
    pub fn load(path: &Path) -> Result<IgnoreFile, IgnoreError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| IgnoreError::Io {
            path: shown.clone(),
            source,
        })?;
        IgnoreFile::parse(&text, &shown)
    }

    /// Parse ignore rules; `path` names the file in errors and chooses the
    /// format by its extension.
    pub fn parse(text: &str, path: &str) -> Result<IgnoreFile, IgnoreError> {
        // Editors on Windows start UTF-8 files with a byte-order mark; left
        // in, it would become part of the first id, which then never matches.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            let doc: Structured<serde_saphyr::Spanned<RawRule>> = if text.trim().is_empty() {
                Structured::default()
            } else {
                serde_saphyr::from_str(text).map_err(|e| yaml_error(&e, path))?
            };
            let rules = doc
                .ignore
                .into_iter()
                .map(|r| {
                    let line = usize::try_from(r.referenced.line()).ok().filter(|l| *l > 0);
                    (r.value, line)
                })
                .collect();
            IgnoreFile::from_structured(rules, text, path)
        } else if lower.ends_with(".toml") {
            let doc: Structured<toml::Spanned<RawRule>> =
                toml::from_str(text).map_err(|e| toml_error(&e, text, path))?;
            let rules = doc
                .ignore
                .into_iter()
                .map(|r| {
                    let line = line_of(text, r.span().start);
                    (r.into_inner(), Some(line))
                })
                .collect();
            IgnoreFile::from_structured(rules, text, path)
        } else {
            IgnoreFile::parse_plain(text, path)
        }
    }

    fn parse_plain(text: &str, path: &str) -> Result<IgnoreFile, IgnoreError> {
        let mut rules = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let err = |message: String| IgnoreError::Line {
                path: path.to_string(),
                line,
                message,
            };
            let content = raw.split('#').next().unwrap_or("").trim();
            if content.is_empty() {
                continue;
            }
            let mut words = content.split_whitespace();
            let Some(id) = words.next() else { continue };
            if id.ends_with(':') || id.contains('=') || id.starts_with('[') || id.starts_with('-') {
                return Err(err(format!(
                    "{id:?} is not an advisory id (a YAML or TOML ignore file must be named *.yaml or *.toml)"
                )));
            }
            let mut expires = None;
            for w in words {
                match w.strip_prefix("exp:") {
                    Some(d) => expires = Some(parse_date(d).map_err(err)?),
                    None => {
                        return Err(err(format!(
                            "unexpected {w:?} after the id (only `exp:YYYY-MM-DD` may follow)"
                        )));
                    }
                }
            }
            rules.push(IgnoreRule {
                id: Some(id.to_string()),
                packages: Vec::new(),
                paths: Vec::new(),
                reason: None,
                expires,
                position: format!("line {line}"),
            });
        }
        Ok(IgnoreFile {
            path: path.to_string(),
            rules,
        })
    }

    /// `raw` are the rules with the line each starts on, when known.
    fn from_structured(
        raw: Vec<(RawRule, Option<usize>)>,
        text: &str,
        path: &str,
    ) -> Result<IgnoreFile, IgnoreError> {
        let starts: Vec<Option<usize>> = raw.iter().map(|(_, l)| *l).collect();
        let mut rules = Vec::new();
        for (i, (r, start)) in raw.into_iter().enumerate() {
            let rule = i + 1;
            let end = starts.get(i + 1).copied().flatten();
            let err = |field: &'static str, message: String| IgnoreError::Field {
                at: match start.map(|s| field_line(text, field, s, end)) {
                    Some(line) => format!("{path}:{line}"),
                    None => path.to_string(),
                },
                rule,
                field,
                message,
            };
            let id = r.id.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            let mut packages = Vec::new();
            for p in r.package.into_vec() {
                let p = p.trim();
                if p.is_empty() {
                    return Err(err("package", "empty package".into()));
                }
                packages.push(if p.starts_with("pkg:") {
                    PackageSelector::Purl(
                        PurlPattern::parse(p)
                            .map_err(|e| err("package", format!("invalid purl {p:?}: {e}")))?,
                    )
                } else {
                    PackageSelector::Name(p.to_string())
                });
            }
            let mut paths = Vec::new();
            for g in r.path.into_vec() {
                let pattern = g.trim().trim_start_matches('/').to_string();
                if pattern.is_empty() {
                    return Err(err("path", "empty glob".into()));
                }
                let glob = Glob::new(&pattern)
                    .map_err(|e| err("path", format!("invalid glob {g:?}: {e}")))?;
                paths.push((pattern, glob.compile_matcher()));
            }
            if id.is_none() && packages.is_empty() && paths.is_empty() {
                return Err(err(
                    "id",
                    "a rule needs at least one of id, package or path".into(),
                ));
            }
            let expires = match r.expires {
                Some(d) => Some(parse_date(&d.text()).map_err(|m| err("expires", m))?),
                None => None,
            };
            rules.push(IgnoreRule {
                id,
                packages,
                paths,
                reason: r.reason.filter(|s| !s.trim().is_empty()),
                expires,
                position: format!("rule {rule}"),
            });
        }
        Ok(IgnoreFile {
            path: path.to_string(),
            rules,
        })
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Suppress the findings a live rule matches, as of `today`.
    pub fn apply(&self, findings: Vec<Finding>, today: Date) -> Suppression {
        apply_ignore_files(std::slice::from_ref(self), findings, today)
    }
}

/// Apply several ignore files at once (the first live rule that matches
/// is the one recorded).
pub fn apply_ignore_files(
    files: &[IgnoreFile],
    findings: Vec<Finding>,
    today: Date,
) -> Suppression {
    let mut out = Suppression::default();
    let mut live: Vec<(&IgnoreFile, &IgnoreRule)> = Vec::new();
    for file in files {
        for rule in &file.rules {
            match rule.expires {
                Some(d) if d <= today => out.warnings.push(Warning::new(
                    file.path.clone(),
                    format!(
                        "{}: the ignore rule for {} expired on {d} and no longer applies",
                        rule.position,
                        rule.describe()
                    ),
                )),
                _ => live.push((file, rule)),
            }
        }
    }
    for f in findings {
        match live.iter().find(|(_, r)| r.matches(&f)) {
            Some((file, rule)) => {
                let mut detail = format!("{} {}", file.path, rule.position);
                if let Some(reason) = &rule.reason {
                    detail.push_str(": ");
                    detail.push_str(reason);
                }
                if let Some(d) = rule.expires {
                    detail.push_str(&format!(" (until {d})"));
                }
                out.suppressed.push(Suppressed {
                    finding: f,
                    reason: IGNORE_REASON.to_string(),
                    detail: Some(detail),
                });
            }
            None => out.kept.push(f),
        }
    }
    out
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let before = text.get(..offset).unwrap_or(text);
    before.bytes().filter(|b| *b == b'\n').count() + 1
}

/// The names a rule field may be written as (see [`RawRule`]).
fn field_names(field: &str) -> &'static [&'static str] {
    match field {
        "id" => &["id"],
        "package" => &["package", "packages", "purls", "purl"],
        "path" => &["path", "paths"],
        "reason" => &["reason", "statement"],
        "expires" => &["expires", "expired_at"],
        _ => &[],
    }
}

/// The line of `field` within the rule that starts on line `start` (and
/// ends before the next rule's line, when there is one): the first line
/// there whose key is one of the field's names. For a TOML inline table
/// or a YAML flow mapping the whole rule is one line, which is then the
/// answer; a missing field (`id` when none is given) is the rule's line.
fn field_line(text: &str, field: &str, start: usize, end: Option<usize>) -> usize {
    let names = field_names(field);
    text.lines()
        .enumerate()
        .skip(start.saturating_sub(1))
        .take_while(|(i, _)| end.is_none_or(|e| i + 1 < e))
        .find(|(_, l)| {
            let key = l.trim_start().trim_start_matches("- ").trim_start();
            names.iter().any(|n| {
                key.strip_prefix(n)
                    .is_some_and(|rest| rest.trim_start().starts_with([':', '=']))
            })
        })
        .map_or(start, |(i, _)| i + 1)
}

/// A YAML error on one line: `path:line:column: message`.
fn yaml_error(e: &serde_saphyr::Error, path: &str) -> IgnoreError {
    let message = e.render_with_options(serde_saphyr::render_options! {
        formatter: &serde_saphyr::UserMessageFormatter,
        snippets: serde_saphyr::SnippetMode::Off,
    });
    let (at, message) = match e.location().filter(|l| l.line() > 0) {
        Some(l) => {
            // The renderer appends the position, which `at` already gives.
            let suffix = format!(" at line {}, column {}", l.line(), l.column());
            let message = message
                .strip_suffix(&suffix)
                .unwrap_or(&message)
                .to_string();
            (format!("{path}:{}:{}", l.line(), l.column()), message)
        }
        None => (path.to_string(), message),
    };
    IgnoreError::Syntax {
        at,
        message: one_line_message(&message),
    }
}

/// A TOML error on one line: `path:line:column: message`.
fn toml_error(e: &toml::de::Error, text: &str, path: &str) -> IgnoreError {
    let at = match e.span() {
        Some(span) => {
            let line = line_of(text, span.start);
            let line_start = text
                .get(..span.start)
                .and_then(|b| b.rfind('\n'))
                .map_or(0, |i| i + 1);
            let column = text
                .get(line_start..span.start)
                .map_or(1, |s| s.chars().count() + 1);
            format!("{path}:{line}:{column}")
        }
        None => path.to_string(),
    };
    IgnoreError::Syntax {
        at,
        message: one_line_message(e.message()),
    }
}

/// Parser messages squeezed onto one line (the CLI prints one line per
/// error).
fn one_line_message(m: &str) -> String {
    m.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn parse_date(s: &str) -> Result<Date, String> {
    s.trim()
        .parse::<Date>()
        .map_err(|e| format!("invalid date {s:?} (expected YYYY-MM-DD): {e}"))
}

/// A YAML or TOML ignore file; `R` is the rule wrapped in the parser's
/// own span type, so errors can name the line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Structured<R> {
    #[serde(default = "Vec::new", alias = "vulnerabilities")]
    ignore: Vec<R>,
}

impl<R> Default for Structured<R> {
    fn default() -> Self {
        Structured { ignore: Vec::new() }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    #[serde(default)]
    id: Option<String>,
    #[serde(default, alias = "packages", alias = "purls", alias = "purl")]
    package: OneOrMany,
    #[serde(default, alias = "paths")]
    path: OneOrMany,
    #[serde(default, alias = "statement")]
    reason: Option<String>,
    #[serde(default, alias = "expired_at")]
    expires: Option<DateValue>,
}

/// A field that takes one string or a list of them.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// A date written as a string (YAML, quoted TOML) or a TOML date.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum DateValue {
    Text(String),
    Toml(toml::value::Datetime),
}

impl DateValue {
    fn text(&self) -> String {
        match self {
            DateValue::Text(s) => s.clone(),
            DateValue::Toml(d) => d.to_string(),
        }
    }
}
