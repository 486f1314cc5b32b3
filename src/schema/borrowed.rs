//! Optional text fields that borrow from the input line. serde borrows a bare `Cow<str>`
//! field, but one inside an `Option` is always copied into a new `String`: an allocation per
//! field per record, the largest single cost of reading events back.

use serde::{Deserialize, Deserializer};
use std::borrow::Cow;

#[derive(Deserialize)]
struct Borrowed<'a>(#[serde(borrow)] Cow<'a, str>);

/// `deserialize_with` for an `Option<Cow<'a, str>>` field: borrowed unless the JSON string
/// holds escapes, `None` for `null`.
pub fn optional_str<'de: 'a, 'a, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Cow<'a, str>>, D::Error> {
    Ok(Option::<Borrowed<'a>>::deserialize(deserializer)?.map(|borrowed| borrowed.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Record<'a> {
        #[serde(borrow, default, deserialize_with = "optional_str")]
        text: Option<Cow<'a, str>>,
    }

    #[test]
    fn borrows_plain_strings_and_copies_escaped_ones() {
        let record: Record = serde_json::from_str(r#"{"text":"plain"}"#).expect("parses");
        assert!(matches!(record.text, Some(Cow::Borrowed("plain"))));
        let record: Record = serde_json::from_str(r#"{"text":"a\"b"}"#).expect("parses");
        assert!(matches!(record.text.as_deref(), Some("a\"b")));
        let record: Record = serde_json::from_str(r#"{"text":null}"#).expect("parses");
        assert!(record.text.is_none());
        let record: Record = serde_json::from_str("{}").expect("parses");
        assert!(record.text.is_none());
        assert!(serde_json::from_str::<Record>(r#"{"text":1}"#).is_err());
    }
}
