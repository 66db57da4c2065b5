//! `tidewatch db import`, `db status` and `db update`, and the automatic
//! update a scan runs first when the downloaded feeds are stale.

use crate::args::{DbCommand, UpdateArgs};
use crate::printer::Printer;
use crate::settings::{Settings, ensure_parent};
use anyhow::Result;
use std::time::Instant;
use tidewatch_db::Db;
use tidewatch_db::update::{Change, FeedSpec, Freshness, Repository, UpdateOptions, UpdateReport};

pub fn run(cmd: DbCommand, settings: &Settings, printer: &Printer) -> Result<u8> {
    match cmd {
        DbCommand::Import { paths } => import(&paths, settings, printer),
        DbCommand::Status => status(settings, printer),
        DbCommand::Update(args) => {
            let report = update(&args, settings, printer)?;
            summarise(&report, settings, printer);
            Ok(0)
        }
    }
}

fn import(paths: &[std::path::PathBuf], settings: &Settings, printer: &Printer) -> Result<u8> {
    for p in paths {
        if !p.exists() {
            anyhow::bail!("{}: no such file or directory", p.display());
        }
    }
    ensure_parent(&settings.db)?;
    let started = Instant::now();
    let report = tidewatch_db::import(&settings.db, paths)?;
    printer.warnings(&report.warnings);
    for s in &report.sources {
        printer.line(&format!(
            "{:<32} {:>7} advisories {:>8} affected {:>8} enrichment{}",
            s.name,
            s.advisories,
            s.affected,
            s.enrichment,
            if s.replaced { "  (replaced)" } else { "" }
        ));
    }
    printer.line(&format!(
        "imported {} source(s) from {} file(s) into {} in {:.1}s ({} skipped)",
        report.sources.len(),
        report.files_read,
        settings.db.display(),
        started.elapsed().as_secs_f64(),
        report.warnings.len()
    ));
    Ok(0)
}

fn status(settings: &Settings, printer: &Printer) -> Result<u8> {
    let db = Db::open(&settings.db)?;
    let st = db.status()?;
    printer.line(&format!("database:       {}", st.path.display()));
    printer.line(&format!("schema version: {}", st.schema_version));
    printer.line(&format!("built:          {}", st.built_at));
    printer.line(&format!("sources:        {}", st.sources.len()));
    for s in &st.sources {
        printer.line(&format!(
            "  {:<30} {:>7} advisories {:>8} affected {:>8} enrichment  {} {} from {}",
            s.name, s.advisories, s.affected, s.enrichment, s.via, s.imported_at, s.origin
        ));
    }
    Ok(0)
}

/// Downloads what changed and rebuilds the DB.
pub fn update(args: &UpdateArgs, settings: &Settings, printer: &Printer) -> Result<UpdateReport> {
    let mut opts = UpdateOptions::new(&settings.cache_dir);
    if !args.repositories.is_empty() {
        opts.repositories = args
            .repositories
            .iter()
            .map(|r| Repository::parse(r))
            .collect::<Result<_, _>>()?;
    }
    if !args.feeds.is_empty() {
        let mut feeds = Vec::new();
        for f in &args.feeds {
            feeds.extend(FeedSpec::parse_list(f)?);
        }
        opts.feeds = feeds;
    }
    opts.nvd_api = args.nvd_api.clone();
    // Read here rather than as a flag so the key never shows in `--help`
    // or in a process listing.
    opts.nvd_api_key = std::env::var("NVD_API_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty());
    ensure_parent(&settings.db)?;
    let progress = Bars::new(printer.is_quiet());
    Ok(tidewatch_db::update::update(
        &settings.db,
        &opts,
        &progress,
    )?)
}

fn summarise(report: &UpdateReport, settings: &Settings, printer: &Printer) {
    for f in &report.feeds {
        let what = match f.change {
            Change::NotModified => "unchanged".to_string(),
            Change::Full => format!("downloaded ({})", human_bytes(f.bytes)),
            Change::Incremental { records } => {
                format!("{records} changed record(s) ({})", human_bytes(f.bytes))
            }
        };
        printer.line(&format!("{:<32} {what}", f.feed));
    }
    match &report.import {
        Some(import) => {
            printer.warnings(&import.warnings);
            for s in &import.sources {
                printer.line(&format!(
                    "  {:<30} {:>7} advisories {:>8} affected {:>8} enrichment",
                    s.name, s.advisories, s.affected, s.enrichment
                ));
            }
            printer.line(&format!(
                "updated {} source(s) in {}; {} transferred",
                import.sources.len(),
                settings.db.display(),
                human_bytes(report.bytes)
            ));
        }
        None => printer.line(&format!(
            "{} is up to date; {} transferred",
            settings.db.display(),
            human_bytes(report.bytes)
        )),
    }
}

fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

/// Before a scan: update when there is no DB or its downloaded feeds are
/// older than `max_age`, unless told not to. A DB built only by `db
/// import` is left alone. A failed update is an error only when there is
/// no usable DB to scan with.
pub fn auto_update(
    args: &UpdateArgs,
    max_age: std::time::Duration,
    skip: bool,
    settings: &Settings,
    printer: &Printer,
) -> Result<()> {
    let freshness = tidewatch_db::update::freshness(&settings.db, &settings.cache_dir, max_age);
    if skip {
        // Scanning reports a missing or unreadable DB with its own error.
        return Ok(());
    }
    let usable = match freshness {
        Ok(Freshness::Fresh(_) | Freshness::ImportedOnly) => return Ok(()),
        Ok(Freshness::Missing) => false,
        Ok(Freshness::Stale(_)) => true,
        // Unreadable or another schema: an update rebuilds it.
        Err(_) => false,
    };
    printer.note(if usable {
        "vulnerability database is stale; updating"
    } else {
        "no usable vulnerability database; downloading one"
    });
    match update(args, settings, printer) {
        Ok(report) => {
            printer.note(&format!(
                "vulnerability database updated ({} transferred)",
                human_bytes(report.bytes)
            ));
            Ok(())
        }
        Err(e) if usable => {
            printer.warnings(&[tidewatch_types::Warning::new(
                settings.db.display().to_string(),
                format!("database update failed, scanning with the existing one: {e:#}"),
            )]);
            Ok(())
        }
        Err(e) => Err(e.context("cannot download the vulnerability database (use --offline with `tidewatch db import` for air-gapped use)")),
    }
}

/// One indicatif bar per download on stderr; hidden with --quiet or when
/// stderr is not a terminal (indicatif's own check).
struct Bars {
    bar: std::cell::RefCell<Option<indicatif::ProgressBar>>,
    quiet: bool,
}

impl Bars {
    fn new(quiet: bool) -> Self {
        Bars {
            bar: std::cell::RefCell::new(None),
            quiet,
        }
    }
}

impl tidewatch_db::update::Progress for Bars {
    fn begin(&self, url: &str, total: Option<u64>) {
        if self.quiet {
            return;
        }
        let bar = match total {
            Some(t) => indicatif::ProgressBar::new(t),
            None => indicatif::ProgressBar::new_spinner(),
        };
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg} {bar:30} {bytes}/{total_bytes} {bytes_per_sec}",
        ) {
            bar.set_style(style);
        }
        let name = url
            .rsplit('/')
            .take(2)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("/");
        // A mirror list names these URLs: no escape sequences on stderr.
        bar.set_message(tidewatch_report::escape_controls(&name, &[]).into_owned());
        *self.bar.borrow_mut() = Some(bar);
    }

    fn advance(&self, bytes: u64) {
        if let Some(b) = self.bar.borrow().as_ref() {
            b.inc(bytes);
        }
    }

    fn end(&self) {
        if let Some(b) = self.bar.borrow_mut().take() {
            b.finish_and_clear();
        }
    }
}
