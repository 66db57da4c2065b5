//! Which operating system an image runs, from its release files.
//!
//! `os-release` (`etc/` first, then `usr/lib/`, as os-release(5) says) is the
//! primary source; the older distro-specific files fill in what it lacks or
//! refine what it says: `etc/debian_version` carries the point release
//! (`12.5`) that os-release rounds to `12`, `etc/centos-release` the minor
//! release (`7.6.1810`), and images without os-release (CentOS 5/6, Ubuntu
//! 10.04, Debian 6, Oracle 5, SLES 11) have only those. Where sources
//! disagree the more specific one wins only when it extends the other
//! (`12` → `12.5`); a contradicting one (os-release `7.7` against a stale
//! `redhat-release` `7.4`) is ignored, since os-release is what the
//! package manager of the image itself ships.
//!
//! Distros that ship another's release file are told apart by looking at the
//! most specific file first: Oracle Linux ships a `redhat-release` claiming
//! RHEL, Ubuntu ships a `debian_version` (`bookworm/sid`), Rocky and Alma
//! ship a `redhat-release` too.

use crate::Output;
use crate::os::{content_sets, eol};
use std::collections::BTreeMap;
use tidewatch_image::Files;
use tidewatch_types::OsInfo;

const OS_RELEASE: [&str; 2] = ["etc/os-release", "usr/lib/os-release"];
const ALPINE_RELEASE: &str = "etc/alpine-release";
const DEBIAN_VERSION: &str = "etc/debian_version";
const LSB_RELEASE: &str = "etc/lsb-release";
const SUSE_RELEASE: &str = "etc/SuSE-release";
const MARINER_RELEASE: &str = "etc/mariner-release";

/// RPM-distro release files, most specific first: a distro derived from
/// another ships the parent's file as well.
const RPM_RELEASE: [&str; 9] = [
    "etc/oracle-release",
    "etc/enterprise-release",
    "etc/rocky-release",
    "etc/almalinux-release",
    "etc/centos-release",
    "etc/fedora-release",
    "etc/system-release",
    "etc/redhat-release",
    "usr/lib/fedora-release",
];

/// Release files larger than this are not release files.
const MAX_RELEASE_FILE: u64 = 64 * 1024;

/// Whether OS detection needs the file at `path`.
pub fn wants(path: &str) -> bool {
    content_sets::wants(path)
        || OS_RELEASE.contains(&path)
        || RPM_RELEASE.contains(&path)
        || matches!(
            path,
            ALPINE_RELEASE | DEBIAN_VERSION | LSB_RELEASE | SUSE_RELEASE | MARINER_RELEASE
        )
}

/// Detect the OS of `files`, judging end of life against today's date
/// (UTC). Problems with release files become warnings in `out`.
pub fn detect(files: &Files, out: &mut Output) -> Option<OsInfo> {
    detect_at(files, eol::today(), out)
}

/// [`detect`] with an explicit "today", for reproducible end-of-life checks.
pub fn detect_at(files: &Files, today: jiff::civil::Date, out: &mut Output) -> Option<OsInfo> {
    let (mut os, path) = identify(files, out)?;
    if let Some(date) = eol::apply(&mut os, today) {
        out.warn(
            path,
            format!(
                "{} reached end of life on {date}; its packages no longer get security fixes",
                display_name(&os)
            ),
        );
    }
    Some(os)
}

/// The OS and the path of the release file that named it, without the
/// end-of-life judgement.
pub fn identify(files: &Files, out: &mut Output) -> Option<(OsInfo, String)> {
    let text = |path: &str, out: &mut Output| -> Option<String> { read_text(files, path, out) };

    let os_release = OS_RELEASE
        .iter()
        .find_map(|p| text(p, out).map(|t| (p.to_string(), parse_os_release(&t))));

    let mut found: Option<(OsInfo, String)> = None;
    if let Some((path, kv)) = &os_release {
        match from_os_release(kv) {
            Some(os) => found = Some((os, path.clone())),
            None => out.warn(
                path.clone(),
                "os-release names no distribution (no ID or NAME field)",
            ),
        }
    }

    // lsb-release identifies Ubuntu images that predate os-release, and must
    // be asked before debian_version, which Ubuntu also ships.
    if found.is_none()
        && let Some(t) = text(LSB_RELEASE, out)
    {
        found = from_lsb_release(&parse_os_release(&t)).map(|os| (os, LSB_RELEASE.into()));
    }

    for path in RPM_RELEASE {
        let Some(t) = text(path, out) else { continue };
        match parse_rpm_release(&t) {
            Some(rel) => {
                match &mut found {
                    None => found = Some((rel, path.to_string())),
                    Some((os, _)) if os.family == rel.family => refine(os, &rel),
                    Some(_) => {}
                }
                break;
            }
            None if found.is_none() => out.warn(
                path,
                format!("not a recognised release line: {:?}", first_line(&t)),
            ),
            None => {}
        }
    }

    if let Some(t) = text(SUSE_RELEASE, out)
        && let Some(rel) = parse_suse_release(&t)
    {
        match &mut found {
            None => found = Some((rel, SUSE_RELEASE.into())),
            Some((os, _)) if os.family == rel.family => refine(os, &rel),
            Some(_) => {}
        }
    }

    if found.is_none()
        && let Some(t) = text(MARINER_RELEASE, out)
        && let Some(v) = t.trim().strip_prefix("CBL-Mariner ")
    {
        let version = v.split_whitespace().next().unwrap_or_default();
        if starts_with_digit(version) {
            let os = OsInfo {
                family: "mariner".into(),
                version: major_minor(version).to_string(),
                name: Some("CBL-Mariner".into()),
                ..OsInfo::default()
            };
            found = Some((os, MARINER_RELEASE.into()));
        }
    }

    if let Some(t) = text(ALPINE_RELEASE, out) {
        let v = t.trim();
        if starts_with_digit(v) {
            match &mut found {
                None => {
                    let os = OsInfo {
                        family: "alpine".into(),
                        version: v.to_string(),
                        name: Some("Alpine Linux".into()),
                        ..OsInfo::default()
                    };
                    found = Some((os, ALPINE_RELEASE.into()));
                }
                Some((os, _)) if os.family == "alpine" => refine_version(os, v),
                Some(_) => {}
            }
        } else if found.is_none() {
            out.warn(
                ALPINE_RELEASE,
                format!("not an Alpine version: {:?}", first_line(&t)),
            );
        }
    }

    if let Some(t) = text(DEBIAN_VERSION, out) {
        let v = t.trim();
        let valid = starts_with_digit(v)
            || (v.contains('/') && debian_codename_of(v).is_some())
            || v == "sid"
            || eol::debian_release_of_codename(v).is_some();
        match &mut found {
            None if valid && !v.is_empty() => {
                let mut os = OsInfo {
                    family: "debian".into(),
                    version: v.to_string(),
                    name: Some("Debian GNU/Linux".into()),
                    ..OsInfo::default()
                };
                os.codename = debian_codename_of(v);
                found = Some((os, DEBIAN_VERSION.into()));
            }
            None => out.warn(
                DEBIAN_VERSION,
                format!("not a Debian version: {:?}", first_line(&t)),
            ),
            Some((os, _)) if os.family == "debian" && valid => {
                if os.version.is_empty() {
                    // Testing/unstable images: os-release has no VERSION_ID.
                    os.version = v.to_string();
                    if os.codename.is_none() {
                        os.codename = debian_codename_of(v);
                    }
                } else {
                    refine_version(os, v);
                }
            }
            Some(_) => {}
        }
    }

    let (sets, manifest) = content_sets::read(files, out);
    if found.is_none()
        && let Some(major) = content_sets::rhel_major(&sets)
    {
        // Red Hat images without os-release: the repositories say which
        // RHEL the rpms came from.
        let version = content_sets::pinned_release(&sets)
            .filter(|v| self::major(v) == major)
            .unwrap_or(major);
        let os = OsInfo {
            family: "rhel".into(),
            version,
            name: Some("Red Hat Enterprise Linux".into()),
            ..OsInfo::default()
        };
        found = Some((os, manifest.clone().unwrap_or_default()));
    }

    let (mut os, path) = found?;
    if os.codename.is_none() {
        os.codename = eol::codename(&os.family, &os.version).map(str::to_string);
    }
    if os.family == "rhel"
        && let Some(stream) = content_sets::extended_stream(&sets)
    {
        out.warn(
            manifest.clone().unwrap_or_else(|| path.clone()),
            format!(
                "content sets are RHEL {stream} repositories; vulnerability data is for the main \
                 RHEL {} stream, whose fixed versions can differ from the {stream} stream's",
                self::major(&os.version)
            ),
        );
    }
    os.content_sets = sets;
    Some((os, path))
}

/// A readable "Debian GNU/Linux 12.5" for messages.
pub fn display_name(os: &OsInfo) -> String {
    let name = os.name.as_deref().unwrap_or(&os.family);
    if os.version.is_empty() {
        name.to_string()
    } else {
        format!("{name} {}", os.version)
    }
}

fn read_text(files: &Files, path: &str, out: &mut Output) -> Option<String> {
    let entry = files.get(path)?;
    if entry.size > MAX_RELEASE_FILE {
        out.warn(
            path,
            format!("release file is {} bytes; ignored", entry.size),
        );
        return None;
    }
    match entry.data.bytes() {
        Ok(b) => Some(String::from_utf8_lossy(&b).into_owned()),
        Err(e) => {
            out.warn(path, format!("cannot read release file: {e}"));
            None
        }
    }
}

fn first_line(t: &str) -> &str {
    let line = t.lines().next().unwrap_or_default();
    match line.char_indices().nth(80) {
        Some((i, _)) => &line[..i],
        None => line,
    }
}

fn starts_with_digit(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// `a.b` of `a.b.c…`, or all of it when shorter.
pub(crate) fn major_minor(v: &str) -> &str {
    match v.match_indices('.').nth(1) {
        Some((i, _)) => &v[..i],
        None => v,
    }
}

/// The leading run of digits (`12` of `12.5`, `2023` of `2023.4.2`).
pub(crate) fn major(v: &str) -> &str {
    let end = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    &v[..end]
}

/// Take `more` as the version when it is a more precise form of the one
/// we have (`12` → `12.5`); a contradicting one is ignored.
fn refine_version(os: &mut OsInfo, more: &str) {
    let extends = more
        .strip_prefix(os.version.as_str())
        .is_some_and(|rest| rest.starts_with('.'));
    if (os.version.is_empty() && starts_with_digit(more)) || extends {
        os.version = more.to_string();
    }
}

fn refine(os: &mut OsInfo, other: &OsInfo) {
    refine_version(os, &other.version);
    if os.codename.is_none() {
        os.codename = other.codename.clone();
    }
    if os.name.is_none() {
        os.name = other.name.clone();
    }
}

/// Parse os-release / lsb-release `KEY=value` lines with the shell-like
/// quoting os-release(5) allows: double quotes with `\"`, `\\`, `\$`, `` \` ``
/// escapes, single quotes taken literally, unquoted values with backslash
/// escapes. Comments, blank lines and lines that are not assignments are
/// skipped; an unterminated quote takes the rest of the line.
pub fn parse_os_release(text: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, raw)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        map.insert(key.to_string(), unquote(raw.trim()));
    }
    map
}

fn unquote(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.peek() {
                            Some(&n @ ('"' | '\\' | '$' | '`')) => {
                                out.push(n);
                                chars.next();
                            }
                            _ => out.push('\\'),
                        },
                        c => out.push(c),
                    }
                }
            }
            '\'' => {
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    out.push(c);
                }
            }
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Distro names as os-release `NAME` spells them, for files that lost
/// their `ID` line.
fn id_from_name(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    let table: [(&str, &str); 16] = [
        ("ubuntu", "ubuntu"),
        ("debian", "debian"),
        ("alpine", "alpine"),
        ("wolfi", "wolfi"),
        ("chainguard", "chainguard"),
        ("red hat enterprise linux", "rhel"),
        ("centos", "centos"),
        ("rocky", "rocky"),
        ("almalinux", "almalinux"),
        ("fedora", "fedora"),
        ("oracle linux", "ol"),
        ("amazon linux", "amzn"),
        ("sles", "sles"),
        ("suse linux enterprise", "sles"),
        ("photon", "photon"),
        ("cbl-mariner", "mariner"),
    ];
    table
        .iter()
        .find(|(prefix, _)| n.starts_with(prefix) || n.contains(&format!("{prefix} ")))
        .map(|(_, id)| *id)
}

/// os-release `ID`s folded onto the family names we use.
fn normalise_id(id: &str, version: &str) -> String {
    let id = id.trim().to_ascii_lowercase();
    match id.as_str() {
        // openSUSE Leap 42.x said `ID=opensuse`.
        "opensuse" if version.starts_with("42.") || version.starts_with("15.") => {
            "opensuse-leap".into()
        }
        "redhat" => "rhel".into(),
        "oracle" | "oraclelinux" => "ol".into(),
        "alma" => "almalinux".into(),
        "rockylinux" => "rocky".into(),
        "amazon" => "amzn".into(),
        _ => id,
    }
}

fn from_os_release(kv: &BTreeMap<String, String>) -> Option<OsInfo> {
    let get = |k: &str| kv.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let mut version = get("VERSION_ID").unwrap_or_default().to_string();
    // VERSION="18.04 LTS (Bionic Beaver)" when VERSION_ID is missing.
    if version.is_empty()
        && let Some(v) = get("VERSION").and_then(|v| v.split_whitespace().next())
        && starts_with_digit(v)
    {
        version = v.trim_end_matches(',').to_string();
    }
    let id = match get("ID") {
        Some(id) => id.to_string(),
        None => id_from_name(get("NAME")?)?.to_string(),
    };
    let family = normalise_id(&id, &version);
    let name = match get("PRETTY_NAME") {
        // Distroless keeps ID=debian; its name tells the reader why the
        // image has no shell or apt.
        Some("Distroless") => Some("Distroless".to_string()),
        _ => get("NAME").map(str::to_string),
    };
    let mut codename = get("VERSION_CODENAME")
        .or_else(|| get("UBUNTU_CODENAME"))
        .map(str::to_ascii_lowercase);
    if codename.is_none() {
        codename = get("VERSION").and_then(codename_in_parens);
    }
    // Testing/unstable: PRETTY_NAME "Debian GNU/Linux buster/sid".
    if family == "debian"
        && version.is_empty()
        && codename.is_none()
        && let Some(v) = get("PRETTY_NAME")
            .and_then(|p| p.rsplit(' ').next())
            .filter(|w| w.contains('/'))
    {
        codename = debian_codename_of(v);
    }
    Some(OsInfo {
        family,
        version,
        name,
        codename,
        eol: false,
        eol_date: None,
        content_sets: Vec::new(),
    })
}

/// `bookworm` of `12 (bookworm)`; Ubuntu's `(Jammy Jellyfish)` gives `jammy`.
fn codename_in_parens(version: &str) -> Option<String> {
    let start = version.find('(')?;
    let rest = version.get(start + 1..)?;
    let inner = &rest[..rest.find(')')?];
    let word = inner.split_whitespace().next()?.to_ascii_lowercase();
    word.chars()
        .all(|c| c.is_ascii_alphabetic())
        .then_some(word)
}

/// The release codename a `debian_version` of `bookworm/sid` refers to.
fn debian_codename_of(v: &str) -> Option<String> {
    let word = v.split('/').next()?.trim();
    if word.chars().all(|c| c.is_ascii_lowercase()) && !word.is_empty() {
        Some(word.to_string())
    } else {
        None
    }
}

fn from_lsb_release(kv: &BTreeMap<String, String>) -> Option<OsInfo> {
    let id = kv.get("DISTRIB_ID")?.trim();
    if id.is_empty() {
        return None;
    }
    let version = kv
        .get("DISTRIB_RELEASE")
        .map(|v| v.trim().to_string())
        .unwrap_or_default();
    Some(OsInfo {
        family: normalise_id(id, &version),
        name: Some(id.to_string()),
        codename: kv
            .get("DISTRIB_CODENAME")
            .map(|c| c.trim().to_ascii_lowercase())
            .filter(|c| !c.is_empty()),
        version,
        eol: false,
        eol_date: None,
        content_sets: Vec::new(),
    })
}

/// `<Name> release <version> (<codename>)`, the format every RPM distro's
/// `*-release` file uses. Names we cannot place (Red Hat Linux 6.2 of the
/// year 2000, CoreOS) give `None`.
pub fn parse_rpm_release(text: &str) -> Option<OsInfo> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let (name, rest) = line.split_once(" release ")?;
    let version = rest.split_whitespace().next()?;
    if !starts_with_digit(version) {
        return None;
    }
    let codename = codename_in_parens(rest);
    let n = name.to_ascii_lowercase();
    let family = if n.starts_with("centos") {
        "centos"
    } else if n.contains("coreos") {
        return None;
    } else if n.starts_with("red hat enterprise linux") {
        "rhel"
    } else if n.starts_with("rocky linux") {
        "rocky"
    } else if n.starts_with("almalinux") {
        "almalinux"
    } else if n.starts_with("fedora") {
        "fedora"
    } else if n.starts_with("oracle linux") || n.starts_with("enterprise linux") {
        "ol"
    } else if n.starts_with("amazon linux") {
        "amzn"
    } else if n.starts_with("scientific linux") {
        "scientific"
    } else {
        return None;
    };
    let name = match family {
        "ol" => "Oracle Linux Server".to_string(),
        _ => name.to_string(),
    };
    Some(OsInfo {
        family: family.into(),
        version: version.to_string(),
        name: Some(name),
        codename: codename.filter(|c| c != "final" && c != "core"),
        eol: false,
        eol_date: None,
        content_sets: Vec::new(),
    })
}

/// The old `SuSE-release`: a name line, then `VERSION = 12` and
/// `PATCHLEVEL = 4`.
pub fn parse_suse_release(text: &str) -> Option<OsInfo> {
    let mut lines = text.lines();
    let title = lines.next()?.trim();
    let mut version = None;
    let mut patch = None;
    for l in lines {
        if let Some((k, v)) = l.split_once('=') {
            match k.trim() {
                "VERSION" => version = Some(v.trim().to_string()),
                "PATCHLEVEL" => patch = Some(v.trim().to_string()),
                _ => {}
            }
        }
    }
    let version = version.filter(|v| starts_with_digit(v))?;
    let t = title.to_ascii_lowercase();
    let (family, version) = if t.starts_with("suse linux enterprise") || t.starts_with("sles") {
        let v = match patch.filter(|p| p != "0" && starts_with_digit(p)) {
            Some(p) => format!("{version}.{p}"),
            None => version,
        };
        ("sles", v)
    } else if t.starts_with("opensuse") {
        if version.starts_with("42.") || version.starts_with("15.") {
            ("opensuse-leap", version)
        } else {
            ("opensuse", version)
        }
    } else {
        return None;
    };
    let name = title
        .split(" (")
        .next()
        .map(str::to_string)
        .filter(|n| !n.is_empty());
    Some(OsInfo {
        family: family.into(),
        version,
        name,
        codename: None,
        eol: false,
        eol_date: None,
        content_sets: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use tidewatch_image::{FileData, FileEntry};

    fn files(list: &[(&str, &str)]) -> Files {
        let mut f = Files::new();
        for (p, t) in list {
            f.insert(
                p.to_string(),
                FileEntry {
                    layer: Some(0),
                    size: t.len() as u64,
                    mode: 0o644,
                    data: FileData::Memory(Arc::new(t.as_bytes().to_vec())),
                },
            );
        }
        f
    }

    fn date(s: &str) -> jiff::civil::Date {
        s.parse().expect("test date")
    }

    fn detect(list: &[(&str, &str)]) -> (Option<OsInfo>, Output) {
        let mut out = Output::default();
        let os = detect_at(&files(list), date("2024-01-15"), &mut out);
        (os, out)
    }

    #[test]
    fn os_release_quoting() {
        let kv = parse_os_release(
            "# comment\nNAME=\"Debian \\\"GNU\\\"/Linux\"\nID=debian\nX='a \"b\"'\nY=un\\ quoted\nBROKEN\nZ=\"open\n",
        );
        assert_eq!(kv["NAME"], "Debian \"GNU\"/Linux");
        assert_eq!(kv["ID"], "debian");
        assert_eq!(kv["X"], "a \"b\"");
        assert_eq!(kv["Y"], "un quoted");
        assert_eq!(kv["Z"], "open");
        assert!(!kv.contains_key("BROKEN"));
    }

    #[test]
    fn debian_version_refines_os_release() {
        let (os, out) = detect(&[
            (
                "etc/os-release",
                "ID=debian\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\r\n",
            ),
            ("etc/debian_version", "12.5\n"),
        ]);
        let os = os.expect("os");
        assert_eq!(
            (os.family.as_str(), os.version.as_str()),
            ("debian", "12.5")
        );
        assert_eq!(os.codename.as_deref(), Some("bookworm"));
        assert!(!os.eol);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    }

    #[test]
    fn debian_testing_has_codename_version() {
        let (os, _) = detect(&[
            (
                "etc/os-release",
                "PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nID=debian\nVERSION_CODENAME=trixie\n",
            ),
            ("etc/debian_version", "trixie/sid\n"),
        ]);
        let os = os.expect("os");
        assert_eq!(os.version, "trixie/sid");
        assert_eq!(os.codename.as_deref(), Some("trixie"));
    }

    #[test]
    fn ubuntu_is_not_debian_despite_debian_version() {
        let (os, _) = detect(&[
            (
                "etc/lsb-release",
                "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=10.04\nDISTRIB_CODENAME=lucid\n",
            ),
            ("etc/debian_version", "squeeze/sid\n"),
        ]);
        let os = os.expect("os");
        assert_eq!(
            (os.family.as_str(), os.version.as_str()),
            ("ubuntu", "10.04")
        );
        assert_eq!(os.codename.as_deref(), Some("lucid"));
        assert!(os.eol);
    }

    #[test]
    fn oracle_wins_over_its_redhat_release() {
        let (os, _) = detect(&[
            ("etc/oracle-release", "Oracle Linux Server release 7.9\n"),
            (
                "etc/redhat-release",
                "Red Hat Enterprise Linux Server release 7.9 (Maipo)\n",
            ),
        ]);
        let os = os.expect("os");
        assert_eq!((os.family.as_str(), os.version.as_str()), ("ol", "7.9"));
    }

    #[test]
    fn centos_release_refines_but_stale_redhat_release_does_not() {
        let (os, _) = detect(&[
            (
                "etc/os-release",
                "ID=\"centos\"\nVERSION_ID=\"7\"\nNAME=\"CentOS Linux\"\n",
            ),
            (
                "etc/centos-release",
                "CentOS Linux release 7.6.1810 (Core)\n",
            ),
        ]);
        assert_eq!(os.expect("os").version, "7.6.1810");
        let (os, _) = detect(&[
            ("etc/os-release", "ID=\"rhel\"\nVERSION_ID=\"7.7\"\n"),
            (
                "etc/redhat-release",
                "Red Hat Enterprise Linux Server release 7.4 (Maipo)\n",
            ),
        ]);
        assert_eq!(os.expect("os").version, "7.7");
    }

    #[test]
    fn old_suse_release() {
        let os = parse_suse_release(
            "SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 4\n",
        )
        .expect("suse");
        assert_eq!((os.family.as_str(), os.version.as_str()), ("sles", "11.4"));
    }

    #[test]
    fn wolfi_is_not_alpine() {
        let (os, _) = detect(&[(
            "etc/os-release",
            "ID=wolfi\nNAME=\"Wolfi\"\nPRETTY_NAME=\"Wolfi\"\nVERSION_ID=20230201\n",
        )]);
        assert_eq!(os.expect("os").family, "wolfi");
    }

    #[test]
    fn eol_warning_names_the_release_file() {
        let (os, out) = detect(&[
            (
                "etc/os-release",
                "ID=alpine\nVERSION_ID=3.12.12\nNAME=\"Alpine Linux\"\n",
            ),
            ("etc/alpine-release", "3.12.12\n"),
        ]);
        let os = os.expect("os");
        assert!(os.eol);
        assert_eq!(os.eol_date.as_deref(), Some("2022-05-01"));
        assert_eq!(out.warnings.len(), 1);
        assert_eq!(out.warnings[0].path, "etc/os-release");
        assert!(
            out.warnings[0]
                .message
                .contains("reached end of life on 2022-05-01")
        );
    }

    #[test]
    fn missing_id_is_guessed_from_name_and_garbage_warns() {
        let (os, _) = detect(&[(
            "etc/os-release",
            "NAME=\"Ubuntu\"\nVERSION=\"18.04 LTS (Bionic Beaver)\"\nVERSION_CODENAME=bionic\n",
        )]);
        let os = os.expect("os");
        assert_eq!(
            (os.family.as_str(), os.version.as_str()),
            ("ubuntu", "18.04")
        );
        let (os, out) = detect(&[("etc/alpine-release", "x\n")]);
        assert!(os.is_none());
        assert_eq!(out.warnings.len(), 1);
        let (os, out) = detect(&[("etc/os-release", "\u{0}\u{1}garbage")]);
        assert!(os.is_none());
        assert_eq!(out.warnings.len(), 1);
    }

    #[test]
    fn distroless_stays_debian() {
        let (os, _) = detect(&[(
            "etc/os-release",
            "PRETTY_NAME=\"Distroless\"\nNAME=\"Debian GNU/Linux\"\nID=\"debian\"\nVERSION_ID=\"12\"\n",
        )]);
        let os = os.expect("os");
        assert_eq!(os.family, "debian");
        assert_eq!(os.name.as_deref(), Some("Distroless"));
        assert_eq!(os.codename.as_deref(), Some("bookworm"));
    }

    proptest::proptest! {
        #[test]
        fn random_release_files_never_panic(a in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
                                            b in "\\PC{0,200}") {
            let mut f = Files::new();
            for (i, p) in ["etc/os-release", "etc/redhat-release", "etc/SuSE-release", "etc/debian_version"].iter().enumerate() {
                let data = if i % 2 == 0 { a.clone() } else { b.clone().into_bytes() };
                f.insert(p.to_string(), FileEntry { layer: None, size: data.len() as u64, mode: 0o644, data: FileData::Memory(Arc::new(data)) });
            }
            let mut out = Output::default();
            let _ = detect_at(&f, date("2024-01-01"), &mut out);
            let _ = parse_rpm_release(&b);
            let _ = parse_suse_release(&b);
        }
    }
}
