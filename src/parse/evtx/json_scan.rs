//! Walking a JSON object's members as raw text, without building anything. The EVTX decoder
//! renders each record as compact JSON, and the mapping needs a dozen of its values and the
//! rest copied whole: a full parse costs as much again as the decoding itself, while this
//! reads each byte once and copies nothing.
//!
//! The text is the decoder's own output, so it is trusted to be well formed: the walk checks
//! structure (quotes, brackets, separators) but not, say, the digits of a number. Whatever
//! the text, it never panics; text that is not JSON ends the walk and sets
//! [`Members::broken`].

use memchr::memchr;

/// How deeply values may nest before the walk gives up; real records nest a few levels.
const MAX_DEPTH: usize = 32;

/// Where a wanted string sits at the start of a value: `prefix` opens nested objects down
/// to a key and its colon, such as `{"#attributes":{"Name":`.
pub(crate) struct Leading {
    prefix: &'static str,
    /// How many objects `prefix` opens.
    opened: usize,
}

impl Leading {
    pub(crate) const fn new(prefix: &'static str) -> Self {
        let bytes = prefix.as_bytes();
        let mut opened = 0;
        let mut at = 0;
        while at < bytes.len() {
            if bytes[at] == b'{' {
                opened += 1;
            }
            at += 1;
        }
        Leading { prefix, opened }
    }
}

/// The members of one JSON object: each key as it is written between its quotes (escapes
/// left in) and each value as its whole JSON text.
pub(crate) struct Members<'a> {
    text: &'a str,
    at: usize,
    done: bool,
    /// The text stopped being JSON before the object closed.
    pub broken: bool,
}

impl<'a> Members<'a> {
    /// The members of the object that `text` starts with (anything after it is left alone;
    /// [`Members::consumed`] says where it ended).
    pub(crate) fn of(text: &'a str) -> Self {
        let mut members = Members {
            text,
            at: 0,
            done: false,
            broken: false,
        };
        if members.byte() == Some(b'{') {
            members.at = 1;
            members.skip_space();
            if members.byte() == Some(b'}') {
                members.at += 1;
                members.done = true;
            }
        } else {
            members.fail();
        }
        members
    }

    /// Once the walk is over: how many bytes of the text the object took.
    pub(crate) fn consumed(&self) -> usize {
        self.at
    }

    fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn fail(&mut self) {
        self.done = true;
        self.broken = true;
    }

    fn skip_space(&mut self) {
        while self.byte().is_some_and(|b| b.is_ascii_whitespace()) {
            self.at += 1;
        }
    }

    /// From an opening quote at `self.at` to just past the closing one.
    #[inline(always)]
    fn skip_string(&mut self) -> Option<()> {
        self.at = string_end(self.text.as_bytes(), self.at)?;
        Some(())
    }

    /// Past one value of any kind.
    fn skip_value(&mut self) -> Option<()> {
        let bytes = self.text.as_bytes();
        match self.byte()? {
            b'"' => self.skip_string(),
            opening @ (b'{' | b'[') => {
                self.at += 1;
                self.skip_nested(opening, 1)
            }
            _ => {
                let start = self.at;
                while bytes
                    .get(self.at)
                    .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
                {
                    self.at += 1;
                }
                (self.at > start).then_some(())
            }
        }
    }

    /// Past the brackets of kind `opening` that are still open, `depth` of them. Only this
    /// kind needs counting: in well-formed text the other kind is balanced inside it, and
    /// strings are skipped whole. Compact JSON has only a few bytes between its strings, so
    /// a byte at a time beats a search's setup.
    fn skip_nested(&mut self, opening: u8, mut depth: usize) -> Option<()> {
        let bytes = self.text.as_bytes();
        let closing = if opening == b'{' { b'}' } else { b']' };
        while depth > 0 {
            match *bytes.get(self.at)? {
                b'"' => {
                    self.skip_string()?;
                    continue;
                }
                byte if byte == opening => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return None;
                    }
                }
                byte if byte == closing => depth -= 1,
                _ => {}
            }
            self.at += 1;
        }
        Some(())
    }

    /// The next member's key, leaving the walk at its value.
    pub(crate) fn next_key(&mut self) -> Option<&'a str> {
        if self.done {
            return None;
        }
        let key = self.read_key();
        if key.is_none() {
            self.fail();
        }
        key
    }

    fn read_key(&mut self) -> Option<&'a str> {
        if self.byte()? != b'"' {
            return None;
        }
        let key_start = self.at + 1;
        self.skip_string()?;
        let key = self.text.get(key_start..self.at - 1)?;
        self.skip_space();
        if self.byte()? != b':' {
            return None;
        }
        self.at += 1;
        self.skip_space();
        Some(key)
    }

    /// Whether the next member's key is `name` (one without escapes); if so the walk moves
    /// on to its value as [`Members::next_key`] would, and otherwise it stays. A reader that
    /// knows the order the members come in names each one this way with one comparison
    /// instead of a walk over the key.
    pub(crate) fn next_key_is(&mut self, name: &str) -> bool {
        let start = self.at;
        let closing = start + 1 + name.len();
        let bytes = self.text.as_bytes();
        if self.done
            || bytes.get(start) != Some(&b'"')
            || bytes.get(start + 1..closing) != Some(name.as_bytes())
            || bytes.get(closing) != Some(&b'"')
        {
            return false;
        }
        self.at = closing + 1;
        self.skip_space();
        if self.byte() != Some(b':') {
            self.at = start;
            return false;
        }
        self.at += 1;
        self.skip_space();
        true
    }

    /// The text from the current value to the end, for a reader that walks the value
    /// itself and then calls [`Members::advance`] with how much it took.
    pub(crate) fn rest(&self) -> &'a str {
        self.text.get(self.at..).unwrap_or("")
    }

    /// The value at the walk's position, whole.
    pub(crate) fn value(&mut self) -> Option<&'a str> {
        let start = self.at;
        if self.skip_value().is_none() {
            self.fail();
            return None;
        }
        let value = self.text.get(start..self.at);
        self.after_value();
        value
    }

    /// The value at the walk's position, whole, and the string in it right after
    /// `wanted.prefix` when the value starts with that prefix. The decoder writes an
    /// element's attributes first, so the one wanted is usually found this way without a
    /// second walk.
    pub(crate) fn value_with_leading_string(&mut self, wanted: &Leading) -> Option<(&'a str, Option<&'a str>)> {
        let prefix = wanted.prefix;
        let start = self.at;
        let bytes = self.text.as_bytes();
        let open = start + prefix.len();
        let mut leading = None;
        let skipped = if bytes.get(start..open) == Some(prefix.as_bytes()) && bytes.get(open) == Some(&b'"') {
            string_end(bytes, open).and_then(|end| {
                leading = self.text.get(open..end);
                self.at = end;
                self.skip_nested(b'{', wanted.opened)
            })
        } else {
            self.skip_value()
        };
        if skipped.is_none() {
            self.fail();
            return None;
        }
        let value = self.text.get(start..self.at)?;
        self.after_value();
        Some((value, leading))
    }

    /// Moves past a value of `len` bytes that the caller walked.
    pub(crate) fn advance(&mut self, len: usize) {
        self.at += len;
        self.after_value();
    }

    fn after_value(&mut self) {
        if self.done {
            return;
        }
        self.skip_space();
        match self.byte() {
            Some(b',') => {
                self.at += 1;
                self.skip_space();
            }
            Some(b'}') => {
                self.at += 1;
                self.done = true;
            }
            _ => self.fail(),
        }
    }
}

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let key = self.next_key()?;
        let value = self.value()?;
        Some((key, value))
    }
}

/// Where the string whose opening quote is at `open` ends (just past its closing quote).
#[inline(always)]
fn string_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut at = open + 1;
    loop {
        let quote = at + next_quote(bytes.get(at..)?)?;
        // Escaped if an odd number of backslashes precede it; usually none do.
        if quote == at || bytes[quote - 1] != b'\\' {
            return Some(quote + 1);
        }
        let backslashes = bytes[at..quote].iter().rev().take_while(|&&b| b == b'\\').count();
        if backslashes % 2 == 0 {
            return Some(quote + 1);
        }
        at = quote + 1;
    }
}

/// The first `"` in `bytes`.
#[inline]
fn next_quote(bytes: &[u8]) -> Option<usize> {
    next_byte::<b'"'>(bytes)
}

/// The first `NEEDLE` in `bytes`. Keys and values are mostly short, where memchr's setup
/// costs more than the search, so the first 64 bytes are read eight at a time as words (a
/// byte equal to `NEEDLE` is the one the classic has-zero-byte test finds in
/// `word ^ NEEDLE…`).
#[inline]
fn next_byte<const NEEDLE: u8>(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let needles = ONES * NEEDLE as u64;
    let mut at = 0;
    while at < 64 {
        let Some(word) = bytes.get(at..at + 8) else {
            return bytes
                .get(at..)?
                .iter()
                .position(|&b| b == NEEDLE)
                .map(|offset| at + offset);
        };
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        let diff = u64::from_le_bytes(eight) ^ needles;
        let found = diff.wrapping_sub(ONES) & !diff & HIGHS;
        if found != 0 {
            // The lowest flagged byte is always a real match (borrows only run upward).
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    memchr(NEEDLE, bytes.get(at..)?).map(|offset| at + offset)
}

/// The members of a flat object (every value a string, number, `true`, `false` or `null`;
/// no escaped keys), the shape of nearly every `EventData`, read in one tight loop: each key
/// without its quotes and each value's JSON text go to `member`. Returns how many bytes the
/// object took, or `None` when the text is not such an object, for the caller to walk it
/// with [`Members`] instead (after throwing away what `member` saw).
pub(crate) fn flat_members<'a>(text: &'a str, mut member: impl FnMut(&'a str, &'a str)) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes.first() != Some(&b'{') {
        return None;
    }
    let mut at = 1;
    if bytes.get(at) == Some(&b'}') {
        return Some(2);
    }
    loop {
        if bytes.get(at) != Some(&b'"') {
            return None;
        }
        let key_end = at + 1 + next_quote(bytes.get(at + 1..)?)?;
        if bytes[key_end - 1] == b'\\' || bytes.get(key_end + 1) != Some(&b':') {
            return None;
        }
        let key = text.get(at + 1..key_end)?;
        let value_start = key_end + 2;
        let value_end = match *bytes.get(value_start)? {
            b'"' => string_end(bytes, value_start)?,
            b'{' | b'[' => return None,
            _ => {
                let mut end = value_start;
                while bytes.get(end).is_some_and(|b| !matches!(b, b',' | b'}')) {
                    end += 1;
                }
                end
            }
        };
        member(key, text.get(value_start..value_end)?);
        match bytes.get(value_end) {
            Some(b',') => at = value_end + 1,
            Some(b'}') => return Some(value_end + 1),
            _ => return None,
        }
    }
}

/// A JSON string value's text without its quotes, escapes resolved; borrowed when it has
/// none (nearly always). `None` if `value` is not a string.
pub(crate) fn string_value(value: &str) -> Option<std::borrow::Cow<'_, str>> {
    let inner = value.strip_prefix('"')?.strip_suffix('"')?;
    if next_byte::<b'\\'>(inner.as_bytes()).is_none() {
        return Some(std::borrow::Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(value).ok().map(std::borrow::Cow::Owned)
}

/// A JSON value that is an unsigned integer, or a string holding one in decimal or `0x` hex.
pub(crate) fn integer_value(value: &str) -> Option<u64> {
    let text = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(text: &str) -> (Vec<(&str, &str)>, bool) {
        let mut walk = Members::of(text);
        let found = walk.by_ref().collect();
        (found, walk.broken)
    }

    #[test]
    fn flat_objects_read_like_the_walk() {
        for text in [
            r#"{"a":"x","b":1,"c":null,"d":"q\"uote\\","e":-2.5}tail"#,
            r#"{}"#,
            r#"{"only":"one"}"#,
        ] {
            let mut flat = Vec::new();
            let len = flat_members(text, |key, value| flat.push((key, value))).expect("flat");
            let mut walk = Members::of(text);
            let walked: Vec<_> = walk.by_ref().collect();
            assert_eq!(flat, walked, "{text}");
            assert_eq!(len, walk.consumed(), "{text}");
        }
        for text in [
            r#"{"a":{"b":1}}"#,
            r#"{"a":[1]}"#,
            r#"{"a\"b":1}"#,
            r#"{"a" : 1}"#,
            r#"{"a":"#,
            r#"{"a":"x""#,
            r#"["a"]"#,
            "",
        ] {
            assert_eq!(flat_members(text, |_, _| {}), None, "{text}");
        }
    }

    #[test]
    fn finds_the_first_quote_at_any_distance() {
        for len in 0..80 {
            let mut text = vec![b'a'; len];
            assert_eq!(next_quote(&text), None, "{len}");
            text.push(b'"');
            text.extend_from_slice(b"b\"");
            assert_eq!(next_quote(&text), Some(len), "{len}");
            // Bytes next to a quote's value (0x21, 0x23, 0xa2) are not quotes.
            let near: Vec<u8> = (0..len).map(|i| [0x21, 0x23, 0xa2, 0x02][i % 4]).collect();
            assert_eq!(next_quote(&near), None, "{len}");
        }
    }

    #[test]
    fn walks_members_of_every_kind() {
        let text = r#"{"a":1,"b":"x\"}y","c":{"d":[1,{"e":"]"}]},"f":null,"g":[],"h":-2.5e3,"i":"\\","j":"a long string that needs more than thirty-two bytes \" to end"}"#;
        let (found, broken) = members(text);
        assert!(!broken);
        assert_eq!(
            found,
            vec![
                ("a", "1"),
                ("b", r#""x\"}y""#),
                ("c", r#"{"d":[1,{"e":"]"}]}"#),
                ("f", "null"),
                ("g", "[]"),
                ("h", "-2.5e3"),
                ("i", r#""\\""#),
                (
                    "j",
                    r#""a long string that needs more than thirty-two bytes \" to end""#
                ),
            ]
        );
        assert_eq!(members("{}"), (vec![], false));
        assert_eq!(members("{ \"k\" : \"v\" }"), (vec![("k", "\"v\"")], false));
    }

    #[test]
    fn reports_where_the_object_ended() {
        let text = r#"{"a":{"b":1}}},"rest""#;
        let mut walk = Members::of(text);
        assert_eq!(walk.by_ref().count(), 1);
        assert_eq!(&text[..walk.consumed()], r#"{"a":{"b":1}}"#);
    }

    #[test]
    fn a_value_can_be_walked_by_the_caller() {
        let text = r#"{"a":{"x":1},"b":2}"#;
        let mut walk = Members::of(text);
        assert_eq!(walk.next_key(), Some("a"));
        let mut inner = Members::of(walk.rest());
        assert_eq!(inner.by_ref().collect::<Vec<_>>(), vec![("x", "1")]);
        walk.advance(inner.consumed());
        assert_eq!(walk.next(), Some(("b", "2")));
        assert_eq!(walk.next(), None);
        assert!(!walk.broken);
    }

    #[test]
    fn malformed_text_ends_the_walk_without_panicking() {
        for text in [
            "",
            "[",
            "{",
            "{\"a\"",
            "{\"a\":",
            "{\"a\":1",
            "{\"a\":\"x",
            "{\"a\":{",
            "{\"a\":1 2}",
            "{a:1}",
            "{\"a\":}",
            "{\"a\":1,",
            "{\"a\\",
            "\"x\"",
            "{\"a\":]]]}",
            "{\"a\":\"\\\"}",
        ] {
            let (_, broken) = members(text);
            assert!(broken, "{text:?}");
        }
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(40), "]".repeat(40));
        assert!(members(&deep).1);
    }

    #[test]
    fn agrees_with_serde_json_on_real_shapes() {
        let text = r#"{"SubjectUserName":"-","LogonType":3,"IpAddress":"10.0.0.5","Path":"C:\\Windows\\x.exe","Nested":{"a":[1,2]}}"#;
        let parsed: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text).expect("json");
        let (found, broken) = members(text);
        assert!(!broken);
        assert_eq!(found.len(), parsed.len());
        for (key, raw) in found {
            let expected = &parsed[key];
            let value: serde_json::Value = serde_json::from_str(raw).expect("value");
            assert_eq!(&value, expected, "{key}");
        }
    }

    #[test]
    fn a_leading_string_is_read_on_the_way_past_its_object() {
        const PREFIX: &Leading = &Leading::new("{\"#attributes\":{\"Name\":");
        let text = r##"{"Provider":{"#attributes":{"Name":"Sec\"urity","Guid":"{5}"}},"EventID":4624}"##;
        let mut walk = Members::of(text);
        assert_eq!(walk.next_key(), Some("Provider"));
        let (value, name) = walk.value_with_leading_string(PREFIX).expect("a value");
        assert_eq!(value, r##"{"#attributes":{"Name":"Sec\"urity","Guid":"{5}"}}"##);
        assert_eq!(name, Some(r##""Sec\"urity""##));
        assert_eq!(walk.next(), Some(("EventID", "4624")));
        assert!(!walk.broken);

        // Another shape is skipped whole, with nothing read from it.
        let text = r##"{"Provider":{"#attributes":{"Guid":"{5}","Name":"x"}},"Channel":"Security"}"##;
        let mut walk = Members::of(text);
        walk.next_key();
        let (value, name) = walk.value_with_leading_string(PREFIX).expect("a value");
        assert_eq!(value, r##"{"#attributes":{"Guid":"{5}","Name":"x"}}"##);
        assert_eq!(name, None);
        assert_eq!(walk.next(), Some(("Channel", "\"Security\"")));

        // An object that never closes breaks the walk.
        let mut walk = Members::of(r##"{"Provider":{"#attributes":{"Name":"x"}"##);
        walk.next_key();
        assert_eq!(walk.value_with_leading_string(PREFIX), None);
        assert!(walk.broken);
    }

    #[test]
    fn an_expected_key_is_known_by_one_comparison() {
        let text = r#"{"EventID":4624,"Channel" : "Security","Computer":"x"}"#;
        let mut walk = Members::of(text);
        assert!(!walk.next_key_is("Event"), "a prefix of the key is not the key");
        assert!(!walk.next_key_is("Channel"));
        assert!(walk.next_key_is("EventID"));
        assert_eq!(walk.value(), Some("4624"));
        assert!(walk.next_key_is("Channel"), "white space around the colon");
        assert_eq!(walk.value(), Some("\"Security\""));
        assert_eq!(walk.next(), Some(("Computer", "\"x\"")));
        assert!(!walk.next_key_is("Computer"), "the object is over");
        assert!(!walk.broken);
        // A key without its colon is left for the walk to find broken.
        let mut walk = Members::of(r#"{"EventID" 4624}"#);
        assert!(!walk.next_key_is("EventID"));
        assert_eq!(walk.next_key(), None);
        assert!(walk.broken);
    }

    #[test]
    fn the_word_search_finds_the_first_needle_wherever_it_is() {
        // Across the word-at-a-time window, its tail and the memchr beyond it, with a byte
        // one above the needle before it (the borrow the word test must not mistake).
        for len in 0..80 {
            for at in 0..=len {
                let mut bytes = vec![b'#'; len];
                if at > 0 {
                    bytes[at - 1] = b'\\' + 1;
                }
                if at < len {
                    bytes[at] = b'\\';
                }
                let expected = bytes.iter().position(|&b| b == b'\\');
                assert_eq!(next_byte::<b'\\'>(&bytes), expected, "{len} {at}");
            }
        }
    }

    #[test]
    fn string_and_integer_values() {
        assert_eq!(string_value("\"plain\"").as_deref(), Some("plain"));
        assert_eq!(string_value(r#""C:\\x""#).as_deref(), Some("C:\\x"));
        assert_eq!(string_value("12"), None);
        assert_eq!(integer_value("3"), Some(3));
        assert_eq!(integer_value("\"0xC000006D\""), Some(0xC000_006D));
        assert_eq!(integer_value("\"0x3e7\""), Some(0x3e7));
        assert_eq!(integer_value("\"-\""), None);
    }
}
