//! Structs accepted only from JSON objects.
//!
//! serde's derived `Deserialize` also accepts a struct written as an array of its field
//! values in declaration order; an API answer never uses that form, so a hostile or broken
//! `[...]` in place of an object must be a decode error, not a silently filled struct.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A `T` that was written as a JSON object.
pub(crate) struct Object<T>(pub(crate) T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map))
            }
        }
        deserializer
            .deserialize_map(ObjectVisitor(PhantomData))
            .map(Object)
    }
}

/// `deserialize_with` for a field that must be an object.
pub(crate) fn required<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    Object::deserialize(deserializer).map(|object| object.0)
}

/// `deserialize_with` for a field that must be an object or `null`.
pub(crate) fn optional<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    Option::<Object<T>>::deserialize(deserializer).map(|object| object.map(|o| o.0))
}

/// How many entries a list of strings has room for before it grows: a region lists a
/// dozen or two sizes and fewer features, and JSON does not say how many are coming.
const LIST_CAPACITY: usize = 16;

/// `deserialize_with` for a list of strings or `null`: the same as the derived
/// `Option<Vec<String>>`, with the list allocated once for a typical length instead of
/// growing from empty.
pub(crate) fn optional_strings<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<String>>, D::Error> {
    struct Strings(Vec<String>);
    impl<'de> Deserialize<'de> for Strings {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct StringsVisitor;
            impl<'de> Visitor<'de> for StringsVisitor {
                type Value = Vec<String>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a sequence")
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                    let capacity = seq.size_hint().unwrap_or(LIST_CAPACITY).min(LIST_CAPACITY);
                    let mut list = Vec::with_capacity(capacity);
                    while let Some(value) = seq.next_element()? {
                        list.push(value);
                    }
                    Ok(list)
                }
            }
            deserializer.deserialize_seq(StringsVisitor).map(Strings)
        }
    }
    Option::<Strings>::deserialize(deserializer).map(|list| list.map(|l| l.0))
}
