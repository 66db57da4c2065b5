//! The human-readable table: a heading per target with the OS and counts,
//! the findings in `--sort-by` order (severity, EPSS or KEV first) with a
//! `[KEV]` marker and an EPSS column when any finding has a score,
//! optionally the package inventory, and the warnings that make a result
//! less complete than it looks.

use crate::document::{base_layers, is_base, layer_label, status_text};
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;
use tidewatch_types::{Finding, Report, Severity};

/// How the findings table is split (`--group-by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupBy {
    /// One table, most severe first.
    #[default]
    Severity,
    /// A heading and a table per layer that brought findings in (index,
    /// short diff_id, `created_by`, whether the base image brought it),
    /// lowest layer first: tells which Dockerfile step to fix.
    Layer,
}

impl fmt::Display for GroupBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GroupBy::Severity => "severity",
            GroupBy::Layer => "layer",
        })
    }
}

impl FromStr for GroupBy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "layer" => Ok(GroupBy::Layer),
            "severity" | "none" => Ok(GroupBy::Severity),
            other => Err(format!(
                "unknown grouping {other:?} (expected layer or severity)"
            )),
        }
    }
}

/// The order of findings (`--sort-by`), shared by every format: the CLI
/// sorts the report with [`sort_findings`] and the table keeps that order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    /// Most severe first.
    #[default]
    Severity,
    /// Highest EPSS score first; findings without one last.
    Epss,
    /// Known exploited (CISA KEV) first.
    Kev,
}

impl fmt::Display for SortBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SortBy::Severity => "severity",
            SortBy::Epss => "epss",
            SortBy::Kev => "kev",
        })
    }
}

impl FromStr for SortBy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "severity" => Ok(SortBy::Severity),
            "epss" => Ok(SortBy::Epss),
            "kev" => Ok(SortBy::Kev),
            other => Err(format!(
                "unknown sort key {other:?} (expected severity, epss or kev)"
            )),
        }
    }
}

/// Sorts by `key`, ties most severe first, then by package and id, so
/// equal inputs always give the same order.
pub fn sort_findings(findings: &mut [Finding], key: SortBy) {
    findings.sort_by(|a, b| compare(a, b, key));
}

fn compare(a: &Finding, b: &Finding, key: SortBy) -> std::cmp::Ordering {
    let epss = |f: &Finding| f.epss.as_ref().map_or(-1.0, |e| e.score);
    let by_key = match key {
        SortBy::Severity => std::cmp::Ordering::Equal,
        SortBy::Epss => epss(b).total_cmp(&epss(a)),
        SortBy::Kev => b.kev.cmp(&a.kev),
    };
    by_key
        .then_with(|| b.severity.cmp(&a.severity))
        .then_with(|| a.package.name.cmp(&b.package.name))
        .then_with(|| a.id.cmp(&b.id))
}

#[derive(Debug, Clone, Default)]
pub struct TableOptions {
    /// Also list every package found (`--list-all-pkgs`).
    pub list_all_pkgs: bool,
    /// Fit the table to the terminal's width (wrapping long cells);
    /// otherwise lines run long, which suits files and pipes.
    pub fit_terminal: bool,
    /// Include the warnings section (the CLI prints warnings to stderr
    /// when the table goes to the terminal).
    pub show_warnings: bool,
    /// Group findings under a heading per layer (`--group-by layer`).
    pub group_by: GroupBy,
    /// The findings' order (`--sort-by`), within each group.
    pub sort_by: SortBy,
}

/// Renders into a buffer and writes it with every control character but
/// `\n` and `\t` escaped: names, versions, paths, layer commands and
/// warnings all come from the image, and none of them may drive the
/// terminal. Cells are escaped before layout too, so widths stay right.
pub fn render(report: &Report, opts: &TableOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut buf = Vec::new();
    render_raw(report, opts, &mut buf)?;
    let text = String::from_utf8_lossy(&buf);
    out.write_all(crate::escape_controls(&text, &['\n', '\t']).as_bytes())
}

/// A table row with each cell's control characters (newlines too, which
/// would break the row) escaped; tabs stay.
fn row<I: IntoIterator<Item = String>>(cells: I) -> Vec<String> {
    cells
        .into_iter()
        .map(|c| crate::escape_controls(&c, &['\t']).into_owned())
        .collect()
}

fn render_raw(report: &Report, opts: &TableOptions, out: &mut dyn Write) -> io::Result<()> {
    let target = &report.target;
    let os = target
        .os
        .as_ref()
        .map(|o| format!(" ({} {})", o.family, o.version))
        .unwrap_or_default();
    let heading = format!("{}{}", target.name, os);
    writeln!(out, "{heading}")?;
    writeln!(out, "{}", "=".repeat(heading.chars().count()))?;
    writeln!(out, "{}", totals_line(report))?;
    if let Some(line) = base_line(report) {
        writeln!(out, "{line}")?;
    }

    if opts.list_all_pkgs {
        writeln!(out)?;
        writeln!(out, "Packages: {}", report.packages.len())?;
        let mut t = new_table(opts);
        t.set_header(["Package", "Version", "Type", "Source", "Path", "Layer"]);
        for p in &report.packages {
            let source = p
                .source
                .as_ref()
                .filter(|s| s.name != p.name || s.version != p.version)
                .map(|s| format!("{} {}", s.name, s.version))
                .unwrap_or_default();
            t.add_row(row([
                p.name.clone(),
                p.version.clone(),
                p.format.clone(),
                source,
                p.path().unwrap_or("").to_string(),
                layer_cell(report, p.layer()),
            ]));
        }
        writeln!(out, "{t}")?;
    }

    if !report.findings.is_empty() {
        match opts.group_by {
            GroupBy::Severity => {
                writeln!(out)?;
                let t = findings_table(report, &sorted(&report.findings, opts.sort_by), opts, true);
                writeln!(out, "{t}")?;
            }
            GroupBy::Layer => by_layer(report, opts, out)?,
        }
    }

    if !report.suppressed.is_empty() {
        writeln!(out)?;
        writeln!(out, "Suppressed: {}", report.suppressed.len())?;
        let mut t = new_table(opts);
        t.set_header(["Package", "Vulnerability", "Reason", "Detail"]);
        for s in &report.suppressed {
            t.add_row(row([
                s.finding.package.name.clone(),
                s.finding.id.clone(),
                s.reason.clone(),
                s.detail.clone().unwrap_or_default(),
            ]));
        }
        writeln!(out, "{t}")?;
    }

    if opts.show_warnings && !report.warnings.is_empty() {
        writeln!(out)?;
        writeln!(out, "Warnings:")?;
        for w in &report.warnings {
            writeln!(out, "  {}: {}", w.path, w.message)?;
        }
    }
    if !report.summary.verdict.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", report.summary.verdict)?;
    }
    Ok(())
}

fn findings_table(
    report: &Report,
    findings: &[&Finding],
    opts: &TableOptions,
    layer_column: bool,
) -> Table {
    let mut t = new_table(opts);
    // A column of blanks says nothing: EPSS shows when the DB had scores.
    let epss_column = report.findings.iter().any(|f| f.epss.is_some());
    let mut header = vec!["Package", "Vulnerability", "Severity"];
    if epss_column {
        header.push("EPSS");
    }
    header.extend(["Status", "Installed", "Fixed"]);
    if layer_column {
        header.push("Layer");
    }
    header.push("Title");
    t.set_header(header);
    for f in findings {
        let mut cells = vec![f.package.name.clone(), id_cell(f), f.severity.to_string()];
        if epss_column {
            cells.push(epss_cell(f));
        }
        cells.extend([
            status_text(f),
            f.package.version.clone(),
            f.fixed_versions.join(", "),
        ]);
        if layer_column {
            cells.push(layer_cell(report, f.layer));
        }
        cells.push(f.title.clone().unwrap_or_default());
        t.add_row(row(cells));
    }
    t
}

/// One heading and table per layer, in layer order; findings from no
/// layer (a directory or SBOM scan) come last under their own heading.
fn by_layer(report: &Report, opts: &TableOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut groups: BTreeMap<Option<usize>, Vec<&Finding>> = BTreeMap::new();
    for f in sorted(&report.findings, opts.sort_by) {
        groups.entry(f.layer).or_default().push(f);
    }
    // `None` sorts first in a BTreeMap; show it last.
    let mut ordered: Vec<(Option<usize>, Vec<&Finding>)> = groups.into_iter().collect();
    let no_layer_first = ordered.first().is_some_and(|(k, _)| k.is_none());
    ordered.rotate_left(usize::from(no_layer_first));
    for (index, findings) in ordered {
        writeln!(out)?;
        let heading = match index {
            Some(i) => match crate::document::layer(report, Some(i)) {
                Some(l) => {
                    let label = layer_label(l);
                    // "layer 2 (…)" → "Layer 2 (…)".
                    format!("L{}", label.get(1..).unwrap_or(""))
                }
                None => format!("Layer {i}"),
            },
            None => "No layer".to_string(),
        };
        writeln!(out, "{heading}")?;
        let counts: Vec<String> = Severity::ALL
            .iter()
            .rev()
            .filter_map(|s| {
                let n = findings.iter().filter(|f| f.severity == *s).count();
                (n > 0).then(|| format!("{s}: {n}"))
            })
            .collect();
        writeln!(out, "{}", "-".repeat(heading.chars().count().min(100)))?;
        writeln!(
            out,
            "Vulnerabilities: {} ({})",
            findings.len(),
            counts.join(", ")
        )?;
        writeln!(out, "{}", findings_table(report, &findings, opts, false))?;
    }
    Ok(())
}

fn new_table(opts: &TableOptions) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_content_arrangement(if opts.fit_terminal {
        ContentArrangement::Dynamic
    } else {
        ContentArrangement::Disabled
    });
    t
}

/// `2`, or `0 (base)` for a layer of the base image.
fn layer_cell(report: &Report, index: Option<usize>) -> String {
    match index {
        Some(i) if is_base(report, index) => format!("{i} (base)"),
        Some(i) => i.to_string(),
        None => String::new(),
    }
}

/// Which layers came from the base image and how the findings split
/// between it and the layers built on top: the first tells "rebuild on a
/// newer base", the second "fix your own Dockerfile". `None` when no
/// base image is known.
fn base_line(report: &Report) -> Option<String> {
    let layers = base_layers(report)?;
    let from_base = report
        .findings
        .iter()
        .filter(|f| is_base(report, f.layer))
        .count();
    let on_top = report.findings.len() - from_base;
    let plural = if layers.contains(['-', ',']) { "s" } else { "" };
    Some(format!(
        "Base image: layer{plural} {layers}; vulnerabilities from the base image: {from_base}, from the layers on top: {on_top}"
    ))
}

/// `Total: 3 (UNKNOWN: 0, LOW: 1, …)` like Trivy's, so the eye finds the
/// counts in the same place.
fn totals_line(report: &Report) -> String {
    let total: usize = report.findings.len();
    let parts: Vec<String> = Severity::ALL
        .iter()
        .map(|s| {
            let n = report.findings.iter().filter(|f| f.severity == *s).count();
            format!("{s}: {n}")
        })
        .collect();
    format!(
        "Packages: {}, vulnerabilities: {} ({})",
        report.packages.len(),
        total,
        parts.join(", ")
    )
}

/// The advisory id, with a marker when CISA lists it as exploited.
fn id_cell(f: &Finding) -> String {
    if f.kev {
        format!("{} [KEV]", f.id)
    } else {
        f.id.clone()
    }
}

/// In `--sort-by` order (the same comparison the CLI sorts the report
/// with, so an already sorted report keeps its order).
fn sorted(findings: &[Finding], key: SortBy) -> Vec<&Finding> {
    let mut v: Vec<&Finding> = findings.iter().collect();
    v.sort_by(|a, b| compare(a, b, key));
    v
}

/// EPSS as a percentage of exploitation probability: `12.3%`, `<0.1%`.
fn epss_cell(f: &Finding) -> String {
    match &f.epss {
        Some(e) if e.score * 100.0 < 0.1 => "<0.1%".to_string(),
        Some(e) => format!("{:.1}%", e.score * 100.0),
        None => String::new(),
    }
}
