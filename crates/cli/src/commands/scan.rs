//! `tidewatch image`, `tidewatch fs` and `tidewatch sbom`, with the
//! suppression inputs (ignore files, VEX) they share.

use crate::args::{FsArgs, ImageArgs, SbomArgs, ScanArgs};
use crate::gate::Gate;
use crate::printer::Printer;
use crate::settings::{Settings, ensure_parent};
use anyhow::{Context, Result};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
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
    let meta = std::fs::metadata(&args.dir)
        .with_context(|| format!("cannot scan {}", args.dir.display()))?;
    if !meta.is_dir() {
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
    let meta = std::fs::metadata(&args.sbom)
        .with_context(|| format!("cannot read {}", args.sbom.display()))?;
    if !meta.is_file() {
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
            write_report(path, &buf)?;
            if args.format != Format::Table || !report.findings.is_empty() {
                printer.note(&format!("report written to {}", path.display()));
            }
            printer.note(&report.summary.verdict);
        }
        None => printer.with_stdout(|out| out.write_all(&buf))?,
    }
    Ok(status)
}

/// Write the report to `path`. A regular file (new or existing) is
/// written beside its destination and renamed into place, so a failed
/// write never leaves half a report where CI looks for one; a symlink is
/// followed so the link stays and its target gets the report; anything
/// else that exists (`/dev/null`, a fifo, a socket) is opened and written
/// as it is, since replacing it would destroy it. So is a file reached
/// through `/proc` (`/dev/stdout` redirected to a file): the shell holds
/// it open, and `>>` expects the report appended.
fn write_report(path: &Path, bytes: &[u8]) -> Result<()> {
    let write_in_place = |append: bool| -> Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .append(append)
            .open(path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        f.write_all(bytes)
            .and_then(|()| f.flush())
            .with_context(|| format!("cannot write {}", path.display()))
    };
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            anyhow::bail!("cannot write {}: it is a directory", path.display())
        }
        Ok(meta) if !meta.is_file() => write_in_place(false),
        Ok(meta) => match resolve_symlinks(path)? {
            Resolved::File(target) => replace_file(path, &target, bytes, Some(&meta)),
            Resolved::Proc => write_in_place(true),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match resolve_symlinks(path)? {
            Resolved::File(target) => {
                ensure_parent(&target)?;
                replace_file(path, &target, bytes, None)
            }
            Resolved::Proc => write_in_place(false),
        },
        Err(e) => Err(e).with_context(|| format!("cannot write {}", path.display())),
    }
}

enum Resolved {
    /// The path at the end of the chain of symlinks.
    File(PathBuf),
    /// The chain goes through `/proc` (`/dev/stdout`, `/dev/fd/N`), whose
    /// links name open files rather than paths to replace.
    Proc,
}

/// Follow `path` while it is a symlink (a dangling one gives the path it
/// points at, which is then created).
fn resolve_symlinks(path: &Path) -> Result<Resolved> {
    let mut p = path.to_path_buf();
    // The kernel's own limit on a chain of links.
    for _ in 0..40 {
        if p.starts_with("/proc") {
            return Ok(Resolved::Proc);
        }
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&p)
                    .with_context(|| format!("cannot read the link {}", p.display()))?;
                p = match p.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(Resolved::File(p)),
        }
    }
    anyhow::bail!(
        "cannot write {}: too many levels of symbolic links",
        path.display()
    )
}

/// Write `bytes` to a new file beside `target` and rename it over
/// `target`. The new file is created by the OS with the usual mode
/// (0666 less the umask); when it replaces `existing`, it takes that
/// file's mode, and its owner and group where we may set them (root
/// rewriting a user's report). A directory we cannot create files in
/// but whose report we may write: the report is rewritten in place.
fn replace_file(
    shown: &Path,
    target: &Path,
    bytes: &[u8],
    existing: Option<&std::fs::Metadata>,
) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".to_string());
    let (tmp, mut file) = match create_temp(dir, &name) {
        Ok(t) => t,
        Err(TempError::Denied(_)) if existing.is_some() => {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(target)
                .with_context(|| format!("cannot open {}", shown.display()))?;
            return f
                .write_all(bytes)
                .and_then(|()| f.flush())
                .with_context(|| format!("cannot write {}", shown.display()));
        }
        Err(TempError::Denied(e) | TempError::Other(e)) => {
            return Err(e).with_context(|| format!("cannot create a file in {}", dir.display()));
        }
    };
    let written = (|| -> std::io::Result<()> {
        file.write_all(bytes)?;
        if let Some(meta) = existing {
            // Only root may give a file away; anyone else keeps it.
            let _ = std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()));
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, target)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", shown.display()));
    }
    Ok(())
}

enum TempError {
    /// The directory does not let us create files.
    Denied(std::io::Error),
    Other(std::io::Error),
}

/// A new file `.<name>.<pid>.<n>.tmp` in `dir`, created with std's
/// default mode (which the umask applies to), unlike tempfile's 0600.
fn create_temp(dir: &Path, name: &str) -> Result<(PathBuf, std::fs::File), TempError> {
    let pid = std::process::id();
    let mut last = None;
    for n in 0..1000u32 {
        let tmp = dir.join(format!(".{name}.{pid}.{n}.tmp"));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                return Err(TempError::Denied(e));
            }
            Err(e) => return Err(TempError::Other(e)),
        }
    }
    Err(TempError::Other(last.unwrap_or_else(|| {
        std::io::Error::other("no free temporary file name")
    })))
}
