use std::io::Write;
use tidewatch_types::Report;

pub fn render(report: &Report, out: &mut dyn Write) -> Result<(), serde_json::Error> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n").map_err(serde_json::Error::io)
}
