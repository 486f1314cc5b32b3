//! JSON in and out of the NDJSON contract, in one place: the strict reader every fast path
//! reads with ([`Cursor`]), the declaration of the record views read back ([`record_view!`]),
//! and the writers of events and alerts with the escaping they share ([`write`]).
//!
//! A record view is declared once, as a list of (field, JSON key, kind). From that one list
//! come the serde struct (the reader of last resort, and the oracle), the fast reader that
//! picks those fields out of a line with [`Cursor`], and the key names the proptest mixes
//! into its lines: adding a field is one line, and the two readers cannot drift apart.
//! Each writer is held to serde's output for the same record by a proptest beside it.
//!
//! Records other producers wrote (alerts and incidents read back by `ls-correlate` and
//! `ls-report`) are read with [`lenient`] views, which take a field of an unexpected type as
//! absent, after [`dotted`] has brought dotted keys to the nested shape.

mod cursor;
pub(crate) mod dotted;
pub(crate) mod lenient;
pub(crate) mod write;

pub(crate) use cursor::{Cursor, Seen, Step};

/// A view the fast path can fill from the object at a cursor (implemented by
/// [`record_view!`], never by hand).
pub(crate) trait ReadFast<'a> {
    /// Reads the object at the cursor into the view; `Unsure` leaves the line to serde_json.
    fn read_object(&mut self, cursor: &mut Cursor<'a>) -> Step<()>;

    /// Every JSON key the view reads, nested views' keys included.
    #[cfg(test)]
    fn keys(out: &mut Vec<&'static str>);
}

/// A number already checked against the target type's maximum.
pub(crate) fn narrow<T: TryFrom<u64>>(value: Option<u64>) -> Option<T> {
    value.and_then(|value| T::try_from(value).ok())
}

/// Declares a record view: a struct whose fields each name their JSON key and their kind.
///
/// - `text`: a string or null, borrowed from the line unless it holds escapes
///   (`Option<Cow<'a, str>>`);
/// - `unsigned[u16]`: a non-negative integer that fits the type, or null;
/// - `text_value`: any JSON value, which the fast path reads only when it is text
///   (`Option<serde_json::Value>`);
/// - `view[Type]` or `view[Type<'a>]`: a nested object, itself declared here.
///
/// The first field should be the member our own stages write first: the fast path finds it
/// by one comparison with the object's compact opening.
macro_rules! record_view {
    (
        $(#[$meta:meta])*
        pub struct $name:ident $(<$life:lifetime>)? {
            $( $(#[$doc:meta])* $field:ident : $kind:ident $([$($arg:tt)*])? = $key:literal, )+
        }
    ) => {
        record_view!(@struct [$(#[$meta])* pub struct $name $(<$life>)?] []
            $( [$(#[$doc])* $field $kind [$($($arg)*)?] $key] )+);

        impl<'a> $crate::schema::json::ReadFast<'a> for $name $(<$life>)? {
            #[inline]
            fn read_object(&mut self, cursor: &mut $crate::schema::json::Cursor<'a>) -> $crate::schema::json::Step<()> {
                // The fields' numbers, for telling a duplicate member (which serde_json rejects).
                #[allow(non_camel_case_types)]
                enum Field { $($field),+ }
                const KEYS: &[&str] = &[$($key),+];
                let mut seen = $crate::schema::json::Seen::default();
                let led = cursor.opens_with(KEYS[0]);
                if led {
                    seen.first(0)?;
                    record_view!(@first self, cursor, $( [$field $kind [$($($arg)*)?]] )+)?;
                }
                let member = |cursor: &mut $crate::schema::json::Cursor<'a>, key: &str| -> $crate::schema::json::Step<()> {
                    match key {
                        $( $key => {
                            seen.first(Field::$field as u32)?;
                            record_view!(@read self.$field, cursor, $kind [$($($arg)*)?])
                        } )+
                        _ => cursor.skip_value(),
                    }
                };
                cursor.object_or_rest(led, member)
            }

            #[cfg(test)]
            fn keys(out: &mut Vec<&'static str>) {
                $(
                    out.push($key);
                    record_view!(@keys out, $kind [$($($arg)*)?]);
                )+
            }
        }
    };

    // The struct, one field at a time: each kind brings its type and its serde attributes.
    (@struct [$($head:tt)*] [$($done:tt)*]) => {
        #[derive(Debug, Default, PartialEq, serde::Deserialize)]
        $($head)* { $($done)* }
    };
    (@struct $head:tt [$($done:tt)*] [$(#[$doc:meta])* $field:ident text [] $key:literal] $($rest:tt)*) => {
        record_view!(@struct $head [$($done)*
            $(#[$doc])*
            #[serde(rename = $key, borrow, default, deserialize_with = "crate::schema::optional_str")]
            pub $field: Option<std::borrow::Cow<'a, str>>,
        ] $($rest)*);
    };
    (@struct $head:tt [$($done:tt)*] [$(#[$doc:meta])* $field:ident unsigned [$type:ty] $key:literal] $($rest:tt)*) => {
        record_view!(@struct $head [$($done)*
            $(#[$doc])*
            #[serde(rename = $key, default)]
            pub $field: Option<$type>,
        ] $($rest)*);
    };
    (@struct $head:tt [$($done:tt)*] [$(#[$doc:meta])* $field:ident text_value [] $key:literal] $($rest:tt)*) => {
        record_view!(@struct $head [$($done)*
            $(#[$doc])*
            #[serde(rename = $key, default)]
            pub $field: Option<serde_json::Value>,
        ] $($rest)*);
    };
    (@struct $head:tt [$($done:tt)*] [$(#[$doc:meta])* $field:ident view [$type:ident<$life:lifetime>] $key:literal] $($rest:tt)*) => {
        record_view!(@struct $head [$($done)*
            $(#[$doc])*
            #[serde(rename = $key, borrow, default)]
            pub $field: $type<$life>,
        ] $($rest)*);
    };
    (@struct $head:tt [$($done:tt)*] [$(#[$doc:meta])* $field:ident view [$type:ident] $key:literal] $($rest:tt)*) => {
        record_view!(@struct $head [$($done)*
            $(#[$doc])*
            #[serde(rename = $key, default)]
            pub $field: $type,
        ] $($rest)*);
    };

    // The first field's value, after its key was found by `opens_with`.
    (@first $this:expr, $cursor:ident, [$field:ident $kind:ident [$($arg:tt)*]] $($rest:tt)*) => {
        record_view!(@read $this.$field, $cursor, $kind [$($arg)*])
    };

    // How the fast path reads each kind.
    (@read $slot:expr, $cursor:ident, text []) => {{
        $slot = $cursor.optional_string()?;
        Ok(())
    }};
    (@read $slot:expr, $cursor:ident, unsigned [$type:ty]) => {{
        $slot = $crate::schema::json::narrow($cursor.optional_unsigned(u64::from(<$type>::MAX))?);
        Ok(())
    }};
    (@read $slot:expr, $cursor:ident, text_value []) => {{
        // Other JSON types are kept by serde_json as they are; only text is read here.
        $slot = $cursor.optional_string()?.map(|text| serde_json::Value::String(text.into_owned()));
        Ok(())
    }};
    (@read $slot:expr, $cursor:ident, view [$($type:tt)*]) => {
        $crate::schema::json::ReadFast::read_object(&mut $slot, $cursor)
    };

    (@keys $out:ident, view [$type:ident $(<$life:lifetime>)?]) => {
        <$type as $crate::schema::json::ReadFast<'_>>::keys($out)
    };
    (@keys $out:ident, $kind:ident [$($arg:tt)*]) => {};
}

pub(crate) use record_view;
