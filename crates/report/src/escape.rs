//! Making image-controlled text safe to print on a terminal.

use std::borrow::Cow;
use std::fmt::Write;

/// `s` with every control character a terminal could act on — C0 (but
/// those in `keep`), DEL, C1 — shown as a visible `\xNN` escape, so a
/// package name or layer command holding `ESC ] 0 ; … BEL` cannot
/// retitle the terminal, move the cursor or hide text. Table cells keep
/// `\t`; whole multi-line messages also keep `\n`.
pub fn escape_controls<'a>(s: &'a str, keep: &[char]) -> Cow<'a, str> {
    let unsafe_char = |c: char| is_terminal_control(c) && !keep.contains(&c);
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// C0 (including ESC), DEL and the C1 range (U+0080–U+009F), which
/// terminals read as 8-bit CSI/OSC introducers.
fn is_terminal_control(c: char) -> bool {
    matches!(u32::from(c), 0x00..=0x1f | 0x7f..=0x9f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible_escapes() {
        assert_eq!(
            escape_controls("a\u{1b}]0;PWNED\u{7}b", &[]),
            "a\\x1b]0;PWNED\\x07b"
        );
        assert_eq!(escape_controls("x\u{9b}2Jy\u{7f}", &[]), "x\\x9b2Jy\\x7f");
        assert_eq!(escape_controls("t\tn\nr\r", &['\t']), "t\tn\\x0ar\\x0d");
        assert_eq!(escape_controls("t\tn\n", &['\t', '\n']), "t\tn\n");
        assert!(matches!(
            escape_controls("plain ünïcode", &[]),
            Cow::Borrowed(_)
        ));
    }
}
