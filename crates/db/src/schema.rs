//! The SQLite layout (DESIGN §1 item 4). Bump [`SCHEMA_VERSION`] on any
//! change a reader of the previous version would misread; readers refuse
//! other versions rather than guess.
//!
//! Ranges, explicit versions, aliases and CVSS lists are JSON text columns:
//! they are only ever read whole, next to the row that owns them, so
//! normalising them into tables would cost joins and buy nothing.

/// The schema this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Marks a file as ours in `meta`, so that "some other SQLite file" gets a
/// clear error instead of confusing query failures.
pub(crate) const APPLICATION: &str = "tidewatch-vulndb";

pub(crate) const CREATE: &str = "
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS source (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    origin      TEXT NOT NULL,
    via         TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS advisory (
    id              INTEGER PRIMARY KEY,
    source_id       INTEGER NOT NULL REFERENCES source(id),
    vuln_id         TEXT NOT NULL,
    aliases         TEXT NOT NULL,
    title           TEXT,
    published       TEXT,
    modified        TEXT,
    withdrawn       INTEGER NOT NULL,
    severity        TEXT,
    severity_source TEXT,
    cvss            TEXT NOT NULL,
    feed            TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS advisory_source ON advisory(source_id);

CREATE TABLE IF NOT EXISTS affected (
    advisory_id INTEGER NOT NULL REFERENCES advisory(id),
    source_id   INTEGER NOT NULL REFERENCES source(id),
    ecosystem   TEXT NOT NULL,
    package     TEXT NOT NULL,
    ranges      TEXT NOT NULL,
    versions    TEXT NOT NULL,
    fix_state   TEXT,
    severity    TEXT,
    binary      INTEGER NOT NULL,
    module      TEXT
);
CREATE INDEX IF NOT EXISTS affected_package ON affected(ecosystem, package);
CREATE INDEX IF NOT EXISTS affected_source ON affected(source_id);

CREATE TABLE IF NOT EXISTS cve_severity (
    cve             TEXT NOT NULL,
    source_id       INTEGER NOT NULL REFERENCES source(id),
    severity        TEXT,
    severity_source TEXT,
    cvss            TEXT NOT NULL,
    PRIMARY KEY (cve, source_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cve_severity_source ON cve_severity(source_id);

CREATE TABLE IF NOT EXISTS kev (
    cve        TEXT NOT NULL,
    source_id  INTEGER NOT NULL REFERENCES source(id),
    date_added TEXT,
    PRIMARY KEY (cve, source_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kev_source ON kev(source_id);

CREATE TABLE IF NOT EXISTS epss (
    cve        TEXT NOT NULL,
    source_id  INTEGER NOT NULL REFERENCES source(id),
    score      REAL NOT NULL,
    percentile REAL NOT NULL,
    PRIMARY KEY (cve, source_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS epss_source ON epss(source_id);
";
