//! The `tidewatch` binary: command-line parsing, settings, and the one
//! place that writes to stdout ([`printer`]). Every error ends here as one
//! line on stderr and exit status 2 (DESIGN §1.2).

mod args;
mod commands;
mod config;
mod gate;
mod printer;
mod settings;

use clap::FromArgMatches;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match config::parse(args::command(), std::env::args_os().collect())
        .and_then(|m| args::Cli::from_arg_matches(&m).map_err(anyhow::Error::from))
    {
        Ok(a) => a,
        Err(e) => {
            printer::Printer::new(false).error(&e);
            return ExitCode::from(gate::ERROR_EXIT);
        }
    };
    init_tracing(args.global.quiet, args.global.debug);
    let printer = printer::Printer::new(args.global.quiet);
    match commands::run(args, &printer) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            printer.error(&e);
            ExitCode::from(gate::ERROR_EXIT)
        }
    }
}

fn init_tracing(quiet: bool, debug: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if debug {
        "debug"
    } else if quiet {
        "error"
    } else {
        "warn"
    };
    let filter =
        EnvFilter::try_from_env("TIDEWATCH_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
