//! RFC 3339 timestamps that keep the text the server sent.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A point in time from the API, parsed from RFC 3339 (fractions and offsets included).
///
/// The text exactly as sent stays available through [`Timestamp::as_str`], so a caller
/// can show or forward it unchanged; [`Timestamp::instant`] is the parsed instant.
///
/// ```
/// use droplet_action_model::Timestamp;
/// let t: Timestamp = "2020-11-14T17:29:21.25+01:00".parse().unwrap();
/// assert_eq!(t.as_str(), "2020-11-14T17:29:21.25+01:00");
/// assert_eq!(t.unix_seconds(), 1_605_371_361);
/// assert_eq!(t.instant().subsec_millisecond(), 250);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    text: Box<str>,
    instant: jiff::Timestamp,
}

/// Text that is not an RFC 3339 timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid RFC 3339 timestamp {text:?}: {reason}")]
pub struct InvalidTimestamp {
    text: String,
    reason: String,
}

impl Timestamp {
    /// The text as the server sent it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The parsed instant.
    pub fn instant(&self) -> jiff::Timestamp {
        self.instant
    }

    /// Whole seconds since the Unix epoch (rounded toward negative infinity).
    pub fn unix_seconds(&self) -> i64 {
        let seconds = self.instant.as_second();
        if self.instant.subsec_nanosecond() < 0 {
            seconds - 1
        } else {
            seconds
        }
    }
}

impl FromStr for Timestamp {
    type Err = InvalidTimestamp;

    fn from_str(text: &str) -> Result<Self, InvalidTimestamp> {
        // RFC 3339 requires the `T` (or `t`/space) separator and an offset; jiff's parser
        // accepts a superset of ISO 8601, so the shape is checked first to stay strict.
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() >= 20
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && matches!(bytes[10], b'T' | b't' | b' ')
            && bytes[13] == b':'
            && bytes[16] == b':';
        if !shape_ok {
            return Err(InvalidTimestamp {
                text: text.into(),
                reason: "expected YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM)".into(),
            });
        }
        let instant = text
            .parse::<jiff::Timestamp>()
            .map_err(|e| InvalidTimestamp {
                text: text.into(),
                reason: e.to_string(),
            })?;
        Ok(Self {
            text: text.into(),
            instant,
        })
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp string")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Timestamp, E> {
                text.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}
