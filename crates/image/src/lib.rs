//! Everything between what the user named and the files catalogers read:
//! opening image sources (docker-save tarballs in both layouts, OCI image
//! layouts as directories or tars, plain root-filesystem directories),
//! verifying digests, and streaming every layer's tar once to build the
//! squashed view of just the wanted files, with whiteouts and opaque
//! directories applied and each file tagged with the layer that last wrote it.
//!
//! The pieces, in data-flow order: [`open`] (`source`, with `oci` and
//! `docker` for the layouts, `blobs` for reading a directory or a tar in
//! place, `registry` for pulls by reference, `daemon` for the Docker
//! Engine API) → [`Image::read_layer`] (`layer`, over `tarstream`, `digest`,
//! `spill`) → [`merge`] (whiteouts, opaque directories, links);
//! [`Image::squash`] does the last two for all layers in parallel.
//!
//! Limits of link resolution: a link's own path gets the bytes of the file
//! it resolves to only when that file was kept under its own name (the
//! filter wanted it too), since each layer is read once, in parallel, before
//! the links of other layers are known; a hard link is resolved within its
//! layer when its target was kept there. Files are found at their physical
//! paths: a wanted path reached only through a symlinked *directory*
//! (`lib/x` with `lib -> usr/lib`) is found at `usr/lib/x`, not aliased
//! under `lib/x`, so catalogers do not see one file twice.

mod blobs;
mod config;
mod daemon;
mod digest;
mod dir;
mod docker;
mod error;
mod files;
mod layer;
mod merge;
mod oci;
mod parts;
mod path;
mod registry;
mod source;
mod spill;
mod tarstream;

pub use config::{History, ImageConfig};
pub use dir::read_dir;
pub use error::ImageError;
pub use files::{FileData, FileEntry, FileFilter, Files, SNIFF_LEN, SPILL_THRESHOLD, Want};
pub use layer::LayerFiles;
pub use merge::{Squashed, merge};
pub use parts::{LayerParts, LinkPart, path_hash_probe};
pub use registry::{Platform, RegistryOptions};
pub use source::{Image, ImageSource, OpenOptions, open};
pub use spill::MEMORY_BUDGET;
