//! A self-contained HTML report (`--format html`): one file with inline
//! CSS, an inline SVG bar chart of the counts per severity, a findings
//! table that filters and sorts with a little inline JavaScript, the
//! suppressed findings, the layers, the package list and the warnings.
//!
//! Nothing is loaded from elsewhere: a Content-Security-Policy forbids it,
//! so the file can be archived as a CI artifact and opened offline. All
//! report text is HTML-escaped and data lives in the markup (never inside
//! the script), so a hostile package name or advisory title cannot run.

use crate::document::{advisory_url, base_layers, is_base, layer, one_line, short_id, status_text};
use std::fmt::Write as _;
use std::io::{self, Write};
use tidewatch_types::{Finding, Report, Severity};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(to_string(report).as_bytes())
}

/// The whole page.
pub fn to_string(report: &Report) -> String {
    let mut h = String::with_capacity(16 * 1024 + report.findings.len() * 512);
    let t = &report.target;
    let os = t.os.as_ref().map(|o| format!("{} {}", o.family, o.version));
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="{tool} {version}">
<title>{tool}: {name}</title>
<style>{CSS}</style>
</head>
<body>
<header>
<h1>{name}</h1>
<dl class="meta">"#,
        tool = esc(&report.tool.name),
        version = esc(&report.tool.version),
        name = esc(&t.name),
    );
    let mut meta = |k: &str, v: &str| {
        let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
    };
    if let Some(os) = &os {
        let eol = t.os.as_ref().is_some_and(|o| o.eol);
        meta(
            "OS",
            &format!("{os}{}", if eol { " (end of life)" } else { "" }),
        );
    }
    if let Some(d) = &t.digest {
        meta("Digest", d);
    }
    if let Some(d) = &t.config_digest {
        meta("Config", d);
    }
    if let Some(b) = base_layers(report) {
        meta("Base image layers", &b);
    }
    meta(
        "Scanned by",
        &format!("{} {}", report.tool.name, report.tool.version),
    );
    h.push_str("</dl>\n");
    if !report.summary.verdict.is_empty() {
        let _ = writeln!(
            h,
            r#"<p class="verdict">{}</p>"#,
            esc(&report.summary.verdict)
        );
    }
    h.push_str("</header>\n");

    summary(&mut h, report);
    findings(&mut h, report);
    suppressed(&mut h, report);
    layers(&mut h, report);
    packages(&mut h, report);
    warnings(&mut h, report);

    let _ = write!(h, "<script>{JS}</script>\n</body>\n</html>\n");
    h
}

/// Escapes text for element content and quoted attribute values alike.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn sev_class(s: Severity) -> String {
    format!("sev sev-{}", s.as_str().to_ascii_lowercase())
}

fn count(report: &Report, s: Severity) -> usize {
    report.findings.iter().filter(|f| f.severity == s).count()
}

/// Counts per severity as horizontal bars (inline SVG; widths relative to
/// the largest count so small counts still show).
fn summary(h: &mut String, report: &Report) {
    let levels: Vec<Severity> = Severity::ALL.iter().rev().copied().collect();
    let counts: Vec<usize> = levels.iter().map(|s| count(report, *s)).collect();
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let row_h = 26;
    let height = row_h * levels.len() + 4;
    let _ = write!(
        h,
        r#"<section id="summary">
<h2>Summary</h2>
<p>{} packages, {} vulnerabilities, {} suppressed.</p>
<svg class="chart" role="img" aria-label="Vulnerabilities per severity" width="520" height="{height}" viewBox="0 0 520 {height}" xmlns="http://www.w3.org/2000/svg">
"#,
        report.packages.len(),
        report.findings.len(),
        report.suppressed.len(),
    );
    for (i, (s, n)) in levels.iter().zip(&counts).enumerate() {
        let y = i * row_h + 2;
        let w = if *n == 0 { 0 } else { (*n * 360 / max).max(2) };
        let _ = writeln!(
            h,
            r#"<g class="{cls}"><text x="0" y="{ty}" class="label">{s}</text><rect x="100" y="{y}" width="{w}" height="{bh}" rx="3"></rect><text x="{tx}" y="{ty}" class="count">{n}</text></g>"#,
            cls = sev_class(*s),
            ty = y + 16,
            bh = row_h - 6,
            tx = 106 + w,
        );
    }
    h.push_str("</svg>\n</section>\n");
}

fn findings(h: &mut String, report: &Report) {
    let _ = write!(
        h,
        r#"<section id="findings">
<h2>Vulnerabilities ({})</h2>
"#,
        report.findings.len()
    );
    if report.findings.is_empty() {
        h.push_str("<p>No vulnerabilities reported.</p>\n</section>\n");
        return;
    }
    h.push_str(
        r#"<div class="controls">
<input type="search" id="filter" placeholder="Filter by package, id, path, title…" aria-label="Filter">
<select id="severity" aria-label="Severity"><option value="">All severities</option>"#,
    );
    for s in Severity::ALL.iter().rev() {
        let _ = write!(h, r#"<option value="{s}">{s} and above</option>"#);
    }
    h.push_str(
        r#"</select>
<label><input type="checkbox" id="fixable"> Fixable only</label>
<span id="shown" aria-live="polite"></span>
</div>
<table id="findings-table" class="sortable">
<thead><tr><th data-type="num">Severity</th><th>Vulnerability</th><th>Package</th><th>Installed</th><th>Fixed in</th><th>Status</th><th data-type="num">Layer</th><th>Path</th><th>Title</th></tr></thead>
<tbody>
"#,
    );
    let mut sorted: Vec<&Finding> = report.findings.iter().collect();
    sorted.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.package.name.cmp(&b.package.name))
            .then_with(|| a.id.cmp(&b.id))
    });
    for f in sorted {
        finding_row(h, report, f);
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn finding_row(h: &mut String, report: &Report, f: &Finding) {
    let rank = f.severity as usize;
    let kev = if f.kev {
        r#" <span class="kev" title="CISA Known Exploited Vulnerability">KEV</span>"#
    } else {
        ""
    };
    let aliases = if f.aliases.is_empty() {
        String::new()
    } else {
        format!(
            r#"<div class="aliases">{}</div>"#,
            esc(&f.aliases.join(", "))
        )
    };
    let layer_cell = match (f.layer, layer(report, f.layer)) {
        (Some(i), Some(l)) => format!(
            r#"<td data-sort="{i}" title="{}">{i}{}</td>"#,
            esc(&format!(
                "{}{} {}",
                short_id(&l.diff_id),
                if l.base { " (base image)" } else { "" },
                one_line(l.created_by.as_deref().unwrap_or(""))
            )),
            base_badge(l.base),
        ),
        (Some(i), None) => format!(r#"<td data-sort="{i}">{i}</td>"#),
        (None, _) => r#"<td data-sort="-1"></td>"#.to_string(),
    };
    let _ = writeln!(
        h,
        r#"<tr data-rank="{rank}" data-fixable="{fixable}"><td data-sort="{rank}"><span class="{cls}">{sev}</span></td><td><a href="{url}" rel="noopener noreferrer">{id}</a>{kev}{aliases}</td><td>{pkg}</td><td>{inst}</td><td>{fixed}</td><td>{state}</td>{layer_cell}<td class="path">{path}</td><td>{title}</td></tr>"#,
        fixable = u8::from(!f.fixed_versions.is_empty()),
        cls = sev_class(f.severity),
        sev = f.severity,
        url = esc(&advisory_url(&f.id)),
        id = esc(&f.id),
        pkg = esc(&f.package.name),
        inst = esc(&f.package.version),
        fixed = esc(&f.fixed_versions.join(", ")),
        state = esc(&status_text(f)),
        path = esc(f.path.as_deref().unwrap_or("")),
        title = esc(f.title.as_deref().unwrap_or("")),
    );
}

/// A marker after a layer index when the layer came from the base image
/// (the filter matches its text, so `base` finds those findings).
fn base_badge(base: bool) -> &'static str {
    if base {
        r#" <span class="base" title="from the base image">base</span>"#
    } else {
        ""
    }
}

fn suppressed(h: &mut String, report: &Report) {
    if report.suppressed.is_empty() {
        return;
    }
    let _ = write!(
        h,
        r#"<section id="suppressed">
<h2>Suppressed ({})</h2>
<table class="sortable">
<thead><tr><th data-type="num">Severity</th><th>Vulnerability</th><th>Package</th><th>Installed</th><th>Reason</th><th>Detail</th></tr></thead>
<tbody>
"#,
        report.suppressed.len()
    );
    for s in &report.suppressed {
        let f = &s.finding;
        let _ = writeln!(
            h,
            r#"<tr><td data-sort="{rank}"><span class="{cls}">{sev}</span></td><td>{id}</td><td>{pkg}</td><td>{inst}</td><td>{reason}</td><td>{detail}</td></tr>"#,
            rank = f.severity as usize,
            cls = sev_class(f.severity),
            sev = f.severity,
            id = esc(&f.id),
            pkg = esc(&f.package.name),
            inst = esc(&f.package.version),
            reason = esc(&s.reason),
            detail = esc(s.detail.as_deref().unwrap_or("")),
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn layers(h: &mut String, report: &Report) {
    if report.layers.is_empty() {
        return;
    }
    let _ = write!(
        h,
        r#"<section id="layers">
<h2>Layers ({})</h2>
<table>
<thead><tr><th>#</th><th>Diff ID</th><th>Created by</th><th>Packages</th><th>Vulnerabilities</th></tr></thead>
<tbody>
"#,
        report.layers.len()
    );
    for l in &report.layers {
        let pkgs = report
            .packages
            .iter()
            .filter(|p| p.layer() == Some(l.index))
            .count();
        let vulns = report
            .findings
            .iter()
            .filter(|f| f.layer == Some(l.index))
            .count();
        let _ = writeln!(
            h,
            r#"<tr><td>{}{}</td><td title="{}">{}</td><td class="cmd">{}</td><td>{pkgs}</td><td>{vulns}</td></tr>"#,
            l.index,
            base_badge(l.base),
            esc(&l.diff_id),
            esc(&short_id(&l.diff_id)),
            esc(l.created_by.as_deref().unwrap_or("")),
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn packages(h: &mut String, report: &Report) {
    let _ = write!(
        h,
        r#"<section id="packages">
<details>
<summary><h2>Packages ({})</h2></summary>
<table class="sortable">
<thead><tr><th>Name</th><th>Version</th><th>Type</th><th>Source</th><th>Licenses</th><th>Path</th><th data-type="num">Layer</th><th>purl</th></tr></thead>
<tbody>
"#,
        report.packages.len()
    );
    for p in &report.packages {
        let source = p
            .source
            .as_ref()
            .map(|s| format!("{} {}", s.name, s.version))
            .unwrap_or_default();
        let layer = p.layer().map(|l| l.to_string()).unwrap_or_default();
        let badge = base_badge(is_base(report, p.layer()));
        let _ = writeln!(
            h,
            r#"<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="path">{}</td><td data-sort="{}">{}{badge}</td><td class="purl">{}</td></tr>"#,
            esc(&p.name),
            esc(&p.version),
            esc(&p.format),
            esc(&source),
            esc(&p.licenses.join(", ")),
            esc(p.path().unwrap_or("")),
            p.layer()
                .map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX)),
            esc(&layer),
            esc(&p.purl),
        );
    }
    h.push_str("</tbody>\n</table>\n</details>\n</section>\n");
}

fn warnings(h: &mut String, report: &Report) {
    if report.warnings.is_empty() {
        return;
    }
    let _ = write!(
        h,
        "<section id=\"warnings\">\n<h2>Warnings ({})</h2>\n<ul>\n",
        report.warnings.len()
    );
    for w in &report.warnings {
        let _ = writeln!(
            h,
            r#"<li><code>{}</code>: {}</li>"#,
            esc(&w.path),
            esc(&w.message)
        );
    }
    h.push_str("</ul>\n</section>\n");
}

const CSS: &str = r#"
:root{--crit:#a4161a;--high:#e85d04;--med:#f4a100;--low:#3a86ff;--neg:#6c757d;--unk:#adb5bd}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;padding:1rem 2rem;max-width:1400px;color:#1d1d1f;background:#fff}
h1{font-size:1.5rem;margin:.2rem 0;word-break:break-all}h2{font-size:1.15rem;margin:1.5rem 0 .5rem;display:inline-block}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.5rem 0}dt{color:#555}dd{margin:0;font-family:ui-monospace,monospace;word-break:break-all}
.verdict{font-weight:600}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border-bottom:1px solid #e5e5e5;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f6f6;position:sticky;top:0}table.sortable th{cursor:pointer;user-select:none}
th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
td.path,td.purl,td.cmd{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}td.path{min-width:18em}
.aliases{color:#666;font-size:12px}
.sev{display:inline-block;min-width:6.5em;text-align:center;border-radius:3px;padding:0 .3em;color:#fff;font-weight:600;font-size:12px}
.sev-critical{background:var(--crit)}.sev-high{background:var(--high)}.sev-medium{background:var(--med);color:#222}.sev-low{background:var(--low)}.sev-negligible{background:var(--neg)}.sev-unknown{background:var(--unk);color:#222}
.kev{background:#000;color:#ff0;font-size:11px;padding:0 .3em;border-radius:3px}
.base{background:#e9ecef;color:#333;font-size:11px;padding:0 .3em;border-radius:3px}
svg.chart text{font-size:13px}svg.chart .label{fill:#333}svg.chart .count{fill:#333;font-weight:600}
svg.chart .sev-critical rect{fill:var(--crit)}svg.chart .sev-high rect{fill:var(--high)}svg.chart .sev-medium rect{fill:var(--med)}svg.chart .sev-low rect{fill:var(--low)}svg.chart .sev-negligible rect{fill:var(--neg)}svg.chart .sev-unknown rect{fill:var(--unk)}
.controls{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}.controls input[type=search]{min-width:22rem;padding:.25rem}
summary h2{margin:1rem 0 .5rem}details summary{cursor:pointer}
tr.hidden{display:none}
"#;

const JS: &str = r#"
(function () {
  "use strict";
  var table = document.getElementById("findings-table");
  if (table) {
    var body = table.tBodies[0];
    var filter = document.getElementById("filter");
    var severity = document.getElementById("severity");
    var fixable = document.getElementById("fixable");
    var shown = document.getElementById("shown");
    var ranks = {"UNKNOWN": 0, "NEGLIGIBLE": 1, "LOW": 2, "MEDIUM": 3, "HIGH": 4, "CRITICAL": 5};
    var apply = function () {
      var words = filter.value.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
      var min = severity.value === "" ? -1 : ranks[severity.value];
      var n = 0;
      Array.prototype.forEach.call(body.rows, function (row) {
        var text = row.textContent.toLowerCase();
        var ok = words.every(function (w) { return text.indexOf(w) !== -1; }) &&
          Number(row.getAttribute("data-rank")) >= min &&
          (!fixable.checked || row.getAttribute("data-fixable") === "1");
        row.classList.toggle("hidden", !ok);
        if (ok) { n += 1; }
      });
      shown.textContent = n + " of " + body.rows.length + " shown";
    };
    filter.addEventListener("input", apply);
    severity.addEventListener("change", apply);
    fixable.addEventListener("change", apply);
    apply();
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (t) {
    var heads = t.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.addEventListener("click", function () {
        var numeric = th.getAttribute("data-type") === "num";
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var key = function (row) {
          var cell = row.cells[col];
          var v = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
          return numeric ? Number(v) : v.toLowerCase();
        };
        var rows = Array.prototype.slice.call(t.tBodies[0].rows);
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          var c = x < y ? -1 : (x > y ? 1 : 0);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { t.tBodies[0].appendChild(r); });
      });
    });
  });
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<script>alert("x&'y")</script>"#),
            "&lt;script&gt;alert(&quot;x&amp;&#39;y&quot;)&lt;/script&gt;"
        );
    }
}
