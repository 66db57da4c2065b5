//! Renders a [`tidewatch_types::Report`] in every output format tidewatch
//! offers, and owns the JSON Schema of the JSON report.
