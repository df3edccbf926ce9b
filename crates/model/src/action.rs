//! The action object and its parts, as the API describes them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Timestamp;

/// A droplet action: every field is optional, and `null` and absent both read as `None`.
///
/// Unknown fields are ignored here; the raw body kept by
/// [`ActionResponse`](crate::ActionResponse) still holds them.
///
/// ```
/// use droplet_action_model::{Action, ActionStatus};
/// let action: Action = serde_json::from_str(
///     r#"{"id": 1, "status": "in-progress", "completed_at": null}"#,
/// ).unwrap();
/// assert_eq!(action.id, Some(1));
/// assert_eq!(action.status, Some(ActionStatus::InProgress));
/// assert_eq!(action.completed_at, None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// The action's unique id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Where the action stands: in progress, completed, errored, or a status this library
    /// does not know yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ActionStatus>,
    /// What kind of action this is (`"create"`, `"reboot"`, `"transfer"`, ...); `type` on
    /// the wire.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// When the action was started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Timestamp>,
    /// When the action ended; `None` while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<Timestamp>,
    /// The id of the resource the action is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<i64>,
    /// The kind of resource the action is about (`"droplet"`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// The region the action ran in; `None` when absent or `null` (as on old actions).
    #[serde(
        default,
        deserialize_with = "crate::object::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub region: Option<Region>,
    /// The slug of the region the action ran in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_slug: Option<String>,
}

/// A region, as embedded in an action. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    /// The display name (`"New York 3"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The unique slug (`"nyc3"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// Slugs of the droplet sizes available in the region.
    #[serde(
        default,
        deserialize_with = "crate::object::optional_strings",
        skip_serializing_if = "Option::is_none"
    )]
    pub sizes: Option<Vec<String>>,
    /// Features available in the region (`"backups"`, `"ipv6"`, ...).
    #[serde(
        default,
        deserialize_with = "crate::object::optional_strings",
        skip_serializing_if = "Option::is_none"
    )]
    pub features: Option<Vec<String>>,
    /// Whether new droplets can be created in the region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available: Option<bool>,
}

/// The status of an action.
///
/// A status the library does not know parses as [`ActionStatus::Unknown`] with its text,
/// so a new status from the API never fails a parse.
///
/// ```
/// use droplet_action_model::ActionStatus;
/// assert_eq!(ActionStatus::from("errored"), ActionStatus::Errored);
/// let new = ActionStatus::from("paused");
/// assert_eq!(new, ActionStatus::Unknown("paused".into()));
/// assert_eq!(new.as_str(), "paused");
/// assert!(!new.is_terminal());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ActionStatus {
    /// `"in-progress"`: the action is still running.
    InProgress,
    /// `"completed"`: the action finished successfully.
    Completed,
    /// `"errored"`: the action finished and failed.
    Errored,
    /// Any other status, with the text as sent.
    Unknown(String),
}

impl ActionStatus {
    /// The status as it is written on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InProgress => "in-progress",
            Self::Completed => "completed",
            Self::Errored => "errored",
            Self::Unknown(text) => text,
        }
    }

    /// Whether the action has ended (`completed` or `errored`); unknown statuses are not.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Completed | Self::Errored)
    }
}

impl From<&str> for ActionStatus {
    fn from(text: &str) -> Self {
        match text {
            "in-progress" => Self::InProgress,
            "completed" => Self::Completed,
            "errored" => Self::Errored,
            other => Self::Unknown(other.to_owned()),
        }
    }
}

impl fmt::Display for ActionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ActionStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ActionStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = ActionStatus;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an action status string")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<ActionStatus, E> {
                Ok(ActionStatus::from(text))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}
