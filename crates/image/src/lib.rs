//! Everything between what the user named and the files catalogers read:
//! opening image sources (docker-save tarballs in both layouts, OCI image
//! layouts as directories or tars, plain root-filesystem directories),
//! verifying digests, and streaming every layer's tar once to build the
//! squashed view of just the wanted files, with whiteouts and opaque
//! directories applied and each file tagged with the layer that last wrote it.

mod files;

pub use files::{FileData, FileEntry, FileFilter, Files, SNIFF_LEN, SPILL_THRESHOLD, Want};
