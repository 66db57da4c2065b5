use std::io::Write;
use tidewatch_types::Report;

pub fn render(report: &Report, out: &mut dyn Write) -> Result<(), serde_json::Error> {
    crate::document::write_json(report, out)
}
