//! Text helpers every layer shares: where a string may be cut, a stable hash, and the one filter for text
//! from logs on its way to a person: stderr messages, the
//! `logsentry` summary, CSV cells and HTML and Markdown text. A log line is written by
//! whoever reached the service, so its bytes may hold terminal escapes (`ESC[2J`, a window
//! title set by `ESC]0;…BEL`), line breaks that forge a second message, or bidirectional
//! overrides that show `exe.txt` as `txt.exe`. Each such character is shown as a visible
//! escape (`\x1b`, `\n`, `\u{202e}`) instead: the analyst sees what the attacker sent, and
//! the terminal is not theirs.

use std::borrow::Cow;
use std::fmt::Write as _;

/// FNV-1a: a stable, cheap 64-bit hash of short bytes (a host name, a record, a file's first
/// bytes), the same in every run and every build, for what is saved across runs.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The longest start of `text` of at most `max` bytes that ends on a character boundary.
pub fn cut_at_char(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let end = (0..=max).rev().find(|&end| text.is_char_boundary(end)).unwrap_or(0);
    &text[..end]
}

/// `text` with every control and bidirectional-formatting character shown as an escape;
/// borrowed when there is none (the common case costs one scan).
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for character in text.chars() {
        push_printable(&mut shown, character);
    }
    Cow::Owned(shown)
}

/// Appends `character` to `out`, escaped if it is not safe to show as itself.
pub fn push_printable(out: &mut String, character: char) {
    match character {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        other if (other as u32) < 0x100 && is_unsafe(other) => {
            let _ = write!(out, "\\x{:02x}", other as u32);
        }
        other if is_unsafe(other) => {
            let _ = write!(out, "\\u{{{:04x}}}", other as u32);
        }
        other => out.push(other),
    }
}

/// C0 and C1 controls, DEL, and the characters that reorder or hide the text around them
/// (bidirectional embeddings, overrides and isolates, the directional marks).
fn is_unsafe(character: char) -> bool {
    character.is_control()
        || matches!(
            character,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_shown_not_sent() {
        assert_eq!(
            printable("a\u{1b}[2J\u{1b}]0;pwned\u{7}b"),
            "a\\x1b[2J\\x1b]0;pwned\\x07b"
        );
        assert_eq!(printable("one\nforged: line\r"), "one\\nforged: line\\r");
        assert_eq!(printable("invoice\u{202e}fdp.exe"), "invoice\\u{202e}fdp.exe");
        assert_eq!(printable("\u{9b}31m"), "\\x9b31m");
    }

    #[test]
    fn ordinary_text_is_borrowed() {
        let text = "Failed password for root from 203.0.113.5 — ünïcödé 日本";
        assert!(matches!(printable(text), Cow::Borrowed(_)));
    }
}
