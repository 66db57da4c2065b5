//! `tidewatch version`: the tool's version and the database it would use,
//! with its schema version and age (an old database hides new advisories).

use crate::printer::Printer;
use crate::settings::Settings;
use anyhow::Result;

pub fn run(settings: &Settings, printer: &Printer) -> Result<u8> {
    printer.line(&format!("tidewatch {}", env!("CARGO_PKG_VERSION")));
    match tidewatch_db::Db::open(&settings.db).and_then(|db| db.status()) {
        Ok(st) => {
            let age = age(&st.built_at, jiff::Timestamp::now())
                .map(|a| format!(", {a} old"))
                .unwrap_or_default();
            printer.line(&format!(
                "database: {} (schema version {}, built {}{age})",
                st.path.display(),
                st.schema_version,
                st.built_at
            ));
        }
        Err(e) => printer.line(&format!("database: {e}")),
    }
    Ok(0)
}

/// `3 days`, `5 hours`, `12 minutes` since `built_at` (RFC 3339); `None`
/// when the stamp does not parse.
fn age(built_at: &str, now: jiff::Timestamp) -> Option<String> {
    let built: jiff::Timestamp = built_at.trim().parse().ok()?;
    let secs = now.as_second().saturating_sub(built.as_second()).max(0);
    let (n, unit) = if secs >= 86_400 {
        (secs / 86_400, "day")
    } else if secs >= 3_600 {
        (secs / 3_600, "hour")
    } else {
        (secs / 60, "minute")
    };
    Some(format!("{n} {unit}{}", if n == 1 { "" } else { "s" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages() {
        let now: jiff::Timestamp = "2025-03-10T12:00:00Z".parse().unwrap_or_default();
        assert_eq!(age("2025-03-07T11:00:00Z", now).as_deref(), Some("3 days"));
        assert_eq!(
            age("2025-03-10T07:00:00+00:00", now).as_deref(),
            Some("5 hours")
        );
        assert_eq!(
            age("2025-03-10T11:59:00Z", now).as_deref(),
            Some("1 minute")
        );
        assert_eq!(age("yesterday", now), None);
    }
}
