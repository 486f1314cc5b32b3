//! From raw line bytes to the text parsers read: CR handling and UTF-8 that loses nothing.

use std::fmt::Write as _;

/// Splits a line (already without `\n`) at carriage returns: a trailing `\r` (CRLF) is
/// dropped, and a lone `\r` inside ends a line, as old Mac files and some Apache logs have it.
pub fn split_cr(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut rest = Some(line);
    std::iter::from_fn(move || {
        let current = rest?;
        match memchr::memchr(b'\r', current) {
            Some(cr) => {
                rest = Some(&current[cr + 1..]);
                Some(&current[..cr])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// The line as text. Valid UTF-8 is borrowed as is; otherwise each invalid byte becomes
/// `\xHH` (the way Apache escapes them) in `scratch`, and the flag says so.
pub fn to_text<'a>(bytes: &'a [u8], scratch: &'a mut String) -> (&'a str, bool) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (text, false);
    }
    scratch.clear();
    for chunk in bytes.utf8_chunks() {
        scratch.push_str(chunk.valid());
        for byte in chunk.invalid() {
            // Writing to a String cannot fail.
            let _ = write!(scratch, "\\x{byte:02X}");
        }
    }
    (scratch.as_str(), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carriage_returns() {
        let parts: Vec<&[u8]> = split_cr(b"a\r\n".strip_suffix(b"\n").unwrap_or_default()).collect();
        assert_eq!(parts, vec![&b"a"[..]]);
        let parts: Vec<&[u8]> = split_cr(b"one\rtwo\r").collect();
        assert_eq!(parts, vec![&b"one"[..], &b"two"[..]]);
        assert_eq!(split_cr(b"").count(), 1);
    }

    #[test]
    fn invalid_utf8_is_escaped_not_lost() {
        let mut scratch = String::new();
        assert_eq!(to_text("héllo".as_bytes(), &mut scratch), ("héllo", false));
        let (text, repaired) = to_text(b"user \xff\xfe ok", &mut scratch);
        assert_eq!((text, repaired), ("user \\xFF\\xFE ok", true));
    }
}
