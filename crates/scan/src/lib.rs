//! The scan pipeline as a library: resolve the source, squash the wanted
//! files out of its layers, catalogue packages, match them against the
//! database and filter the findings into a [`tidewatch_types::Report`].
