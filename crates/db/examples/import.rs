//! Times an import: `cargo run --release -p tidewatch-db --example import -- DB PATH…`.
//! Used for the numbers in the DB's docs; prints the per-source summary.

use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let db = args.next().ok_or("usage: import DB PATH…")?;
    let inputs: Vec<PathBuf> = args.collect();
    let start = Instant::now();
    let report = tidewatch_db::import(&db, &inputs)?;
    let elapsed = start.elapsed();
    for s in &report.sources {
        println!(
            "{:<34} {:>7} advisories {:>8} affected {:>7} enrichment",
            s.name, s.advisories, s.affected, s.enrichment
        );
    }
    if std::env::var_os("SHOW_SKIPPED").is_some() {
        for w in &report.warnings {
            println!("skipped {}: {}", w.path, w.message);
        }
    }
    println!(
        "{} files, {} sources, {} skipped, {:.2?}",
        report.files_read,
        report.sources.len(),
        report.warnings.len(),
        elapsed
    );
    Ok(())
}
