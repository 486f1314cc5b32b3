//! A request target as an attack matcher should see it: attackers encode, double-encode,
//! mix case and pad with comments to slip past naive patterns. Percent-decoding is repeated
//! until the text stops changing (`%252e` → `%2e` → `.`), [`MAX_DECODE_ROUNDS`] at most (the
//! README says four), `%uXXXX` is decoded too (fullwidth
//! forms folded to ASCII), `+` is a space, everything is lowercased, backslashes become
//! slashes, SQL comments (`/**/`, and MySQL's `/*!50000 ... */` whose content runs) become
//! spaces, and whitespace runs collapse (to a line break if they hold one).

/// How often percent-decoding is repeated at most: triple encoding is seen, more is noise.
const MAX_DECODE_ROUNDS: usize = 4;

/// `raw` normalised into `out` (cleared first).
pub fn normalize(raw: &str, out: &mut String) {
    out.clear();
    // Most requests are plain lowercase paths that no step would change: copied, not rebuilt.
    if is_already_normal(raw) {
        out.push_str(raw);
        return;
    }
    normalize_fully(raw, out);
}

/// Printable ASCII without anything a step rewrites: an escape, `+`, a capital, a
/// backslash, whitespace or a comment opening.
fn is_already_normal(raw: &str) -> bool {
    raw.bytes()
        .all(|byte| matches!(byte, b'!'..=b'~') && !matches!(byte, b'%' | b'+' | b'A'..=b'Z' | b'\\'))
        && memchr::memmem::find(raw.as_bytes(), b"/*").is_none()
}

fn normalize_fully(raw: &str, out: &mut String) {
    let mut current = raw.replace('+', " ");
    for _ in 0..MAX_DECODE_ROUNDS {
        let decoded = percent_decode(&current);
        if decoded == current {
            break;
        }
        current = decoded;
    }
    let lowered = current.to_lowercase().replace('\\', "/");
    let uncommented = strip_sql_comments(&lowered);
    let mut in_space = false;
    for ch in uncommented.chars() {
        // NUL and other controls separate words for a database as whitespace does, and so
        // does a byte that is not UTF-8: MySQL reads a latin-1 0xA0 as a space. A run with a
        // line break in it stays one line break: to a shell it ends a command.
        if ch.is_whitespace() || ch.is_control() || ch == char::REPLACEMENT_CHARACTER {
            let breaks_the_line = matches!(ch, '\n' | '\r');
            if !in_space {
                out.push(if breaks_the_line { '\n' } else { ' ' });
            } else if breaks_the_line && out.ends_with(' ') {
                out.pop();
                out.push('\n');
            }
            in_space = true;
        } else {
            out.push(fold_fullwidth(ch));
            in_space = false;
        }
    }
}

/// The ASCII character a fullwidth form (`．`, `／`, `＜`) or a look-alike slash stands for: IIS and other
/// best-fit decoders read them as ASCII, so traversal and markup arrive spelled that way.
fn fold_fullwidth(ch: char) -> char {
    match ch {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(ch as u32 - 0xfee0).unwrap_or(ch),
        // Division slash and set minus, best-fit mapped to `/` and `\` the same way.
        '\u{2215}' => '/',
        '\u{2216}' => '/',
        _ => ch,
    }
}

/// One round of `%XX` and `%uXXXX` decoding, and of `\xXX`, which is how Apache and nginx
/// write the bytes they will not log as they are (a CR or a tab smuggled into the request);
/// invalid escapes stay as they are, and bytes that do not form UTF-8 become U+FFFD.
fn percent_decode(text: &str) -> String {
    if !text.contains('%') && !text.contains("\\x") {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        // `%XX` or `\xXX`: the two hex digits after a one- or two-byte introducer.
        let introducer = match (bytes[index], bytes.get(index + 1)) {
            (b'%', _) => 1,
            (b'\\', Some(b'x')) => 2,
            _ => 0,
        };
        if introducer > 0 {
            let digits = index + introducer;
            if let Some(value) = bytes.get(digits..digits + 2).and_then(hex_pair) {
                out.push(value);
                index = digits + 2;
                continue;
            }
        }
        if bytes[index] == b'%' && matches!(bytes.get(index + 1), Some(b'u' | b'U')) {
            if let Some(ch) = bytes
                .get(index + 2..index + 6)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .and_then(char::from_u32)
            {
                let mut buffer = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buffer).as_bytes());
                index += 6;
                continue;
            }
        }
        out.push(bytes[index]);
        index += 1;
    }
    fold_overlong_ascii(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Overlong UTF-8 spellings of ASCII (`%c0%af` for `/`, `%c0%ae` for `.`, `%e0%80%af`) become
/// the character they spell: no decoder should accept them, but old ones did (the IIS Unicode
/// traversal), so attackers still send them.
fn fold_overlong_ascii(bytes: &mut Vec<u8>) {
    if !bytes.iter().any(|&byte| matches!(byte, 0xc0 | 0xc1 | 0xe0)) {
        return;
    }
    let continuation = |byte: Option<&u8>| {
        byte.filter(|&&byte| byte & 0xc0 == 0x80)
            .map(|&byte| u32::from(byte & 0x3f))
    };
    let mut folded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let lead = bytes[index];
        let spelled = match lead {
            0xc0 | 0xc1 => continuation(bytes.get(index + 1)).map(|low| ((u32::from(lead & 0x1f) << 6 | low), 2)),
            0xe0 => continuation(bytes.get(index + 1))
                .zip(continuation(bytes.get(index + 2)))
                .map(|(middle, low)| (middle << 6 | low, 3)),
            _ => None,
        };
        match spelled {
            Some((code, length)) if code < 0x80 => {
                folded.push(code as u8);
                index += length;
            }
            _ => {
                folded.push(lead);
                index += 1;
            }
        }
    }
    *bytes = folded;
}

fn hex_pair(pair: &[u8]) -> Option<u8> {
    let digit = |b: u8| (b as char).to_digit(16);
    match pair {
        [high, low] => Some((digit(*high)? * 16 + digit(*low)?) as u8),
        _ => None,
    }
}

/// `/* ... */` becomes a space; a MySQL executable comment `/*!50000select*/` keeps what it
/// runs (`select`).
fn strip_sql_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("/*") {
        out.push_str(&rest[..open]);
        out.push(' ');
        let inner = &rest[open + 2..];
        match inner.find("*/") {
            Some(close) => {
                if let Some(executable) = inner[..close].strip_prefix('!') {
                    out.push_str(executable.trim_start_matches(|c: char| c.is_ascii_digit()));
                    out.push(' ');
                }
                rest = &inner[close + 2..];
            }
            None => {
                rest = inner;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(raw: &str) -> String {
        let mut out = String::new();
        normalize(raw, &mut out);
        out
    }

    #[test]
    fn decodes_until_stable_and_folds() {
        assert_eq!(normalized("/a?id=1%2527%2520UNION%2520SELECT"), "/a?id=1' union select");
        assert_eq!(normalized("%uff1cscript%u003e"), "<script>");
        // Four rounds, as the README says: quadruple encoding decodes, a fifth layer stays.
        assert_eq!(normalized("/%252525252e"), "/%2e");
        assert_eq!(normalized("/%2525252e"), "/.");
        assert_eq!(normalized("/%uff0e%uff0e%uff0fetc"), "/../etc");
        assert_eq!(normalized("..%5c..%5cwindows"), "../../windows");
        assert_eq!(normalized("1+or+1=1"), "1 or 1=1");
        assert_eq!(
            normalized("UNION/**/SELECT/*!50000concat*/(1)"),
            "union select concat (1)"
        );
        assert_eq!(normalized("a\t \n b%00c"), "a\nb c");
        assert_eq!(normalized("'\\x0dsleep\\x097\\x09#"), "'\nsleep 7 #");
        assert_eq!(normalized("a\\xzz"), "a/xzz");
        assert_eq!(normalized("/..%c0%af..%c0%afetc"), "/../../etc");
        assert_eq!(normalized("%e0%80%ae%e0%80%ae/x"), "../x");
        assert_eq!(normalized("/..\\xc0\\xaf/admin"), "/..//admin");
        // A real two-byte character and a lone lead byte are left alone.
        assert_eq!(normalized("caf%c3%a9"), "café");
        assert_eq!(normalized("a%c0b"), "a b");
        assert_eq!(normalized("100%"), "100%");
        assert_eq!(normalized("%zz%4"), "%zz%4");
    }

    proptest::proptest! {
        #[test]
        fn the_shortcut_gives_what_every_step_would(raw in "[a-zA-Z0-9/.?=&%+*!'\"<>;:_~ \\\\-]{0,40}") {
            let mut full = String::new();
            normalize_fully(&raw, &mut full);
            proptest::prop_assert_eq!(normalized(&raw), full);
        }
    }
}
