//! The command line (DESIGN §1.2). Every flag can also be given as a
//! `TIDEWATCH_<FLAG>` environment variable.

use clap::{ArgAction, Args, Parser, Subcommand};
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
    /// Settings file (keys are long flag names) [default: ./tidewatch.toml
    /// when present]. Flags and TIDEWATCH_* variables override it.
    #[arg(long, global = true, env = "TIDEWATCH_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log what the scan is doing to stderr.
    #[arg(long, global = true, env = "TIDEWATCH_DEBUG", hide = true)]
    pub debug: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a container image (registry reference, Docker daemon image,
    /// docker-save tarball, OCI layout dir or tar).
    Image(ImageArgs),
    /// Scan a root filesystem or source tree on disk.
    Fs(FsArgs),
    /// Scan the packages a CycloneDX or SPDX JSON SBOM lists.
    Sbom(SbomArgs),
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
    /// `oci-dir:`, `docker:`, `registry:` force the source type;
    /// `PATH@sha256:…` selects a manifest.
    pub image: String,
    /// Which image of a multi-image OCI layout or docker archive.
    #[arg(long, env = "TIDEWATCH_TAG")]
    pub tag: Option<String>,
    /// Platform of a multi-platform image: os/arch[/variant] [default: the host's].
    #[arg(long, env = "TIDEWATCH_PLATFORM", value_name = "PLATFORM")]
    pub platform: Option<String>,
    /// Registry user name (otherwise from the Docker config / credential helpers).
    #[arg(long, env = "TIDEWATCH_USERNAME", value_name = "USER")]
    pub username: Option<String>,
    /// Registry password or token.
    #[arg(
        long,
        env = "TIDEWATCH_PASSWORD",
        value_name = "PASSWORD",
        hide_env_values = true
    )]
    pub password: Option<String>,
    /// Allow plain-HTTP and unverified-TLS registries.
    #[arg(long, env = "TIDEWATCH_INSECURE")]
    pub insecure: bool,
    /// Where to look for an image named by reference, in order: docker, registry.
    #[arg(
        long,
        env = "TIDEWATCH_IMAGE_SRC",
        value_delimiter = ',',
        value_name = "LIST",
        default_value = "docker,registry",
        value_parser = tidewatch_image::ImageSource::parse
    )]
    pub image_src: Vec<tidewatch_image::ImageSource>,
    /// Read every layer even when the layer cache has it.
    #[arg(long, env = "TIDEWATCH_NO_CACHE")]
    pub no_cache: bool,
    /// The image this one was built FROM (path or reference): its layers
    /// are marked as base layers [default: the config's base-image labels].
    #[arg(long, env = "TIDEWATCH_BASE_IMAGE", value_name = "IMAGE")]
    pub base_image: Option<String>,
    #[command(flatten)]
    pub scan: ScanArgs,
}

#[derive(Debug, Args)]
pub struct SbomArgs {
    /// The SBOM file (CycloneDX 1.2–1.6 or SPDX 2.2/2.3, JSON).
    pub sbom: PathBuf,
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
    /// Output format: table, json, sarif, cyclonedx (or cyclonedx-json),
    /// spdx-json (or spdx), html.
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
        value_name = "LIST",
        value_parser = parse_severity
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
    #[arg(
        long,
        env = "TIDEWATCH_FAIL_ON",
        value_name = "SEVERITY",
        value_parser = parse_severity
    )]
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
    /// Ignore rules [default: .tidewatchignore, .tidewatchignore.yaml/.yml/.toml
    /// in the working directory, when present].
    #[arg(long, env = "TIDEWATCH_IGNOREFILE", value_name = "FILE")]
    pub ignorefile: Option<PathBuf>,
    /// OpenVEX or CycloneDX VEX document (repeatable): not_affected and
    /// fixed statements suppress findings.
    #[arg(
        long,
        env = "TIDEWATCH_VEX",
        value_name = "FILE",
        value_delimiter = ',',
        value_parser = parse_list_path
    )]
    pub vex: Vec<PathBuf>,
    /// Also list suppressed findings in the table (JSON always has them).
    #[arg(long, env = "TIDEWATCH_SHOW_SUPPRESSED")]
    pub show_suppressed: bool,
    /// Never touch the network.
    #[arg(long, env = "TIDEWATCH_OFFLINE")]
    pub offline: bool,
    /// Never update the vulnerability database before scanning.
    #[arg(long, env = "TIDEWATCH_SKIP_DB_UPDATE")]
    pub skip_db_update: bool,
    /// Update the database first when its downloaded feeds are older than
    /// this (`90m`, `24h`, `7d`).
    #[arg(
        long,
        env = "TIDEWATCH_DB_MAX_AGE",
        value_name = "AGE",
        default_value = "24h",
        value_parser = parse_age
    )]
    pub db_max_age: std::time::Duration,
    /// Order of the findings in the report: severity, epss (highest
    /// first) or kev (known-exploited first); ties by severity.
    #[arg(
        long,
        env = "TIDEWATCH_SORT_BY",
        value_name = "KEY",
        default_value = "severity"
    )]
    pub sort_by: tidewatch_report::SortBy,
    #[command(flatten)]
    pub update: UpdateArgs,
}

/// Where and what `db update` (and the automatic update before a scan)
/// downloads.
#[derive(Debug, Args, Clone)]
pub struct UpdateArgs {
    /// Base URL of a feed mirror (repeatable or comma-separated; tried in
    /// order); `upstream` means each feed's publisher [default: upstream].
    #[arg(
        long = "db-repository",
        env = "TIDEWATCH_DB_REPOSITORY",
        value_name = "URL",
        value_delimiter = ',',
        value_parser = parse_list_item
    )]
    pub repositories: Vec<String>,
    /// Feeds to download (comma-separated): osv, osv:<Ecosystem>, alpine,
    /// alpine:<branch>[/<repo>], debian-tracker, kev, epss, nvd, oracle,
    /// suse-oval[:<file>], amazon[:<release>], redhat-csaf [default: all
    /// but redhat-csaf, whose archive is several GB].
    #[arg(
        long = "db-feeds",
        visible_alias = "feeds",
        env = "TIDEWATCH_DB_FEEDS",
        value_name = "LIST",
        value_delimiter = ',',
        value_parser = parse_list_item
    )]
    pub feeds: Vec<String>,
    /// The NVD CVE API 2.0 endpoint used when updating from upstream (the
    /// key, if any, is read from NVD_API_KEY).
    #[arg(
        long = "nvd-api",
        env = "TIDEWATCH_NVD_API",
        value_name = "URL",
        default_value = tidewatch_db::update::NVD_API
    )]
    pub nvd_api: String,
}

/// The command line as parsed: [`Cli`] with the environment rules clap
/// has no switch for. A `TIDEWATCH_*` variable set to the empty string
/// counts as unset (`TIDEWATCH_SEVERITY=` must not become "only
/// UNKNOWN"), and a boolean one takes `1/0/yes/no/true/false/on/off` in
/// any case.
pub fn command() -> clap::Command {
    fn adjust(cmd: clap::Command) -> clap::Command {
        cmd.mut_args(|a| {
            let a = if matches!(a.get_action(), ArgAction::SetTrue) {
                a.value_parser(clap::builder::BoolishValueParser::new())
            } else {
                a
            };
            let empty = a
                .get_env()
                .and_then(std::env::var_os)
                .is_some_and(|v| v.is_empty());
            if empty { a.env(None) } else { a }
        })
        .mut_subcommands(adjust)
    }
    adjust(<Cli as clap::CommandFactory>::command())
}

const EMPTY_ELEMENT: &str = "empty value (an empty element in a list is not allowed)";

/// A severity; the empty string is refused here, though the type reads
/// it as UNKNOWN in feeds, so that `--severity CRITICAL,` cannot widen
/// the report or `--fail-on ""` silently gate on UNKNOWN.
fn parse_severity(s: &str) -> Result<tidewatch_types::Severity, String> {
    if s.trim().is_empty() {
        return Err(EMPTY_ELEMENT.to_string());
    }
    s.parse()
        .map_err(|e: tidewatch_types::ParseError| e.to_string())
}

fn parse_list_item(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        return Err(EMPTY_ELEMENT.to_string());
    }
    Ok(s.to_string())
}

fn parse_list_path(s: &str) -> Result<PathBuf, String> {
    parse_list_item(s).map(PathBuf::from)
}

/// `30s`, `90m`, `24h`, `7d`, or plain seconds.
fn parse_age(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("invalid age {s:?} (expected e.g. 90m, 24h, 7d)"))?;
    let secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return Err(format!("invalid age {s:?}: unit must be s, m, h or d")),
    };
    Ok(std::time::Duration::from_secs(n.saturating_mul(secs)))
}

fn parse_pkg_type(s: &str) -> Result<tidewatch_types::PackageType, String> {
    match s.trim() {
        "" => Err(EMPTY_ELEMENT.to_string()),
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
    /// Download the feeds (only what changed since the last run) and
    /// rebuild the database.
    Update(UpdateArgs),
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
