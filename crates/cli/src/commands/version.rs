//! `tidewatch version`.

use crate::printer::Printer;
use crate::settings::Settings;
use anyhow::Result;

pub fn run(settings: &Settings, printer: &Printer) -> Result<u8> {
    printer.line(&format!("tidewatch {}", env!("CARGO_PKG_VERSION")));
    match tidewatch_db::Db::open(&settings.db).and_then(|db| db.status()) {
        Ok(st) => {
            printer.line(&format!(
                "database: {} (schema version {}, built {})",
                st.path.display(),
                st.schema_version,
                st.built_at
            ));
        }
        Err(e) => printer.line(&format!("database: {e}")),
    }
    Ok(0)
}
