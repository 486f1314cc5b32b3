//! A strict, forward-only JSON reader for the fast paths that read records back: it takes the
//! few values a stage needs out of a line and checks that everything it skips is JSON too.
//!
//! It is deliberately partial. Whatever it is not certain to read exactly as serde_json
//! would (an exotic number, a `\u` escape, deep nesting, a duplicate field) makes it answer
//! [`Unsure`], and the caller reads the line with serde_json instead, so a line is accepted,
//! rejected and understood the same either way; only the common line is faster.
//! (`parse::json_scan` is its opposite: it walks text our own decoder wrote, trusted and
//! unchecked.)

use std::borrow::Cow;

/// The reader cannot vouch for its answer; serde_json must read the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Unsure;

/// What a reading step gives.
pub(crate) type Step<T> = Result<T, Unsure>;

/// How deeply skipped values may nest; serde_json's own limit is 128.
const MAX_DEPTH: u32 = 100;

/// Most digits an integer may have to be read here: every such number fits a `u64`.
const MAX_DIGITS: usize = 19;

/// A position in one line of JSON text.
pub(crate) struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    /// At the start of `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        Cursor { text, at: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }

    #[inline]
    fn skip_space(&mut self) {
        // Records are written compact: one comparison settles the usual case.
        if matches!(self.peek(), Some(byte) if byte > b' ') {
            return;
        }
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, byte: u8) -> Step<()> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(Unsure)
        }
    }

    /// Only white space is left.
    pub(crate) fn finish(mut self) -> Step<()> {
        self.skip_space();
        if self.at == self.text.len() {
            Ok(())
        } else {
            Err(Unsure)
        }
    }

    /// Walks the object at the cursor, handing each member's key to `member`, which must
    /// read or skip the value that follows it.
    #[inline]
    pub(crate) fn object(&mut self, member: impl FnMut(&mut Self, &str) -> Step<()>) -> Step<()> {
        self.object_or_rest(false, member)
    }

    /// The object at the cursor, or with `led` (what [`Cursor::opens_with`] said, its first
    /// member's value read by the caller) the rest of it: one call for both cases keeps
    /// `member` in one place, where the compiler inlines it.
    #[inline]
    pub(crate) fn object_or_rest(&mut self, led: bool, member: impl FnMut(&mut Self, &str) -> Step<()>) -> Step<()> {
        if led {
            if self.closed_after_item(b'}')? {
                return Ok(());
            }
        } else {
            self.skip_space();
            self.expect(b'{')?;
            self.skip_space();
            if self.eat(b'}') {
                return Ok(());
            }
        }
        self.members(member)
    }

    /// Steps past `{"key":` when the object at the cursor opens with member `key`, written
    /// compact as our own stages write it, and says whether it did. The caller reads that
    /// member's value and hands the others to [`Cursor::object_or_rest`]; otherwise the
    /// cursor has not moved.
    #[inline]
    pub(crate) fn opens_with(&mut self, key: &str) -> bool {
        let key = key.as_bytes();
        let Some(rest) = self.bytes().get(self.at..) else {
            return false;
        };
        let opens = rest.len() > key.len() + 4
            && rest[..2] == *b"{\""
            && rest[2..2 + key.len()] == *key
            && rest[2 + key.len()..4 + key.len()] == *b"\":";
        if opens {
            self.at += key.len() + 4;
        }
        opens
    }

    #[inline]
    fn members(&mut self, mut member: impl FnMut(&mut Self, &str) -> Step<()>) -> Step<()> {
        loop {
            self.skip_space();
            let key = self.key()?;
            self.skip_space();
            self.expect(b':')?;
            self.skip_space();
            member(self, key)?;
            if self.closed_after_item(b'}')? {
                return Ok(());
            }
        }
    }

    /// After an object member or array element: past the comma (`false`) or the closing
    /// bracket (`true`).
    fn closed_after_item(&mut self, closing: u8) -> Step<bool> {
        self.skip_space();
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                Ok(false)
            }
            Some(byte) if byte == closing => {
                self.at += 1;
                Ok(true)
            }
            _ => Err(Unsure),
        }
    }

    /// A string or `null`.
    pub(crate) fn optional_string(&mut self) -> Step<Option<Cow<'a, str>>> {
        if self.peek() == Some(b'"') {
            return self.string().map(Some);
        }
        if self.literal(b"null") {
            return Ok(None);
        }
        self.string().map(Some)
    }

    /// An unsigned integer or `null`; `Unsure` unless it is plain digits no larger than `max`.
    pub(crate) fn optional_unsigned(&mut self, max: u64) -> Step<Option<u64>> {
        if self.literal(b"null") {
            return Ok(None);
        }
        let start = self.at;
        self.integer_digits()?;
        // A sign, a fraction or an exponent: serde_json's call.
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return Err(Unsure);
        }
        let value = self.bytes()[start..self.at]
            .iter()
            .fold(0u64, |value, digit| value * 10 + u64::from(digit - b'0'));
        if value > max {
            return Err(Unsure);
        }
        Ok(Some(value))
    }

    #[inline]
    fn literal(&mut self, word: &[u8]) -> bool {
        if self.bytes().get(self.at..self.at + word.len()) == Some(word) {
            self.at += word.len();
            true
        } else {
            false
        }
    }

    /// A member's name. serde_json reads names with escapes more strictly than other strings
    /// it skips (a `\u` escape must be a whole character), so those are left to it.
    #[inline]
    fn key(&mut self) -> Step<&'a str> {
        self.expect(b'"')?;
        let start = self.at;
        self.at = plain_end(self.bytes(), start);
        if self.peek() != Some(b'"') {
            return Err(Unsure);
        }
        self.at += 1;
        self.text.get(start..self.at - 1).ok_or(Unsure)
    }

    /// Past a string that is not wanted, checking its escapes as serde_json does when it
    /// skips one (any four hex digits after `\u`).
    fn skip_string(&mut self) -> Step<()> {
        self.expect(b'"')?;
        loop {
            self.at = plain_end(self.bytes(), self.at);
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.at += 1;
                    if self.eat(b'u') {
                        let hex = self.bytes().get(self.at..self.at + 4).ok_or(Unsure)?;
                        if !hex.iter().all(u8::is_ascii_hexdigit) {
                            return Err(Unsure);
                        }
                        self.at += 4;
                    } else {
                        self.escape()?;
                    }
                }
                _ => return Err(Unsure),
            }
        }
    }

    /// A string, borrowed unless it holds escapes.
    pub(crate) fn string(&mut self) -> Step<Cow<'a, str>> {
        self.expect(b'"')?;
        let start = self.at;
        self.at = plain_end(self.bytes(), start);
        match self.peek() {
            Some(b'"') => {
                let text = self.text.get(start..self.at).ok_or(Unsure)?;
                self.at += 1;
                Ok(Cow::Borrowed(text))
            }
            Some(b'\\') => {
                let mut owned = String::from(self.text.get(start..self.at).ok_or(Unsure)?);
                loop {
                    match self.peek() {
                        Some(b'"') => {
                            self.at += 1;
                            return Ok(Cow::Owned(owned));
                        }
                        Some(b'\\') => {
                            self.at += 1;
                            owned.push(self.escape()?);
                        }
                        _ => return Err(Unsure),
                    }
                    let run_start = self.at;
                    self.at = plain_end(self.bytes(), run_start);
                    owned.push_str(self.text.get(run_start..self.at).ok_or(Unsure)?);
                }
            }
            // A control character or the end of the line.
            _ => Err(Unsure),
        }
    }

    /// The character a backslash escape stands for (`\u` is serde_json's to read).
    fn escape(&mut self) -> Step<char> {
        let escaped = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            _ => return Err(Unsure),
        };
        self.at += 1;
        Ok(escaped)
    }

    /// Past one value of any kind, checking that it is JSON.
    pub(crate) fn skip_value(&mut self) -> Step<()> {
        self.skip_nested(0)
    }

    fn skip_nested(&mut self, depth: u32) -> Step<()> {
        if depth > MAX_DEPTH {
            return Err(Unsure);
        }
        match self.peek().ok_or(Unsure)? {
            b'"' => self.skip_string(),
            b'{' => self.object(|cursor, _| cursor.skip_nested(depth + 1)),
            b'[' => {
                self.at += 1;
                self.skip_space();
                if self.eat(b']') {
                    return Ok(());
                }
                loop {
                    self.skip_space();
                    self.skip_nested(depth + 1)?;
                    if self.closed_after_item(b']')? {
                        return Ok(());
                    }
                }
            }
            b't' if self.literal(b"true") => Ok(()),
            b'f' if self.literal(b"false") => Ok(()),
            b'n' if self.literal(b"null") => Ok(()),
            _ => self.skip_number(),
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?`; an exponent or a long number, which could be out of
    /// range for serde_json, is left to it.
    fn skip_number(&mut self) -> Step<()> {
        self.eat(b'-');
        self.integer_digits()?;
        if self.eat(b'.') {
            let fraction = self.digits();
            if fraction == 0 || fraction > MAX_DIGITS {
                return Err(Unsure);
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            return Err(Unsure);
        }
        Ok(())
    }

    /// The digits of a JSON integer: at least one, no leading zero, and few enough to fit a
    /// `u64` (a longer one is serde_json's to judge).
    fn integer_digits(&mut self) -> Step<()> {
        let start = self.at;
        let count = self.digits();
        if count == 0 || count > MAX_DIGITS || (count > 1 && self.bytes()[start] == b'0') {
            return Err(Unsure);
        }
        Ok(())
    }

    fn digits(&mut self) -> usize {
        let count = self.bytes()[self.at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        self.at += count;
        count
    }
}

/// Where the run of bytes from `at` that need no attention inside a string ends: at a quote,
/// a backslash, a control character or the end. Eight at a time, since strings are most of a
/// record.
#[inline]
fn plain_end(bytes: &[u8], mut at: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or([0; 8]));
        // Bytes below 0x20 have their three top bits clear; multi-byte UTF-8 (0x80 and up)
        // must not count as such.
        let control = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
        let special = has_zero(word ^ (ONES * u64::from(b'"'))) | has_zero(word ^ (ONES * u64::from(b'\\'))) | control;
        if special != 0 {
            return at + (special.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while let Some(&byte) = bytes.get(at) {
        if byte == b'"' || byte == b'\\' || byte < 0x20 {
            break;
        }
        at += 1;
    }
    at
}

/// Which of a struct's fields were seen, so that a duplicate is noticed: serde_json rejects
/// one, and so must the fast path.
#[derive(Default)]
pub(crate) struct Seen(u32);

impl Seen {
    /// Field number `bit` (below 32) is here; `Unsure` the second time.
    pub(crate) fn first(&mut self, bit: u32) -> Step<()> {
        let mask = 1 << bit;
        if self.0 & mask != 0 {
            return Err(Unsure);
        }
        self.0 |= mask;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn skips(text: &str) -> bool {
        let mut cursor = Cursor::new(text);
        cursor.skip_space();
        cursor.skip_value().is_ok() && cursor.finish().is_ok()
    }

    #[test]
    fn plain_runs_stop_at_what_needs_attention() {
        assert_eq!(plain_end(b"abcdefghij\"x", 0), 10);
        assert_eq!(plain_end(b"abcdefghij\"x", 3), 10);
        assert_eq!(plain_end(b"ab\\", 0), 2);
        assert_eq!(plain_end(b"abcdefgh\x01", 0), 8);
        assert_eq!(plain_end(b"\x1f", 0), 0);
        assert_eq!(
            plain_end("héllo wörld ünïcode".as_bytes(), 0),
            "héllo wörld ünïcode".len()
        );
        assert_eq!(plain_end(b"", 0), 0);
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        let mut cursor = Cursor::new(r#""plain text""#);
        assert!(matches!(cursor.string(), Ok(Cow::Borrowed("plain text"))));
        let mut cursor = Cursor::new(r#""a\"b\\c\/d\ne""#);
        assert_eq!(cursor.string().as_deref(), Ok("a\"b\\c/d\ne"));
        assert_eq!(Cursor::new(r#""\u0041""#).string(), Err(Unsure));
        assert_eq!(Cursor::new("\"tab\there\"").string(), Err(Unsure));
        assert_eq!(Cursor::new("\"unterminated").string(), Err(Unsure));
    }

    #[test]
    fn integers_are_read_only_when_certain() {
        let read = |text: &str, max| Cursor::new(text).optional_unsigned(max);
        assert_eq!(read("42", u64::from(u16::MAX)), Ok(Some(42)));
        assert_eq!(read("0", 10), Ok(Some(0)));
        assert_eq!(read("null", 10), Ok(None));
        assert_eq!(read("70000", u64::from(u16::MAX)), Err(Unsure));
        for text in ["-1", "01", "1.0", "1e3", "99999999999999999999", "\"1\"", ""] {
            assert_eq!(read(text, u64::MAX), Err(Unsure), "{text}");
        }
    }

    #[test]
    fn skipping_accepts_json_and_nothing_else() {
        for good in [
            r#"{"a":[1,-2.5,true,false,null,{"b":"c"}],"d":{}}"#,
            "[]",
            "0",
            " \"x\" ",
        ] {
            assert!(skips(good), "{good}");
        }
        for bad in [
            "{",
            "[1,]",
            "{\"a\"}",
            "{\"a\":1,}",
            "tru",
            "01",
            "1.",
            "-",
            "{} x",
            "[1 2]",
        ] {
            assert!(!skips(bad), "{bad}");
        }
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(!skips(&deep));
    }

    proptest! {
        /// Whatever the text, the reader never accepts what serde_json rejects.
        #[test]
        fn never_accepts_what_serde_json_rejects(text in "[\\[\\]{}\":,0-9a-z. \\\\-]{0,40}") {
            if skips(&text) {
                prop_assert!(serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok(), "{}", text);
            }
        }
    }
}
