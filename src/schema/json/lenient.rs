//! Lenient reading of records other stages and other producers wrote: a field of an
//! unexpected type reads as absent instead of failing the whole record. An alert whose
//! `event.risk_score` is `"80"` or whose `message` is a number is still an alert, and the
//! stage that reads it must still count, group and report it.
//!
//! Each reader consumes the value it declines (serde_json insists), and borrows text from the
//! input where it can, as [`crate::schema::optional_str`] does.
//!
//! Reading as absent is not the same as saying nothing: a reader that declines a value that is
//! not null raises a per-thread flag (a serde visitor has nowhere else to put it), and for
//! the records a person is shown, the record is walked again against the view's own list of
//! fields to name each field that was declined ([`Mistyped`]). Any other record pays for
//! one flag.

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

thread_local! {
    /// Whether a reader declined a value that was not null since [`take_declined`] last ran.
    static DECLINED: Cell<bool> = const { Cell::new(false) };
}

/// A reader declined a value of the wrong type.
fn declined() {
    DECLINED.with(|flag| flag.set(true));
}

/// Whether a value was declined since the last call, and resets the flag.
pub(crate) fn take_declined() -> bool {
    DECLINED.with(|flag| flag.replace(false))
}

/// The `Visitor` methods of a reader that treats every other JSON type as absent: scalars
/// are dropped, arrays and objects consumed and dropped.
macro_rules! absent_otherwise {
    ($absent:expr; $($skip:ident),*) => {
        $(absent_otherwise!(@one $skip, $absent);)*
    };
    (@one bool, $absent:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> { declined(); Ok($absent) }
    };
    (@one number, $absent:expr) => {
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> { declined(); Ok($absent) }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> { declined(); Ok($absent) }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> { declined(); Ok($absent) }
    };
    (@one text, $absent:expr) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> { declined(); Ok($absent) }
    };
    (@one null, $absent:expr) => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> { Ok($absent) }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> { Ok($absent) }
    };
    (@one array, $absent:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            declined();
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($absent)
        }
    };
    (@one object, $absent:expr) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            declined();
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok($absent)
        }
    };
}

/// A string, or `None` for anything else (no array search): an element of an array.
struct DirectText<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for DirectText<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DirectTextVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for DirectTextVisitor<'a> {
            type Value = DirectText<'a>;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
                Ok(DirectText(Some(Cow::Borrowed(text))))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
                Ok(DirectText(Some(Cow::Owned(text.to_owned()))))
            }
            fn visit_string<E: de::Error>(self, text: String) -> Result<Self::Value, E> {
                Ok(DirectText(Some(Cow::Owned(text))))
            }
            absent_otherwise!(DirectText(None); bool, number, null, array, object);
        }
        deserializer.deserialize_any(DirectTextVisitor(PhantomData))
    }
}

/// `deserialize_with` for an `Option<Cow<'a, str>>`: a string, else the first string directly
/// in an array (ECS lets a keyword hold several), else `None`.
pub(crate) fn text<'de: 'a, 'a, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Cow<'a, str>>, D::Error> {
    struct TextVisitor<'a>(PhantomData<&'a ()>);
    impl<'de: 'a, 'a> Visitor<'de> for TextVisitor<'a> {
        type Value = Option<Cow<'a, str>>;
        fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
            formatter.write_str("any JSON value")
        }
        fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed(text)))
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(text.to_owned())))
        }
        fn visit_string<E: de::Error>(self, text: String) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(text)))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut first = None;
            while let Some(DirectText(item)) = seq.next_element()? {
                if first.is_none() {
                    first = item;
                }
            }
            Ok(first)
        }
        absent_otherwise!(None; bool, number, null, object);
    }
    deserializer.deserialize_any(TextVisitor(PhantomData))
}

/// `deserialize_with` for an `Option<f64>`: a finite number, or text that reads as one
/// (`"80"`), else `None`.
pub(crate) fn number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    struct NumberVisitor;
    impl<'de> Visitor<'de> for NumberVisitor {
        type Value = Option<f64>;
        fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
            formatter.write_str("any JSON value")
        }
        fn visit_i64<E: de::Error>(self, number: i64) -> Result<Self::Value, E> {
            Ok(Some(number as f64))
        }
        fn visit_u64<E: de::Error>(self, number: u64) -> Result<Self::Value, E> {
            Ok(Some(number as f64))
        }
        fn visit_f64<E: de::Error>(self, number: f64) -> Result<Self::Value, E> {
            Ok(Some(number).filter(|number| number.is_finite()))
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
            let number = number_in(text);
            if number.is_none() {
                declined();
            }
            Ok(number)
        }
        absent_otherwise!(None; bool, null, array, object);
    }
    deserializer.deserialize_any(NumberVisitor)
}

/// The finite number `text` spells, if any (`" 42 "`, not `"NaN"`).
fn number_in(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|number| number.is_finite())
}

/// A keyword field that may hold one string or an array of them (ECS allows both). Anything
/// else reads as [`OneOrMany::None`]; an array keeps only its strings.
#[derive(Debug, Default, Clone, PartialEq)]
pub enum OneOrMany {
    /// Absent.
    #[default]
    None,
    /// One value.
    One(String),
    /// Several.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The values, in order.
    pub fn values(&self) -> &[String] {
        match self {
            OneOrMany::None => &[],
            OneOrMany::One(one) => std::slice::from_ref(one),
            OneOrMany::Many(many) => many,
        }
    }

    /// The first value.
    pub fn first(&self) -> Option<&str> {
        self.values().first().map(String::as_str)
    }
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OneOrManyVisitor;
        impl<'de> Visitor<'de> for OneOrManyVisitor {
            type Value = OneOrMany;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("any JSON value")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
                Ok(OneOrMany::One(text.to_owned()))
            }
            fn visit_string<E: de::Error>(self, text: String) -> Result<Self::Value, E> {
                Ok(OneOrMany::One(text))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut many = Vec::new();
                while let Some(DirectText(item)) = seq.next_element()? {
                    many.extend(item.map(Cow::into_owned));
                }
                Ok(OneOrMany::Many(many))
            }
            absent_otherwise!(OneOrMany::None; bool, number, null, object);
        }
        deserializer.deserialize_any(OneOrManyVisitor)
    }
}

/// `deserialize_with` for a nested view: an object is read into it, anything else leaves it
/// at its default.
pub(crate) fn object<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    deserializer.deserialize_any(ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;
    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map))
    }
    absent_otherwise!(T::default(); bool, number, text, null, array);
}

/// `deserialize_with` for a list of nested views: each object in an array, read as
/// [`object`] reads one; other elements and other types are skipped.
pub(crate) fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    struct ListVisitor<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for ListVisitor<T> {
        type Value = Vec<T>;
        fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
            formatter.write_str("any JSON value")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element_seed(Element(PhantomData))? {
                items.extend(item);
            }
            Ok(items)
        }
        absent_otherwise!(Vec::new(); bool, number, text, null, object);
    }
    deserializer.deserialize_any(ListVisitor(PhantomData))
}

/// One element of a [`list`]: `Some` for an object.
struct Element<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + Default> DeserializeSeed<'de> for Element<T> {
    type Value = Option<T>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        struct ElementVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for ElementVisitor<T> {
            type Value = Option<T>;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(Some)
            }
            absent_otherwise!(None; bool, number, text, null, array);
        }
        deserializer.deserialize_any(ElementVisitor(PhantomData))
    }
}

/// What a view's field expects, for naming the fields a record got wrong.
#[derive(Debug)]
pub(crate) enum Expected {
    /// `text`.
    Text,
    /// `number`.
    Number,
    /// `texts`.
    Texts,
    /// `view[..]`, with the nested view's fields.
    View(&'static [Field]),
    /// `list[..]`, with each element's fields.
    List(&'static [Field]),
}

/// One field of a lenient view: its JSON key and what it expects.
#[derive(Debug)]
pub(crate) struct Field {
    /// The JSON key.
    pub key: &'static str,
    /// Its kind.
    pub expected: Expected,
}

/// The fields of a lenient view (implemented by [`lenient_view!`], never by hand).
pub(crate) trait Fields {
    /// Every field, in declaration order.
    const FIELDS: &'static [Field];
}

/// Whether a record had a field of a type its view does not read (which then read as absent).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Declined(pub bool);

/// How many declined fields are named per record; the rest are counted.
const NAMED_PER_RECORD: usize = 4;

/// One field a record held with a type its view does not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MistypedField {
    /// Where: `event.risk_score`, `logsentry.incident.timeline[3].severity`.
    pub path: String,
    /// What the record held: `a string`, `an object`, ...
    pub found: &'static str,
    /// What the view reads: `a number`, `a string`, ...
    pub expected: &'static str,
}

/// The fields of one record that were read as absent because of their type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mistyped {
    /// The first few, in record order.
    pub fields: Vec<MistypedField>,
    /// How many more there were.
    pub more: usize,
}

impl Mistyped {
    /// Whether every field had the type its view reads.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Names the fields of `record` (a JSON object) that `fields` would decline.
    pub(crate) fn find(record: &Value, fields: &'static [Field]) -> Mistyped {
        let mut mistyped = Mistyped::default();
        let mut path = String::new();
        if let Value::Object(members) = record {
            mistyped.walk_members(members, fields, &mut path);
        }
        mistyped
    }

    fn walk_members(&mut self, members: &serde_json::Map<String, Value>, fields: &'static [Field], path: &mut String) {
        for field in fields {
            let Some(value) = members.get(field.key) else {
                continue;
            };
            let depth = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(field.key);
            self.walk_value(value, &field.expected, path);
            path.truncate(depth);
        }
    }

    fn walk_value(&mut self, value: &Value, expected: &Expected, path: &mut String) {
        match (expected, value) {
            (_, Value::Null) => {}
            (Expected::Text | Expected::Texts, Value::String(_)) => {}
            (Expected::Text | Expected::Texts, Value::Array(items)) => {
                for (at, item) in items.iter().enumerate() {
                    if !matches!(item, Value::Null | Value::String(_)) {
                        self.note_element(path, at, item, "a string");
                    }
                }
            }
            (Expected::Number, Value::Number(_)) => {}
            (Expected::Number, Value::String(text)) if number_in(text).is_some() => {}
            (Expected::Number, Value::String(_)) => self.note(path, "text that is not a number", "a number"),
            (Expected::View(fields), Value::Object(members)) => self.walk_members(members, fields, path),
            (Expected::List(fields), Value::Array(items)) => {
                for (at, item) in items.iter().enumerate() {
                    match item {
                        Value::Null => {}
                        Value::Object(members) => {
                            let depth = path.len();
                            path.push_str(&format!("[{at}]"));
                            self.walk_members(members, fields, path);
                            path.truncate(depth);
                        }
                        other => self.note_element(path, at, other, "an object"),
                    }
                }
            }
            (expected, found) => self.note(path, kind_of(found), expected.described()),
        }
    }

    fn note_element(&mut self, path: &str, at: usize, found: &Value, expected: &'static str) {
        self.note(&format!("{path}[{at}]"), kind_of(found), expected);
    }

    fn note(&mut self, path: &str, found: &'static str, expected: &'static str) {
        if self.fields.len() < NAMED_PER_RECORD {
            self.fields.push(MistypedField {
                path: path.to_owned(),
                found,
                expected,
            });
        } else {
            self.more += 1;
        }
    }
}

impl fmt::Display for Mistyped {
    /// `event.risk_score expected a number, found an object; message expected a string, found
    /// an array`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (at, field) in self.fields.iter().enumerate() {
            if at > 0 {
                formatter.write_str("; ")?;
            }
            write!(
                formatter,
                "{} expected {}, found {}",
                field.path, field.expected, field.found
            )?;
        }
        if self.more > 0 {
            write!(formatter, "; and {} more", self.more)?;
        }
        Ok(())
    }
}

impl Expected {
    fn described(&self) -> &'static str {
        match self {
            Expected::Text => "a string",
            Expected::Number => "a number",
            Expected::Texts => "a string or an array of strings",
            Expected::View(_) => "an object",
            Expected::List(_) => "an array of objects",
        }
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Declares a lenient view: a struct whose fields each name their JSON key and their kind,
/// every one read with the readers above, so that no field's type can fail the record.
///
/// - `text`: a string, or an array's first string (`Option<Cow<'a, str>>`);
/// - `number`: a finite number or numeric text (`Option<f64>`);
/// - `texts`: one string or several ([`OneOrMany`]);
/// - `view[Type]` or `view[Type<'a>]`: a nested object, itself declared here;
/// - `list[Type]` or `list[Type<'a>]`: an array of such objects.
macro_rules! lenient_view {
    (
        $(#[$meta:meta])*
        pub struct $name:ident $(<$life:lifetime>)? {
            $( $(#[$doc:meta])* $field:ident : $kind:ident $([$($arg:tt)*])? = $key:literal, )+
        }
    ) => {
        lenient_view!(@struct [$(#[$meta])* pub struct $name $(<$life>)?] []
            $( [$(#[$doc])* $field $kind [$($($arg)*)?] $key] )+);

        impl $(<$life>)? $crate::schema::json::lenient::Fields for $name $(<$life>)? {
            const FIELDS: &'static [$crate::schema::json::lenient::Field] = &[
                $( $crate::schema::json::lenient::Field {
                    key: $key,
                    expected: lenient_view!(@expected $kind [$($($arg)*)?]),
                }, )+
            ];
        }
    };

    (@expected text []) => { $crate::schema::json::lenient::Expected::Text };
    (@expected number []) => { $crate::schema::json::lenient::Expected::Number };
    (@expected texts []) => { $crate::schema::json::lenient::Expected::Texts };
    (@expected view [$type:ident<$life:lifetime>]) => {
        $crate::schema::json::lenient::Expected::View(<$type<'static> as $crate::schema::json::lenient::Fields>::FIELDS)
    };
    (@expected view [$type:ident]) => {
        $crate::schema::json::lenient::Expected::View(<$type as $crate::schema::json::lenient::Fields>::FIELDS)
    };
    (@expected list [$type:ident<$life:lifetime>]) => {
        $crate::schema::json::lenient::Expected::List(<$type<'static> as $crate::schema::json::lenient::Fields>::FIELDS)
    };
    (@expected list [$type:ident]) => {
        $crate::schema::json::lenient::Expected::List(<$type as $crate::schema::json::lenient::Fields>::FIELDS)
    };

    (@struct [$($head:tt)*] [$($done:tt)*]) => {
        #[derive(Debug, Default, serde::Deserialize)]
        $($head)* { $($done)* }
    };
    (@struct $head:tt [$($done:tt)*] [$(#[$doc:meta])* $field:ident text [] $key:literal] $($rest:tt)*) => {
        lenient_view!(@struct $head [$($done)*
            $(#[$doc])*
            #[serde(rename = $key, borrow, default, deserialize_with = "crate::schema::json::lenient::text")]
            pub $field: Option<std::borrow::Cow<'a, str>>,
        ] $($rest)*);
    };
    (@struct $head:tt [$($done:tt)*] [$(#[$doc:meta])* $field:ident number [] $key:literal] $($rest:tt)*) => {
        lenient_view!(@struct $head [$($done)*
            $(#[$doc])*
            #[serde(rename = $key, default, deserialize_with = "crate::schema::json::lenient::number")]
            pub $field: Option<f64>,
        ] $($rest)*);
    };
    (@struct $head:tt [$($done:tt)*] [$(#[$doc:meta])* $field:ident texts [] $key:literal] $($rest:tt)*) => {
        lenient_view!(@struct $head [$($done)*
            $(#[$doc])*
            #[serde(rename = $key, default)]
            pub $field: $crate::schema::json::lenient::OneOrMany,
        ] $($rest)*);
    };
    (@struct $head:tt [$($done:tt)*] [$(#[$doc:meta])* $field:ident view [$type:ident<$life:lifetime>] $key:literal] $($rest:tt)*) => {
        lenient_view!(@struct $head [$($done)*
            $(#[$doc])*
            #[serde(rename = $key, borrow, default, deserialize_with = "crate::schema::json::lenient::object")]
            pub $field: $type<$life>,
        ] $($rest)*);
    };
    (@struct $head:tt [$($done:tt)*] [$(#[$doc:meta])* $field:ident view [$type:ident] $key:literal] $($rest:tt)*) => {
        lenient_view!(@struct $head [$($done)*
            $(#[$doc])*
            #[serde(rename = $key, default, deserialize_with = "crate::schema::json::lenient::object")]
            pub $field: $type,
        ] $($rest)*);
    };
    (@struct $head:tt [$($done:tt)*] [$(#[$doc:meta])* $field:ident list [$type:ident<$life:lifetime>] $key:literal] $($rest:tt)*) => {
        lenient_view!(@struct $head [$($done)*
            $(#[$doc])*
            #[serde(rename = $key, borrow, default, deserialize_with = "crate::schema::json::lenient::list")]
            pub $field: Vec<$type<$life>>,
        ] $($rest)*);
    };
}

pub(crate) use lenient_view;

#[cfg(test)]
mod tests {
    use super::*;

    lenient_view! {
        /// A view of every kind.
        pub struct Probe<'a> {
            /// A text.
            name: text = "name",
            /// A number.
            score: number = "score",
            /// Texts.
            tags: texts = "tags",
            /// A nested view.
            inner: view[Inner<'a>] = "inner",
            /// A list of nested views.
            items: list[Inner<'a>] = "items",
        }
    }

    lenient_view! {
        /// Nested.
        pub struct Inner<'a> {
            /// A text.
            id: text = "id",
        }
    }

    fn probe(json: &str) -> Probe<'_> {
        serde_json::from_str(json).expect("a lenient view reads any object")
    }

    #[test]
    fn the_expected_types_are_read_and_plain_text_is_borrowed() {
        let read = probe(
            r#"{"name":"root","score":80.5,"tags":["a","b"],"inner":{"id":"x"},"items":[{"id":"1"},{"id":"2"}]}"#,
        );
        assert!(matches!(read.name, Some(Cow::Borrowed("root"))));
        assert_eq!(read.score, Some(80.5));
        assert_eq!(read.tags.values(), ["a", "b"]);
        assert_eq!(read.inner.id.as_deref(), Some("x"));
        let ids: Vec<_> = read.items.iter().filter_map(|item| item.id.as_deref()).collect();
        assert_eq!(ids, ["1", "2"]);
        let escaped = probe(r#"{"name":"a\"b","tags":"one"}"#);
        assert_eq!(escaped.name.as_deref(), Some("a\"b"));
        assert_eq!(escaped.tags, OneOrMany::One("one".to_owned()));
        assert_eq!(escaped.tags.first(), Some("one"));
    }

    #[test]
    fn unexpected_types_read_as_absent_and_keep_the_rest() {
        let read = probe(
            r#"{"name":{"deep":[1,{"x":"y"}]},"score":"  42 ","tags":[1,"kept",["nested"],null],"inner":[{"id":"no"}],"items":[5,{"id":"only"},"x",[{"id":"nested"}]]}"#,
        );
        assert_eq!(read.name, None);
        assert_eq!(read.score, Some(42.0), "numeric text is a number");
        assert_eq!(read.tags.values(), ["kept"]);
        assert_eq!(read.inner.id, None, "an array is not an object");
        let ids: Vec<_> = read.items.iter().filter_map(|item| item.id.as_deref()).collect();
        assert_eq!(ids, ["only"]);
        let odd = probe(r#"{"name":[7,"second","third"],"score":"NaN","tags":{"a":"b"},"inner":"x","items":{}}"#);
        assert_eq!(odd.name.as_deref(), Some("second"), "an array's first string");
        assert_eq!(odd.score, None, "only finite numbers");
        assert_eq!(odd.tags, OneOrMany::None);
        let nothing = probe(r#"{"name":null,"score":true,"tags":false,"inner":null,"items":null}"#);
        assert_eq!(
            (nothing.name, nothing.score, nothing.tags),
            (None, None, OneOrMany::None)
        );
    }

    fn mistyped(json: &str) -> (bool, Mistyped) {
        take_declined();
        let _read = probe(json);
        let declined = take_declined();
        let record: Value = serde_json::from_str(json).expect("JSON");
        (declined, Mistyped::find(&record, <Probe<'static> as Fields>::FIELDS))
    }

    #[test]
    fn declined_fields_are_named_by_path_and_nulls_are_not_declined() {
        let (declined, found) = mistyped(
            r#"{"name":{"a":1},"score":"high","tags":["ok",3],"inner":{"id":true},"items":[{"id":"1"},{"id":[2]},7]}"#,
        );
        assert!(declined);
        assert_eq!(
            found.to_string(),
            "name expected a string, found an object; score expected a number, found text that is not a \
             number; tags[1] expected a string, found a number; inner.id expected a string, found a \
             boolean; and 2 more"
        );
        let (_, all) = mistyped(r#"{"items":[{"id":"1"},{"id":[2]},7]}"#);
        let paths: Vec<&str> = all.fields.iter().map(|field| field.path.as_str()).collect();
        assert_eq!(paths, ["items[1].id[0]", "items[2]"]);
        let (declined, found) =
            mistyped(r#"{"name":null,"score":" 7 ","tags":[null,"a"],"inner":null,"items":[null],"other":{}}"#);
        assert!(!declined && found.is_empty(), "{found}");
    }

    /// Values of every JSON type under the view's own keys, nested a little.
    fn probe_record() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            (0u32..100).prop_map(Value::from),
            prop_oneof![Just("7"), Just("x"), Just(" 1.5 "), Just("NaN")].prop_map(Value::from),
        ];
        let key = prop_oneof![
            Just("name"),
            Just("score"),
            Just("tags"),
            Just("inner"),
            Just("items"),
            Just("id")
        ];
        let value = leaf.prop_recursive(3, 24, 4, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::btree_map(key.clone().prop_map(str::to_owned), inner, 0..4)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        });
        let top_key = prop_oneof![Just("name"), Just("score"), Just("tags"), Just("inner"), Just("items")];
        proptest::collection::btree_map(top_key.prop_map(str::to_owned), value, 0..5)
            .prop_map(|members| Value::Object(members.into_iter().collect()))
    }

    proptest::proptest! {
        /// The flag the readers raise and the walk that names fields are two statements of
        /// one rule: a record is named mistyped exactly when a reader declined a value.
        #[test]
        fn the_walk_names_a_field_exactly_when_a_reader_declined_one(record in probe_record()) {
            let line = serde_json::to_string(&record).expect("a Value serialises");
            let (declined, found) = mistyped(&line);
            proptest::prop_assert_eq!(declined, !found.is_empty(), "{} gave {}", line, found);
        }
    }

    #[test]
    fn duplicate_members_and_broken_json_still_fail() {
        assert!(serde_json::from_str::<Probe>(r#"{"name":"a","name":"b"}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"inner":{"id":"a","id":"b"}}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"name":"a""#).is_err());
    }
}
