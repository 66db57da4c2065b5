//! One module per subcommand. Each returns the process exit status.

mod clean;
mod db;
mod scan;
mod version;

use crate::args::{Cli, Command};
use crate::printer::Printer;
use crate::settings::Settings;

pub fn run(cli: Cli, printer: &Printer) -> anyhow::Result<u8> {
    let settings = Settings::resolve(&cli.global)?;
    match cli.command {
        Command::Image(args) => scan::image(args, &settings, printer),
        Command::Fs(args) => scan::fs(args, &settings, printer),
        Command::Sbom(args) => scan::sbom(args, &settings, printer),
        Command::Db(cmd) => db::run(cmd, &settings, printer),
        Command::Clean(args) => clean::run(args, &settings, printer),
        Command::Version => version::run(&settings, printer),
    }
}
