//! The one place tidewatch writes to stdout (reports, command results) and
//! the one place for user-facing messages on stderr.

use std::io::{self, IsTerminal, Write};
use tidewatch_types::Warning;

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
        let _ = writeln!(io::stdout().lock(), "{s}");
    }

    /// A status note on stderr, dropped with --quiet.
    pub fn note(&self, s: &str) {
        if !self.quiet {
            let _ = writeln!(io::stderr().lock(), "{s}");
        }
    }

    pub fn warnings(&self, warnings: &[Warning]) {
        if self.quiet {
            return;
        }
        let mut err = io::stderr().lock();
        for w in warnings {
            let _ = writeln!(err, "warning: {}: {}", w.path, w.message);
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
        let _ = writeln!(io::stderr().lock(), "{msg}");
    }
}
