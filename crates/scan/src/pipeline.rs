use crate::cache::{self, LayerCache};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;
use tidewatch_catalog::Catalogers;
use tidewatch_db::Db;
use tidewatch_image::{ImageSource, OpenOptions, RegistryOptions, Squashed};
use tidewatch_match::{Filters, IgnoreFile, VexDocument};
use tidewatch_types::{
    LayerInfo, OsInfo, Package, PackageType, REPORT_SCHEMA_VERSION, Report, Summary, Target,
    TargetKind, Tool, Warning,
};

/// What to scan.
#[derive(Debug, Clone)]
pub enum ScanTarget {
    /// An image reference or path (`docker-archive:`, `oci-dir:` … prefixes allowed).
    Image(String),
    /// A root filesystem or source tree on disk.
    Fs(PathBuf),
    /// A CycloneDX or SPDX JSON SBOM.
    Sbom(PathBuf),
}

#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// The vulnerability database file.
    pub db: PathBuf,
    /// Where temporary files (spilled large files) may be written.
    pub cache_dir: Option<PathBuf>,
    /// `--tag`: which image of a multi-image layout.
    pub tag: Option<String>,
    pub filters: Filters,
    /// `--pkg-types`: catalogue only these kinds; `None` = all.
    pub pkg_types: Option<BTreeSet<PackageType>>,
    /// `--image-src`: where a reference is looked up, in order; empty = docker, registry.
    pub image_sources: Vec<ImageSource>,
    /// `--platform`, credentials, `--insecure`.
    pub registry: RegistryOptions,
    /// `--offline`: a registry reference is an error.
    pub offline: bool,
    /// Read every layer even when the layer cache has it (and store nothing).
    pub no_cache: bool,
    /// Ignore rules (`--ignorefile`, `.tidewatchignore`): matching findings
    /// move to `Report.suppressed`.
    pub ignore_files: Vec<IgnoreFile>,
    /// `--vex` documents: `not_affected`/`fixed` suppress, others annotate.
    pub vex: Vec<VexDocument>,
    /// `--base-image`: the image this one was built `FROM`, to mark its
    /// layers (else the config's base-image labels are used).
    pub base_image: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Image(#[from] tidewatch_image::ImageError),
    /// A base image the user named is a file that is not there: a typo
    /// would otherwise pass as "no base image".
    #[error("base image {0}")]
    BaseImage(tidewatch_image::ImageError),
    #[error(transparent)]
    Db(#[from] tidewatch_db::DbError),
    #[error(transparent)]
    Match(#[from] tidewatch_match::MatchError),
    #[error(transparent)]
    Sbom(#[from] tidewatch_catalog::sbom::SbomError),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create the cache directory {path}: {source}")]
    Cache {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Squash through the layer cache when there is a cache directory; a cache
/// that cannot be opened is logged and skipped, never a failed scan.
fn squash(
    image: &tidewatch_image::Image,
    catalogers: &Catalogers,
    opts: &ScanOptions,
    temp_dir: Option<PathBuf>,
) -> Result<Squashed, ScanError> {
    let Some(dir) = opts.cache_dir.as_ref().filter(|_| !opts.no_cache) else {
        return Ok(image.squash(catalogers)?);
    };
    match LayerCache::open(&cache::dir_in(dir)) {
        Ok(cache) => {
            let cache = cache.spill_into(temp_dir);
            let id = cache::filter_id(catalogers.iter().map(|c| c.name()));
            let (squashed, stats) = cache.squash(image, catalogers, &id)?;
            tracing::debug!(
                hits = stats.hits,
                read = stats.read,
                stored = stats.stored,
                "layers"
            );
            Ok(squashed)
        }
        Err(e) => {
            tracing::warn!("{e}; scanning without the layer cache");
            Ok(image.squash(catalogers)?)
        }
    }
}

/// How old a spill file in the cache's `tmp/` must be before a scan
/// removes it as left behind by a killed process. Live scans own their
/// spill files and delete them when done (they are `tempfile`s); a
/// concurrent scan's file is younger than this unless that scan has held
/// it untouched for hours.
const STALE_SPILL: std::time::Duration = std::time::Duration::from_secs(6 * 60 * 60);

/// Remove spill files (`.tmp*` from the image reader, `.tw-blob*` links
/// from the layer cache) that a killed scan left in `dir`. A layer-cache
/// link keeps the blob's old mtime, so for it the inode change time (set
/// when the link was made) decides. Failures only cost disk space.
fn remove_stale_spills(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = std::time::SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let blob_link = name.starts_with(".tw-blob");
        if !name.starts_with(".tmp") && !blob_link {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let Ok(mut changed) = meta.modified() else {
            continue;
        };
        #[cfg(unix)]
        if blob_link {
            use std::os::unix::fs::MetadataExt as _;
            let ctime = std::time::UNIX_EPOCH
                + std::time::Duration::from_secs(u64::try_from(meta.ctime()).unwrap_or(0));
            changed = changed.max(ctime);
        }
        if now
            .duration_since(changed)
            .is_ok_and(|age| age > STALE_SPILL)
        {
            match std::fs::remove_file(entry.path()) {
                Ok(()) => {
                    tracing::debug!(path = %entry.path().display(), "removed stale spill file")
                }
                Err(e) => {
                    tracing::debug!(path = %entry.path().display(), "cannot remove stale spill file: {e}")
                }
            }
        }
    }
}

/// Run a whole scan. The report's `summary.exit_code` is left at 0.
pub fn scan(target: &ScanTarget, opts: &ScanOptions) -> Result<Report, ScanError> {
    // Open the database first: a scan without one is pointless, and the
    // error should come before minutes of layer reading.
    let db = Db::open(&opts.db)?;
    let temp_dir = match &opts.cache_dir {
        Some(dir) => {
            let tmp = dir.join("tmp");
            std::fs::create_dir_all(&tmp).map_err(|source| ScanError::Cache {
                path: tmp.clone(),
                source,
            })?;
            remove_stale_spills(&tmp);
            Some(tmp)
        }
        None => None,
    };
    let open = OpenOptions {
        tag: opts.tag.clone(),
        temp_dir: temp_dir.clone(),
        sources: opts.image_sources.clone(),
        registry: opts.registry.clone(),
        offline: opts.offline,
        docker_host: None,
    };

    let started = Instant::now();
    let (kind, name, digest, config_digest, layers, (os, mut packages, mut warnings)) = match target
    {
        ScanTarget::Image(spec) => {
            let catalogers = Catalogers::all();
            let image = tidewatch_image::open(spec, &open)?;
            let mut layers = image.layers.clone();
            let base_warning = crate::base::mark_base_layers(
                &image,
                &mut layers,
                opts.base_image.as_deref(),
                &open,
            )?;
            let squashed = squash(&image, &catalogers, opts, temp_dir)?;
            let mut inventory = catalog_squashed(&catalogers, squashed);
            inventory.2.extend(base_warning);
            (
                TargetKind::Image,
                spec.clone(),
                image.manifest_digest.clone(),
                Some(image.config_digest.clone()),
                layers,
                inventory,
            )
        }
        ScanTarget::Fs(dir) => {
            let catalogers = Catalogers::for_fs();
            let squashed = tidewatch_image::read_dir(dir, &catalogers, &open)?;
            (
                TargetKind::Fs,
                dir.display().to_string(),
                None,
                None,
                Vec::<LayerInfo>::new(),
                catalog_squashed(&catalogers, squashed),
            )
        }
        ScanTarget::Sbom(path) => {
            let bytes = std::fs::read(path).map_err(|source| ScanError::Read {
                path: path.clone(),
                source,
            })?;
            (
                TargetKind::Sbom,
                path.display().to_string(),
                None,
                None,
                Vec::<LayerInfo>::new(),
                tidewatch_catalog::sbom::read_sbom(&bytes, &path.display().to_string())?,
            )
        }
    };
    if let Some(kinds) = &opts.pkg_types {
        packages.retain(|p| kinds.contains(&p.kind));
    }
    packages.sort_by(|a, b| {
        (a.kind, &a.name, &a.version, a.path()).cmp(&(b.kind, &b.name, &b.version, b.path()))
    });
    tracing::debug!(packages = packages.len(), elapsed = ?started.elapsed(), "catalogued");

    let matched = tidewatch_match::match_packages(&db, &packages)?;
    warnings.extend(matched.warnings);
    let findings = tidewatch_match::apply_filters(matched.findings, &opts.filters);
    tracing::debug!(findings = findings.len(), elapsed = ?started.elapsed(), "matched");

    // VEX first: a producer's "not affected" is a fact about the finding,
    // an ignore rule only the user's acceptance of it.
    let image_digests: Vec<String> = digest.iter().chain(&config_digest).cloned().collect();
    let vexed = tidewatch_match::apply_vex(&opts.vex, findings, &image_digests);
    let ignored = tidewatch_match::apply_ignore_files(
        &opts.ignore_files,
        vexed.kept,
        tidewatch_catalog::os::eol::today(),
    );
    warnings.extend(vexed.warnings);
    warnings.extend(ignored.warnings);
    let findings = ignored.kept;
    let mut suppressed = vexed.suppressed;
    suppressed.extend(ignored.suppressed);

    let mut summary = Summary {
        suppressed: suppressed.len(),
        ..Summary::default()
    };
    for f in &findings {
        *summary.by_severity.entry(f.severity).or_default() += 1;
    }
    Ok(Report {
        schema_version: REPORT_SCHEMA_VERSION,
        tool: Tool {
            name: "tidewatch".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        target: Target {
            kind,
            name,
            digest,
            config_digest,
            os,
        },
        layers,
        packages,
        findings,
        suppressed,
        warnings,
        summary,
    })
}

/// Catalogue the files an image or directory source kept.
fn catalog_squashed(
    catalogers: &Catalogers,
    squashed: Squashed,
) -> (Option<OsInfo>, Vec<Package>, Vec<Warning>) {
    tracing::debug!(files = squashed.files.len(), "read layers");
    let Squashed {
        files,
        mut warnings,
    } = squashed;
    let (os, catalogued) = tidewatch_catalog::catalog(catalogers, &files);
    warnings.extend(catalogued.warnings);
    (os, catalogued.packages, warnings)
}
