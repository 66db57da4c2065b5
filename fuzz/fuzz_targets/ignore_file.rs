//! Ignore files in all three spellings: any bytes give rules or an error
//! naming the file, never a panic. The first byte picks the format, so
//! one corpus covers plain, YAML and TOML.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let name = match pick % 3 {
        0 => ".tidewatchignore",
        1 => ".tidewatchignore.yaml",
        _ => ".tidewatchignore.toml",
    };
    if let Err(e) = tidewatch_match::IgnoreFile::parse(text, name) {
        // Errors are one line naming the file (the CLI prints one line).
        let msg = e.to_string();
        assert!(msg.starts_with(name), "{msg}");
        assert!(!msg.contains('\n'), "{msg}");
    }
});
