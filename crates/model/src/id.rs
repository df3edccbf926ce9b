//! Validated identifiers for droplets and actions.

use std::fmt;
use std::num::NonZeroI64;

/// An identifier that is not a valid DigitalOcean id: ids are integers `>= 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind}: {value} (ids are integers >= 1)")]
pub struct InvalidId {
    /// Which id was wrong: `"droplet id"` or `"action id"`.
    pub kind: &'static str,
    /// The value that was given.
    pub value: i64,
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(NonZeroI64);

        impl $name {
            /// Checks that `value >= 1`, as the API requires.
            ///
            /// # Errors
            /// [`InvalidId`] for zero and negative values.
            pub const fn new(value: i64) -> Result<Self, InvalidId> {
                match NonZeroI64::new(value) {
                    Some(id) if value > 0 => Ok(Self(id)),
                    _ => Err(InvalidId { kind: $kind, value }),
                }
            }

            /// The id as a plain integer, always `>= 1`.
            pub const fn get(self) -> i64 {
                self.0.get()
            }
        }

        impl TryFrom<i64> for $name {
            type Error = InvalidId;
            fn try_from(value: i64) -> Result<Self, InvalidId> {
                Self::new(value)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.get()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

id_type!(
    /// The id of a droplet, checked `>= 1` on construction.
    ///
    /// ```
    /// use droplet_action_model::DropletId;
    /// assert_eq!(DropletId::new(3164444).unwrap().get(), 3164444);
    /// assert_eq!(
    ///     DropletId::new(0).unwrap_err().to_string(),
    ///     "invalid droplet id: 0 (ids are integers >= 1)"
    /// );
    /// ```
    DropletId,
    "droplet id"
);

id_type!(
    /// The id of an action, checked `>= 1` on construction.
    ///
    /// ```
    /// use droplet_action_model::ActionId;
    /// assert_eq!(ActionId::new(i64::MAX).unwrap().get(), i64::MAX);
    /// assert!(ActionId::new(-1).is_err());
    /// ```
    ActionId,
    "action id"
);
