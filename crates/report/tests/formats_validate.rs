//! Every machine-readable format validated by its ecosystem's own tool,
//! run as a subprocess on a rendered sample report:
//! - SARIF 2.1.0 against the `sarif-2.1.0.json` schema shipped in npm
//!   `@microsoft/sarif-multitool-linux` (Python `jsonschema`);
//! - CycloneDX 1.6 with `cyclonedx-python-lib`'s `JsonStrictValidator`;
//! - SPDX 2.3 with `spdx-tools`' `pyspdxtools -i`.
//!
//! `scripts/test.sh` installs them. A missing validator skips its test
//! with a message, unless `TIDEWATCH_REQUIRE_VALIDATORS` is set (the test
//! script sets it once they are installed), when it fails instead. Each
//! test also feeds the validator a broken document, so a validator that
//! accepts everything cannot pass for one that works.

mod formats_sample;

use std::path::{Path, PathBuf};
use std::process::Command;
use tidewatch_report::Format;

/// What a validator run said: `Ok` when it accepted the file.
fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(())
    } else {
        Err(text)
    }
}

/// `true` when the validator is there; otherwise skip (or fail when the
/// environment says validators are required).
fn available(what: &str, check: &mut Command) -> bool {
    let ok = check.output().map(|o| o.status.success()).unwrap_or(false);
    if !ok {
        if std::env::var_os("TIDEWATCH_REQUIRE_VALIDATORS").is_some() {
            panic!("{what} is required (TIDEWATCH_REQUIRE_VALIDATORS) but not installed");
        }
        eprintln!("skipping: {what} not installed (scripts/test.sh installs it)");
    }
    ok
}

fn python_has(module: &str) -> bool {
    available(
        &format!("python module {module}"),
        Command::new("python3").args(["-c", &format!("import {module}")]),
    )
}

/// Where the rendered files go: a temporary directory, or
/// `$TIDEWATCH_KEEP_FORMATS/<test>` to look at them after the run.
struct OutDir {
    _tmp: Option<tempfile::TempDir>,
    path: PathBuf,
}

impl OutDir {
    fn new(test: &str) -> Self {
        match std::env::var_os("TIDEWATCH_KEEP_FORMATS") {
            Some(keep) => {
                let path = PathBuf::from(keep).join(test);
                std::fs::create_dir_all(&path).expect("create keep dir");
                OutDir { _tmp: None, path }
            }
            None => {
                let tmp = tempfile::tempdir().expect("tempdir");
                let path = tmp.path().to_path_buf();
                OutDir {
                    _tmp: Some(tmp),
                    path,
                }
            }
        }
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write temp file");
    p
}

/// The SARIF schema file from the npm package: `$TIDEWATCH_SARIF_SCHEMA`,
/// or under `$SARIF_MULTITOOL_DIR` (default `/tmp/tidewatch-sarif`).
fn sarif_schema() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TIDEWATCH_SARIF_SCHEMA") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let dir = std::env::var_os("SARIF_MULTITOOL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/tidewatch-sarif"));
    let p = dir.join("node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json");
    p.is_file().then_some(p)
}

/// Runs a Python check over several files in one process (importing
/// `jsonschema` alone takes seconds): the script prints a JSON list with,
/// per file, `null` when it is valid or the validator's complaint.
fn python_check(script: &str, args: &[&Path], files: &[&Path]) -> Vec<Result<(), String>> {
    let out = Command::new("python3")
        .args(["-c", script])
        .args(args)
        .args(files)
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let verdicts: Vec<Option<String>> = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "validator script failed ({e}):\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(verdicts.len(), files.len());
    verdicts
        .into_iter()
        .map(|v| v.map_or(Ok(()), Err))
        .collect()
}

const JSONSCHEMA_CHECK: &str = r#"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
verdicts = []
for path in sys.argv[2:]:
    errors = sorted(validator.iter_errors(json.load(open(path))), key=lambda e: list(e.absolute_path))
    msgs = ["/".join(map(str, e.absolute_path)) + ": " + e.message for e in errors]
    verdicts.append("\n".join(msgs) if msgs else None)
print(json.dumps(verdicts))
"#;

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let Some(schema) = sarif_schema() else {
        if std::env::var_os("TIDEWATCH_REQUIRE_VALIDATORS").is_some() {
            panic!(
                "sarif-2.1.0.json from @microsoft/sarif-multitool-linux is required but missing"
            );
        }
        eprintln!("skipping: sarif-2.1.0.json (npm @microsoft/sarif-multitool-linux) not found");
        return;
    };
    if !python_has("jsonschema") {
        return;
    }
    let dir = OutDir::new("sarif");
    let sarif = formats_sample::render(&formats_sample::report(), Format::Sarif);
    let good = write(dir.path(), "good.sarif", &sarif);
    let mut empty = formats_sample::report();
    empty.findings.clear();
    empty.suppressed.clear();
    empty.warnings.clear();
    let empty = write(
        dir.path(),
        "empty.sarif",
        &formats_sample::render(&empty, Format::Sarif),
    );
    // A level SARIF does not have must be refused.
    let mut v: serde_json::Value = serde_json::from_str(&sarif).expect("json");
    v["runs"][0]["results"][0]["level"] = "severe".into();
    let bad = write(dir.path(), "bad.sarif", &v.to_string());

    let verdicts = python_check(JSONSCHEMA_CHECK, &[&schema], &[&good, &empty, &bad]);
    if let [good, empty, bad] = verdicts.as_slice() {
        if let Err(e) = good {
            panic!("SARIF rejected by the schema:\n{e}");
        }
        if let Err(e) = empty {
            panic!("empty SARIF rejected by the schema:\n{e}");
        }
        assert!(bad.is_err(), "the schema check accepts anything");
    }
}

const CYCLONEDX_CHECK: &str = r#"
import json, sys
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
validator = JsonStrictValidator(SchemaVersion.V1_6)
verdicts = []
for path in sys.argv[1:]:
    error = validator.validate_str(open(path).read())
    verdicts.append(None if error is None else str(error))
print(json.dumps(verdicts))
"#;

#[test]
fn cyclonedx_passes_the_strict_1_6_validator() {
    if !python_has("cyclonedx.validation.json") {
        return;
    }
    let dir = OutDir::new("cyclonedx");
    let report = formats_sample::report();
    let bom = formats_sample::render(&report, Format::CycloneDx);
    let good = write(dir.path(), "good.cdx.json", &bom);

    // Also a report with nothing in it (fs target, no OS, no findings).
    let mut empty = report.clone();
    empty.target.kind = tidewatch_types::TargetKind::Fs;
    empty.target.os = None;
    empty.target.digest = None;
    empty.layers.clear();
    empty.packages.clear();
    empty.findings.clear();
    empty.suppressed.clear();
    let empty = write(
        dir.path(),
        "empty.cdx.json",
        &formats_sample::render(&empty, Format::CycloneDx),
    );
    // Strict means unknown fields fail: prove the validator checks.
    let mut v: serde_json::Value = serde_json::from_str(&bom).expect("json");
    v["components"][1]["colour"] = "blue".into();
    let bad = write(dir.path(), "bad.cdx.json", &v.to_string());

    let verdicts = python_check(CYCLONEDX_CHECK, &[], &[&good, &empty, &bad]);
    if let [good, empty, bad] = verdicts.as_slice() {
        if let Err(e) = good {
            panic!("CycloneDX rejected by the strict 1.6 validator:\n{e}");
        }
        if let Err(e) = empty {
            panic!("empty CycloneDX rejected:\n{e}");
        }
        assert!(bad.is_err(), "the strict validator accepts anything");
    }
}

#[test]
fn spdx_passes_pyspdxtools() {
    if !available(
        "pyspdxtools (spdx-tools)",
        Command::new("pyspdxtools").arg("--help"),
    ) {
        return;
    }
    let dir = OutDir::new("spdx");
    let check = |p: &Path| run(Command::new("pyspdxtools").arg("-i").arg(p));
    let report = formats_sample::report();
    let doc = formats_sample::render(&report, Format::SpdxJson);
    let good = write(dir.path(), "good.spdx.json", &doc);
    if let Err(e) = check(&good) {
        panic!("SPDX rejected by pyspdxtools:\n{e}");
    }

    let mut empty = report.clone();
    empty.target.os = None;
    empty.packages.clear();
    empty.findings.clear();
    let p = write(
        dir.path(),
        "empty.spdx.json",
        &formats_sample::render(&empty, Format::SpdxJson),
    );
    if let Err(e) = check(&p) {
        panic!("empty SPDX rejected:\n{e}");
    }

    // A relationship to an element that does not exist must be refused.
    let mut v: serde_json::Value = serde_json::from_str(&doc).expect("json");
    v["relationships"][1]["relatedSpdxElement"] = "SPDXRef-Nowhere".into();
    let bad = write(dir.path(), "bad.spdx.json", &v.to_string());
    assert!(check(&bad).is_err(), "pyspdxtools accepts anything");
}
