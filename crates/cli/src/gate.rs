//! The CI gate (DESIGN §1.2): which reported findings fail the run and
//! with what exit status, and a sentence saying why.

use tidewatch_types::{Report, Severity};

/// Exit status for any error.
pub const ERROR_EXIT: u8 = 2;

pub struct Gate {
    pub exit_code: Option<u8>,
    pub fail_on: Option<Severity>,
}

impl Gate {
    /// Refuse settings that would make a failing scan look like an error.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.exit_code == Some(ERROR_EXIT) {
            anyhow::bail!(
                "--exit-code 2 is reserved for errors; choose another status for failing findings"
            );
        }
        Ok(())
    }

    /// Apply the gate to a finished report: sets `summary.exit_code` and
    /// `summary.verdict` and returns the status.
    pub fn apply(&self, report: &mut Report) -> u8 {
        let reported = report.findings.len();
        let (failing, rule) = match (self.fail_on, self.exit_code) {
            (Some(min), _) => (
                report.findings.iter().filter(|f| f.severity >= min).count(),
                format!("at or above {min}"),
            ),
            (None, Some(_)) => (reported, "reported".to_string()),
            (None, None) => (0, String::new()),
        };
        let status = if failing > 0 {
            self.exit_code.unwrap_or(1)
        } else {
            0
        };
        let suppressed = report.suppressed.len();
        let suppressed_note = if suppressed > 0 {
            format!(", {suppressed} suppressed ({})", reasons(report))
        } else {
            String::new()
        };
        let counts = severity_counts(report);
        report.summary.suppressed = suppressed;
        report.summary.exit_code = i32::from(status);
        report.summary.verdict = if self.fail_on.is_none() && self.exit_code.is_none() {
            format!(
                "{reported} finding(s) reported{counts}{suppressed_note}; exit 0 (no --exit-code or --fail-on given)."
            )
        } else if failing > 0 {
            format!(
                "{reported} finding(s) reported{counts}{suppressed_note}, {failing} {rule}: exit {status}."
            )
        } else {
            format!("{reported} finding(s) reported{counts}{suppressed_note}, none {rule}: exit 0.")
        };
        status
    }
}

/// ` (CRITICAL: 1, MEDIUM: 2)`, most severe first; empty with no findings.
fn severity_counts(report: &Report) -> String {
    let parts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .filter_map(|s| {
            let n = report.findings.iter().filter(|f| f.severity == *s).count();
            (n > 0).then(|| format!("{s}: {n}"))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

/// `ignore-file: 2, vex: 1`: why findings were suppressed.
fn reasons(report: &Report) -> String {
    let mut by: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for s in &report.suppressed {
        *by.entry(s.reason.as_str()).or_default() += 1;
    }
    by.iter()
        .map(|(r, n)| format!("{r}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
