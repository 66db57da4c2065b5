//! `tidewatch.toml`: settings kept with a project, so CI and developers
//! scan with the same thresholds.
//!
//! Keys are the long flag names (`severity = ["HIGH", "CRITICAL"]`,
//! `exit-code = 1`, `ignorefile = "ci/ignore.yaml"`, `db = "…"`). The file
//! is `--config FILE` / `TIDEWATCH_CONFIG`, else `tidewatch.toml` in the
//! working directory when there is one. Precedence is flag, then
//! environment, then file, then default: clap resolves the first two, and a file value is
//! used only for an argument whose value came from neither
//! ([`ArgMatches::value_source`]). File values are fed back through clap
//! as `--key=value` so they are parsed and validated exactly like flags.
//! Relative paths in the file are relative to the file's directory.
//!
//! A key no subcommand knows is an error (a typo must not silently leave
//! a gate open); a key that only other subcommands take (`severity` while
//! running `db status`) is skipped.

use anyhow::{Context, Result, anyhow, bail};
use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, Command};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The file read when `--config` is not given.
pub const DEFAULT_CONFIG: &str = "tidewatch.toml";

/// Keys whose values are paths, resolved against the file's directory.
const PATH_KEYS: [&str; 6] = [
    "db",
    "cache-dir",
    "ignorefile",
    "vex",
    "output",
    "base-image",
];

/// Parse `argv` with `cmd`, filling unset arguments from the config file.
/// Clap's own errors (and `--help`) exit as clap does.
pub fn parse(cmd: Command, argv: Vec<OsString>) -> Result<ArgMatches> {
    let matches = cmd.clone().get_matches_from(argv.clone());
    let path = match matches.get_one::<PathBuf>("config") {
        Some(p) => p.clone(),
        None if Path::new(DEFAULT_CONFIG).is_file() => PathBuf::from(DEFAULT_CONFIG),
        None => return Ok(matches),
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    let table: toml::Table =
        toml::from_str(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let extra = extra_args(&cmd, &matches, &table, &path)?;
    if extra.is_empty() {
        return Ok(matches);
    }
    let mut full = argv;
    full.extend(extra);
    cmd.try_get_matches_from(full)
        .map_err(|e| anyhow!("{} (with settings from {})", e.render(), path.display()))
}

/// The `--key=value` arguments the file contributes.
fn extra_args(
    root: &Command,
    matches: &ArgMatches,
    table: &toml::Table,
    path: &Path,
) -> Result<Vec<OsString>> {
    // The subcommand being run, and its matches.
    let mut leaf_cmd = root;
    let mut leaf = matches;
    while let Some((name, sub)) = leaf.subcommand() {
        match leaf_cmd.find_subcommand(name) {
            Some(c) => {
                leaf_cmd = c;
                leaf = sub;
            }
            None => break,
        }
    }
    let base_dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let mut out = Vec::new();
    for (key, value) in table {
        if key == "config" {
            bail!(
                "{}: `config` cannot be set in a config file",
                path.display()
            );
        }
        let arg = leaf_cmd
            .get_arguments()
            .chain(root.get_arguments().filter(|a| a.is_global_set()))
            .find(|a| a.get_long() == Some(key.as_str()));
        let Some(arg) = arg else {
            if known_anywhere(root, key) {
                continue;
            }
            bail!(
                "{}: unknown key `{key}` (keys are long flag names, such as `severity` or `exit-code`)",
                path.display()
            );
        };
        let id = arg.get_id().as_str();
        let given = matches!(
            leaf.value_source(id),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        );
        if given {
            continue;
        }
        let flag = matches!(arg.get_action(), ArgAction::SetTrue | ArgAction::SetFalse);
        let values = scalars(key, value, path)?;
        if flag {
            match values.as_slice() {
                [v] if v == "true" => out.push(OsString::from(format!("--{key}"))),
                [v] if v == "false" => {}
                _ => bail!("{}: `{key}` must be true or false", path.display()),
            }
            continue;
        }
        for v in values {
            let v = match base_dir {
                Some(dir)
                    if PATH_KEYS.contains(&key.as_str())
                        && Path::new(&v).is_relative()
                        && !looks_like_reference(key, &v) =>
                {
                    dir.join(&v).display().to_string()
                }
                _ => v,
            };
            out.push(OsString::from(format!("--{key}={v}")));
        }
    }
    Ok(out)
}

/// `base-image` may name a registry image rather than a file; only an
/// existing relative path is resolved against the config's directory.
fn looks_like_reference(key: &str, v: &str) -> bool {
    key == "base-image" && !Path::new(v).exists()
}

fn known_anywhere(cmd: &Command, key: &str) -> bool {
    cmd.get_arguments().any(|a| a.get_long() == Some(key))
        || cmd.get_subcommands().any(|c| known_anywhere(c, key))
}

/// A TOML value as the strings a flag takes: arrays give one per item.
fn scalars(key: &str, value: &toml::Value, path: &Path) -> Result<Vec<String>> {
    let one = |v: &toml::Value| -> Result<String> {
        Ok(match v {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => bail!(
                "{}: `{key}`: expected a string, number, boolean or a list of them, found {}",
                path.display(),
                other.type_str()
            ),
        })
    };
    match value {
        toml::Value::Array(items) => items.iter().map(one).collect(),
        v => Ok(vec![one(v)?]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn run(args: &[&str], toml_text: &str) -> Result<ArgMatches> {
        let dir = tempfile::tempdir()?;
        let cfg = dir.path().join("t.toml");
        std::fs::write(&cfg, toml_text)?;
        let mut argv: Vec<OsString> = vec!["tidewatch".into()];
        argv.extend(args.iter().map(OsString::from));
        argv.push("--config".into());
        argv.push(cfg.into_os_string());
        parse(crate::args::Cli::command(), argv)
    }

    fn fs_matches(m: &ArgMatches) -> ArgMatches {
        m.subcommand_matches("fs").cloned().unwrap_or_default()
    }

    #[test]
    fn file_fills_only_what_flags_left_unset() -> Result<()> {
        let m = run(
            &["fs", ".", "--exit-code", "3"],
            "severity = [\"HIGH\", \"CRITICAL\"]\nexit-code = 1\nignore-unfixed = true\nformat = \"json\"\n",
        )?;
        let fs = fs_matches(&m);
        let sev: Vec<String> = fs
            .get_many::<tidewatch_types::Severity>("severity")
            .map(|v| v.map(|s| s.to_string()).collect())
            .unwrap_or_default();
        assert_eq!(sev, ["HIGH", "CRITICAL"]);
        assert_eq!(fs.get_one::<u8>("exit_code"), Some(&3), "the flag wins");
        assert_eq!(fs.get_one::<bool>("ignore_unfixed"), Some(&true));
        assert_eq!(
            fs.get_one::<tidewatch_report::Format>("format")
                .map(|f| f.name()),
            Some("json")
        );
        Ok(())
    }

    #[test]
    fn unknown_and_wrongly_typed_keys_are_errors() {
        let e = run(&["fs", "."], "severty = [\"HIGH\"]\n")
            .err()
            .map(|e| e.to_string());
        assert!(
            e.as_deref()
                .is_some_and(|e| e.contains("unknown key `severty`")),
            "{e:?}"
        );
        let e = run(&["fs", "."], "ignore-unfixed = \"yes\"\n")
            .err()
            .map(|e| e.to_string());
        assert!(
            e.as_deref()
                .is_some_and(|e| e.contains("must be true or false")),
            "{e:?}"
        );
        let e = run(&["fs", "."], "severity = [\"SEVERE\"]\n")
            .err()
            .map(|e| e.to_string());
        assert!(
            e.as_deref()
                .is_some_and(|e| e.contains("SEVERE") && e.contains("t.toml")),
            "{e:?}"
        );
        let e = run(&["fs", "."], "severity = [\n")
            .err()
            .map(|e| e.to_string());
        assert!(
            e.as_deref()
                .is_some_and(|e| e.contains("t.toml") && e.contains("line")),
            "{e:?}"
        );
    }

    /// Every flag can be set as `TIDEWATCH_<FLAG>` (and so, by the same
    /// long name, in the file). `clean` is left out on purpose: its
    /// switches delete data, which a variable left in a CI environment
    /// must never do.
    #[test]
    fn every_flag_has_its_environment_variable() {
        fn walk(cmd: &Command, path: &str, wrong: &mut Vec<String>) {
            for a in cmd.get_arguments() {
                let Some(long) = a.get_long() else { continue };
                if matches!(long, "help" | "version") {
                    continue;
                }
                let want = format!("TIDEWATCH_{}", long.to_ascii_uppercase().replace('-', "_"));
                if a.get_env().and_then(|e| e.to_str()) != Some(want.as_str()) {
                    wrong.push(format!("{path} --{long}: want {want}"));
                }
            }
            for sub in cmd.get_subcommands().filter(|s| s.get_name() != "clean") {
                walk(sub, &format!("{path} {}", sub.get_name()), wrong);
            }
        }
        let mut wrong = Vec::new();
        walk(&crate::args::Cli::command(), "tidewatch", &mut wrong);
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn keys_of_other_subcommands_are_skipped_and_paths_resolved() -> Result<()> {
        let m = run(&["version"], "severity = [\"HIGH\"]\ndb = \"v.db\"\n")?;
        let db = m.get_one::<PathBuf>("db").cloned().unwrap_or_default();
        assert!(db.is_absolute() && db.ends_with("v.db"), "{}", db.display());
        Ok(())
    }
}
