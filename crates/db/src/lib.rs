//! The vulnerability database: one SQLite file normalised on the OSV model
//! (advisories, affected packages with ranges and fix states, enrichment),
//! the importers that turn each feed's native format into it, and the
//! atomic build-and-rename that keeps a crash from ever leaving a broken DB.
