//! `tidewatch image`, `tidewatch fs` and `tidewatch sbom`, with the
//! suppression inputs (ignore files, VEX) they share.

use crate::args::{FsArgs, ImageArgs, SbomArgs, ScanArgs};
use crate::gate::Gate;
use crate::printer::Printer;
use crate::settings::{Settings, ensure_parent};
use anyhow::{Context, Result};
use std::collections::BTreeSet;
use std::io::Write;
use tidewatch_image::RegistryOptions;
use tidewatch_match::Filters;
use tidewatch_report::{Format, RenderOptions, TableOptions};
use tidewatch_scan::{ScanOptions, ScanTarget};

pub fn image(args: ImageArgs, settings: &Settings, printer: &Printer) -> Result<u8> {
    let target = ScanTarget::Image(args.image);
    let source = Source {
        registry: RegistryOptions {
            platform: args.platform,
            username: args.username,
            password: args.password,
            insecure: args.insecure,
            docker_config: None,
        },
        image_sources: args.image_src,
        no_cache: args.no_cache,
        base_image: args.base_image,
    };
    run(target, args.tag, source, args.scan, settings, printer)
}

/// How an image is fetched (only `tidewatch image` has a choice).
#[derive(Default)]
struct Source {
    registry: RegistryOptions,
    image_sources: Vec<tidewatch_image::ImageSource>,
    no_cache: bool,
    base_image: Option<String>,
}

pub fn fs(args: FsArgs, settings: &Settings, printer: &Printer) -> Result<u8> {
    if !args.dir.is_dir() {
        anyhow::bail!("{} is not a directory", args.dir.display());
    }
    let source = Source::default();
    run(
        ScanTarget::Fs(args.dir),
        None,
        source,
        args.scan,
        settings,
        printer,
    )
}

pub fn sbom(args: SbomArgs, settings: &Settings, printer: &Printer) -> Result<u8> {
    if !args.sbom.is_file() {
        anyhow::bail!("{} is not a file", args.sbom.display());
    }
    let source = Source::default();
    run(
        ScanTarget::Sbom(args.sbom),
        None,
        source,
        args.scan,
        settings,
        printer,
    )
}

/// The ignore files in the working directory that apply when
/// `--ignorefile` is not given, in the order they are read.
const DEFAULT_IGNORE_FILES: [&str; 4] = [
    ".tidewatchignore",
    ".tidewatchignore.yaml",
    ".tidewatchignore.yml",
    ".tidewatchignore.toml",
];

/// Read the ignore rules and VEX documents before any scanning: a
/// malformed one is an error (exit 2), not a half-suppressed report.
fn suppression_inputs(
    args: &ScanArgs,
) -> Result<(
    Vec<tidewatch_match::IgnoreFile>,
    Vec<tidewatch_match::VexDocument>,
)> {
    let ignore_paths: Vec<std::path::PathBuf> = match &args.ignorefile {
        Some(p) => vec![p.clone()],
        None => DEFAULT_IGNORE_FILES
            .iter()
            .map(std::path::PathBuf::from)
            .filter(|p| p.is_file())
            .collect(),
    };
    let ignore = ignore_paths
        .iter()
        .map(|p| tidewatch_match::IgnoreFile::load(p))
        .collect::<Result<Vec<_>, _>>()?;
    let vex = args
        .vex
        .iter()
        .map(|p| tidewatch_match::VexDocument::load(p))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((ignore, vex))
}

fn run(
    target: ScanTarget,
    tag: Option<String>,
    source: Source,
    args: ScanArgs,
    settings: &Settings,
    printer: &Printer,
) -> Result<u8> {
    let gate = Gate {
        exit_code: args.exit_code,
        fail_on: args.fail_on,
    };
    gate.validate()?;
    super::db::auto_update(
        &args.update,
        args.db_max_age,
        args.offline || args.skip_db_update,
        settings,
        printer,
    )?;
    let (ignore_files, vex) = suppression_inputs(&args)?;
    let opts = ScanOptions {
        db: settings.db.clone(),
        cache_dir: Some(settings.cache_dir.clone()),
        tag,
        filters: Filters {
            severities: (!args.severity.is_empty())
                .then(|| args.severity.iter().copied().collect::<BTreeSet<_>>()),
            ignore_unfixed: args.ignore_unfixed,
        },
        pkg_types: (!args.pkg_types.is_empty())
            .then(|| args.pkg_types.iter().copied().collect::<BTreeSet<_>>()),
        image_sources: source.image_sources,
        registry: source.registry,
        offline: args.offline,
        no_cache: source.no_cache,
        ignore_files,
        vex,
        base_image: source.base_image,
    };
    let mut report = tidewatch_scan::scan(&target, &opts)?;
    let status = gate.apply(&mut report);
    // One order for every format; the table keeps it within its groups.
    tidewatch_report::sort_findings(&mut report.findings, args.sort_by);
    if args.format == Format::Table && !args.show_suppressed {
        // The verdict line still counts them; --show-suppressed lists them.
        report.suppressed.clear();
    }

    printer.warnings(&report.warnings);
    let to_terminal = args.output.is_none() && printer.stdout_is_terminal();
    let render_opts = RenderOptions {
        table: TableOptions {
            list_all_pkgs: args.list_all_pkgs,
            fit_terminal: to_terminal,
            // Warnings already went to stderr; a file keeps them.
            show_warnings: args.output.is_some(),
            group_by: args.group_by,
            sort_by: args.sort_by,
        },
        ..Default::default()
    };
    let mut buf = Vec::new();
    tidewatch_report::render(&report, args.format, &render_opts, &mut buf)?;
    match &args.output {
        Some(path) => {
            write_atomically(path, &buf)?;
            if args.format != Format::Table || !report.findings.is_empty() {
                printer.note(&format!("report written to {}", path.display()));
            }
            printer.note(&report.summary.verdict);
        }
        None => printer.with_stdout(|out| out.write_all(&buf))?,
    }
    Ok(status)
}

/// Write the report next to its destination and rename it into place, so
/// a failed write never leaves half a report where CI looks for one.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    ensure_parent(path)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a file in {}", dir.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
