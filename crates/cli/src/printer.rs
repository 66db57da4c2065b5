//! The one place tidewatch writes to stdout (reports, command results) and
//! the one place for user-facing messages on stderr.

//!
//! Every message goes through [`tidewatch_report::escape_controls`] (the
//! table renderer's helper): warnings and errors quote package names,
//! tar entry names and file contents from the image, which must not be
//! able to send escape sequences to the terminal.

use std::io::{self, IsTerminal, Write};
use tidewatch_report::escape_controls;
use tidewatch_types::Warning;

/// Multi-line messages (clap's and TOML's errors) keep their layout.
const KEEP: [char; 2] = ['\n', '\t'];

pub struct Printer {
    quiet: bool,
}

impl Printer {
    pub fn new(quiet: bool) -> Self {
        Printer { quiet }
    }

    /// Whether `--quiet` was given (progress bars stay hidden too).
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    pub fn stdout_is_terminal(&self) -> bool {
        io::stdout().is_terminal()
    }

    /// Hand the locked stdout to a renderer.
    pub fn with_stdout<T>(&self, f: impl FnOnce(&mut dyn Write) -> T) -> T {
        let stdout = io::stdout();
        let mut lock = stdout.lock();
        f(&mut lock)
    }

    /// A line of command output on stdout.
    pub fn line(&self, s: &str) {
        let _ = writeln!(io::stdout().lock(), "{}", escape_controls(s, &KEEP));
    }

    /// A status note on stderr, dropped with --quiet.
    pub fn note(&self, s: &str) {
        if !self.quiet {
            let _ = writeln!(io::stderr().lock(), "{}", escape_controls(s, &KEEP));
        }
    }

    pub fn warnings(&self, warnings: &[Warning]) {
        if self.quiet {
            return;
        }
        let mut err = io::stderr().lock();
        for w in warnings {
            // One line each: a newline in a name could fake another line.
            let line = format!("warning: {}: {}", w.path, w.message);
            let _ = writeln!(err, "{}", escape_controls(&line, &['\t']));
        }
    }

    /// An error, always shown: one line with its causes.
    pub fn error(&self, e: &anyhow::Error) {
        let mut msg = format!("error: {e}");
        for cause in e.chain().skip(1) {
            let c = cause.to_string();
            if !msg.contains(&c) {
                msg.push_str(": ");
                msg.push_str(&c);
            }
        }
        let _ = writeln!(io::stderr().lock(), "{}", escape_controls(&msg, &KEEP));
    }
}
