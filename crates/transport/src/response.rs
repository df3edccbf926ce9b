//! What a successful call returns.

use droplet_action_model::{Action, RateLimit, ResponseMeta};

/// A retrieved action, with everything the answer carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionResponse {
    /// The action.
    pub action: Action,
    /// Status, rate limit, request id and `retry-after` of the last answer.
    pub meta: ResponseMeta,
    /// How many requests were sent (1 when the first one succeeded); for a wait that
    /// finished, all the requests of all its polls (for an answer kept as a wait's last
    /// state, the number of its request within its poll).
    pub attempts: u32,
    /// How many polls a wait made to reach this answer; 0 for a get.
    pub polls: u32,
    /// The body exactly as received, with any field this library does not know.
    pub body: Vec<u8>,
}

impl ActionResponse {
    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.meta.status
    }

    /// The rate limit reported with the answer.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.meta.rate_limit
    }

    /// The `x-request-id` of the answer.
    pub fn request_id(&self) -> Option<&str> {
        self.meta.request_id.as_deref()
    }
}
