//! The command line (DESIGN §1.2). Every flag can also be given as a
//! `TIDEWATCH_<FLAG>` environment variable.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "tidewatch",
    version,
    about = "Find the vulnerable packages in a container image before it ships."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The vulnerability database file.
    #[arg(long, global = true, env = "TIDEWATCH_DB", value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Cache directory [default: $XDG_CACHE_HOME/tidewatch].
    #[arg(long, global = true, env = "TIDEWATCH_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Print only the report and errors.
    #[arg(short, long, global = true, env = "TIDEWATCH_QUIET")]
    pub quiet: bool,
    /// Log what the scan is doing to stderr.
    #[arg(long, global = true, env = "TIDEWATCH_DEBUG", hide = true)]
    pub debug: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a container image (docker-save tarball, OCI layout dir or tar).
    Image(ImageArgs),
    /// Scan a root filesystem or source tree on disk.
    Fs(FsArgs),
    /// Manage the vulnerability database.
    #[command(subcommand)]
    Db(DbCommand),
    /// Remove cached data.
    Clean(CleanArgs),
    /// Show the tool version and the database's schema version.
    Version,
}

#[derive(Debug, Args)]
pub struct ImageArgs {
    /// Image path or reference; prefixes `docker-archive:`, `oci-archive:`,
    /// `oci-dir:` force the source type; `PATH@sha256:…` selects a manifest.
    pub image: String,
    /// Which image of a multi-image OCI layout or docker archive.
    #[arg(long, env = "TIDEWATCH_TAG")]
    pub tag: Option<String>,
    #[command(flatten)]
    pub scan: ScanArgs,
}

#[derive(Debug, Args)]
pub struct FsArgs {
    /// The directory to scan.
    pub dir: PathBuf,
    #[command(flatten)]
    pub scan: ScanArgs,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Output format: table, json, sarif, cyclonedx, spdx-json, html.
    #[arg(short, long, env = "TIDEWATCH_FORMAT", default_value = "table")]
    pub format: tidewatch_report::Format,
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, env = "TIDEWATCH_OUTPUT", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Report only these severities (comma-separated; UNKNOWN is a level of its own).
    #[arg(
        long,
        env = "TIDEWATCH_SEVERITY",
        value_delimiter = ',',
        value_name = "LIST"
    )]
    pub severity: Vec<tidewatch_types::Severity>,
    /// Leave out findings that have no fixed version.
    #[arg(long, env = "TIDEWATCH_IGNORE_UNFIXED")]
    pub ignore_unfixed: bool,
    /// Catalogue only these package types: os, library.
    #[arg(
        long,
        env = "TIDEWATCH_PKG_TYPES",
        value_delimiter = ',',
        value_name = "LIST",
        value_parser = parse_pkg_type
    )]
    pub pkg_types: Vec<tidewatch_types::PackageType>,
    /// Exit with this status when findings are reported (or, with
    /// --fail-on, when findings at or above that severity are).
    #[arg(long, env = "TIDEWATCH_EXIT_CODE", value_name = "CODE")]
    pub exit_code: Option<u8>,
    /// Fail (exit 1, or --exit-code) on reported findings at or above SEVERITY.
    #[arg(long, env = "TIDEWATCH_FAIL_ON", value_name = "SEVERITY")]
    pub fail_on: Option<tidewatch_types::Severity>,
    /// List every package found in the table.
    #[arg(long, env = "TIDEWATCH_LIST_ALL_PKGS")]
    pub list_all_pkgs: bool,
    /// Group the table's findings: `layer` (a heading per image layer) or `severity`.
    #[arg(
        long,
        env = "TIDEWATCH_GROUP_BY",
        value_name = "GROUP",
        default_value = "severity"
    )]
    pub group_by: tidewatch_report::GroupBy,
    /// Never touch the network.
    #[arg(long, env = "TIDEWATCH_OFFLINE")]
    pub offline: bool,
    /// Never update the vulnerability database before scanning.
    #[arg(long, env = "TIDEWATCH_SKIP_DB_UPDATE")]
    pub skip_db_update: bool,
}

fn parse_pkg_type(s: &str) -> Result<tidewatch_types::PackageType, String> {
    match s.trim() {
        "os" => Ok(tidewatch_types::PackageType::Os),
        "library" | "lib" => Ok(tidewatch_types::PackageType::Library),
        other => Err(format!(
            "unknown package type {other:?} (expected os or library)"
        )),
    }
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Build or refresh the database from local feed files and directories.
    Import {
        /// Feed files or directories (OSV JSON/YAML/zip, Alpine secdb, Debian OVAL, …).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Show the database's sources, counts and dates.
    Status,
}

#[derive(Debug, Args)]
pub struct CleanArgs {
    /// Remove the scan cache (temporary and cached layer data).
    #[arg(long)]
    pub cache: bool,
    /// Remove the vulnerability database too.
    #[arg(long)]
    pub vuln_db: bool,
    /// Remove everything tidewatch keeps.
    #[arg(long)]
    pub all: bool,
}
