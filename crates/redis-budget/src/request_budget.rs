//! The request budget trait of `droplet-action-transport`, defined here until that crate
//! publishes it; then this module is replaced by a re-export of the transport's trait.

use std::time::Duration;

use droplet_action_model::ResponseMeta;

/// Paces the requests of a client: every request takes a slot first, every answer is shown.
pub trait RequestBudget: Send + Sync + std::fmt::Debug {
    /// Takes one request slot, waiting at most `max_wait`: `Ok(delay)` = sleep that long then
    /// send (the slot is taken); `Err(needed)` = the next slot is further away than
    /// `max_wait` (nothing taken).
    fn try_reserve(&self, max_wait: Duration) -> Result<Duration, Duration>;

    /// Learns from an answer (status, rate limit, retry-after).
    fn observe(&self, meta: &ResponseMeta) {
        let _ = meta;
    }
}
