//! FIRST EPSS scores (`epss_scores-YYYY-MM-DD.csv[.gz]`): a
//! `#model_version:…,score_date:…` comment line, a `cve,epss,percentile`
//! header, then one CVE per line. One source, `epss`.
//!
//! Three numeric columns need no CSV crate: fields never contain commas or
//! quotes in this feed, and a line that does is malformed.

use super::{EpssEntry, Feed, Input, SourceBatch, Syntax};
use crate::error::DbError;

pub(crate) const FEED: Feed = Feed {
    name: "epss",
    claims,
    parse,
};

const FORMAT: &str = "EPSS CSV";

fn claims(input: &Input<'_>) -> bool {
    input.syntax == Syntax::Csv
        && input.head(512).lines().any(|l| {
            l.trim().eq_ignore_ascii_case("cve,epss,percentile") || l.starts_with("#model_version")
        })
}

fn parse(input: &Input<'_>) -> Result<Vec<SourceBatch>, DbError> {
    let text = input.text(FORMAT)?;
    let mut batch = SourceBatch::new("epss", "epss");
    let mut header = false;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !header {
            if !line.eq_ignore_ascii_case("cve,epss,percentile") {
                return Err(input.malformed(
                    FORMAT,
                    format!(
                        "line {}: expected the header `cve,epss,percentile`, found {line:?}",
                        n + 1
                    ),
                ));
            }
            header = true;
            continue;
        }
        let bad = |what: &str| input.malformed(FORMAT, format!("line {}: {what}: {line:?}", n + 1));
        let mut fields = line.split(',');
        let (Some(cve), Some(score), Some(pct), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(bad("expected 3 fields"));
        };
        let score: f64 = score.trim().parse().map_err(|_| bad("bad epss score"))?;
        let percentile: f64 = pct.trim().parse().map_err(|_| bad("bad percentile"))?;
        if !cve.starts_with("CVE-")
            || !(0.0..=1.0).contains(&score)
            || !(0.0..=1.0).contains(&percentile)
        {
            return Err(bad("not a CVE with scores in 0..1"));
        }
        batch.epss.push(EpssEntry {
            cve: cve.to_string(),
            score,
            percentile,
        });
    }
    if !header {
        return Err(input.malformed(FORMAT, "no `cve,epss,percentile` header"));
    }
    Ok(vec![batch])
}
