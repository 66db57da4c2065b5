//! The HTML report in a real browser: headless Chromium loads the page,
//! its script runs (the "N of M shown" counter is filled in by it) and the
//! console stays silent — no script error, no resource blocked by the
//! page's Content-Security-Policy. A page with a broken script and an
//! external image must produce console lines, so the check can fail.
//!
//! Needs Debian's `chromium` (`scripts/test.sh` installs it; or set
//! `TIDEWATCH_CHROMIUM`); skipped with a message when missing, unless
//! `TIDEWATCH_REQUIRE_VALIDATORS` is set.

mod formats_sample;

use std::path::{Path, PathBuf};
use std::process::Command;
use tidewatch_report::Format;

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TIDEWATCH_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::var_os("PATH")?
            .to_str()?
            .split(':')
            .map(|d| Path::new(d).join(name))
            .find(|p| p.is_file())
    })
}

/// Loads `page` and returns (the DOM after load, console lines).
fn load(browser: &Path, page: &Path, profile: &Path) -> (String, Vec<String>) {
    let out = Command::new("timeout")
        .arg("120")
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}

#[test]
fn the_html_report_runs_in_chromium_without_console_errors() {
    let Some(browser) = chromium() else {
        if std::env::var_os("TIDEWATCH_REQUIRE_VALIDATORS").is_some() {
            panic!("chromium is required (TIDEWATCH_REQUIRE_VALIDATORS) but not installed");
        }
        eprintln!("skipping: chromium not installed (scripts/test.sh installs it)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let html = formats_sample::render(&formats_sample::report(), Format::Html);
    let page = dir.path().join("report.html");
    std::fs::write(&page, &html).expect("write page");
    let (dom, console) = load(&browser, &page, &dir.path().join("profile-good"));
    assert!(
        console.is_empty(),
        "console output:\n{}",
        console.join("\n")
    );
    assert!(
        dom.contains("6 of 6 shown"),
        "the page's script did not run:\n{dom}"
    );
    // The hostile title stayed text after parsing.
    assert!(dom.contains("&lt;script&gt;alert(\"x\")&lt;/script&gt; Command Injection"));

    let broken = html.replace(
        "</body>",
        r#"<script>noSuchFunction();</script><img src="https://example.invalid/x.png"></body>"#,
    );
    let bad = dir.path().join("broken.html");
    std::fs::write(&bad, broken).expect("write page");
    let (_, console) = load(&browser, &bad, &dir.path().join("profile-bad"));
    assert!(
        console.iter().any(|l| l.contains("noSuchFunction")),
        "{console:?}"
    );
    assert!(
        console
            .iter()
            .any(|l| l.contains("Content Security Policy")),
        "{console:?}"
    );
}
