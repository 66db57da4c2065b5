use tidewatch_image::{FileFilter, Files, Want};
use tidewatch_types::{Location, OsInfo, Package, Warning};

/// Bumped whenever any cataloger changes what it finds, so that cached
/// per-layer results from an older tidewatch are never reused.
pub const CATALOGER_VERSION: u32 = 2;

/// What catalogers produce.
#[derive(Debug, Default)]
pub struct Output {
    pub packages: Vec<Package>,
    pub warnings: Vec<Warning>,
}

impl Output {
    pub fn warn(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.warnings.push(Warning::new(path, message));
    }
}

/// One package format's reader.
pub trait Cataloger: Send + Sync {
    fn name(&self) -> &'static str;
    /// Whether this cataloger needs the file at `path` (see [`FileFilter`]).
    fn wants(&self, path: &str, size: u64, mode: u32) -> Want;
    /// For files some cataloger returned `Sniff` for: keep it given its
    /// first bytes? Asked of every cataloger, so answer only for content
    /// this cataloger reads.
    fn sniff(&self, _path: &str, _head: &[u8]) -> bool {
        false
    }
    /// For a file this cataloger's `sniff` accepted: byte strings one of
    /// which the file must contain to be kept, checked while it streams
    /// past (see [`FileFilter::must_contain`]); `None` keeps it whole.
    fn must_contain(&self, _path: &str, _head: &[u8]) -> Option<Vec<&'static [u8]>> {
        None
    }
    /// Read the packages out of the kept files.
    fn catalog(&self, files: &Files, os: Option<&OsInfo>, out: &mut Output);
}

/// The location of a kept file, with the layer that wrote it.
pub fn location(files: &Files, path: &str) -> Location {
    Location {
        path: path.to_string(),
        layer: files.get(path).and_then(|e| e.layer),
    }
}

/// The set of catalogers a scan runs; also the [`FileFilter`] the image
/// reader uses, the union of what OS detection and every cataloger want.
pub struct Catalogers {
    list: Vec<Box<dyn Cataloger>>,
}

impl Default for Catalogers {
    fn default() -> Self {
        Self::all()
    }
}

impl Catalogers {
    /// Every cataloger tidewatch has, OS ones first.
    pub fn all() -> Self {
        Catalogers {
            list: crate::os::catalogers()
                .into_iter()
                .chain(crate::lang::catalogers())
                .collect(),
        }
    }

    /// For a source tree or root filesystem (`tidewatch fs`): everything
    /// [`Catalogers::all`] has plus the lockfile readers, which describe
    /// what a project will install rather than what an image contains.
    pub fn for_fs() -> Self {
        let mut c = Self::all();
        c.list.extend(crate::lang::lockfile_catalogers());
        c
    }

    pub fn iter(&self) -> impl Iterator<Item = &dyn Cataloger> {
        self.list.iter().map(|c| c.as_ref())
    }
}

impl FileFilter for Catalogers {
    fn wants(&self, path: &str, size: u64, mode: u32) -> Want {
        if crate::os::release::wants(path) {
            return Want::Keep;
        }
        let mut sniff = false;
        let mut too_large = None;
        for c in &self.list {
            match c.wants(path, size, mode) {
                Want::Keep => return Want::Keep,
                Want::Sniff => sniff = true,
                too @ Want::TooLarge { .. } => too_large = Some(too),
                Want::Skip => {}
            }
        }
        // Another cataloger's interest keeps the file; the one that found
        // it too large then refuses it again when reading (`read_text`).
        if sniff {
            Want::Sniff
        } else {
            too_large.unwrap_or(Want::Skip)
        }
    }

    fn sniff(&self, path: &str, head: &[u8]) -> bool {
        self.list.iter().any(|c| c.sniff(path, head))
    }

    /// The union over the catalogers that accepted the file: one that
    /// wants it whatever it contains wins.
    fn must_contain(&self, path: &str, head: &[u8]) -> Option<Vec<&'static [u8]>> {
        let mut all = Vec::new();
        for c in self.list.iter().filter(|c| c.sniff(path, head)) {
            all.extend(c.must_contain(path, head)?);
        }
        Some(all)
    }
}

/// Detect the OS and run every cataloger over `files`.
pub fn catalog(catalogers: &Catalogers, files: &Files) -> (Option<OsInfo>, Output) {
    let mut out = Output::default();
    let os = crate::os::release::detect(files, &mut out);
    for c in catalogers.iter() {
        c.catalog(files, os.as_ref(), &mut out);
    }
    crate::lang::lockfiles::fold_into_installed(&mut out.packages);
    crate::ownership::mark_os_owned(&mut out.packages);
    (os, out)
}
