//! Per-call options: a cancel token and an overall time limit.

use std::time::{Duration, Instant};

use crate::CancelToken;

/// Options for one [`Client::get_with_options`](crate::Client::get_with_options)
/// call. The default is the client's settings and no cancel token.
///
/// ```
/// use std::time::Duration;
/// use droplet_action_transport::{CallOptions, CancelToken};
/// let token = CancelToken::new();
/// let options = CallOptions::new().timeout(Duration::from_secs(5)).cancel(&token);
/// assert_eq!(options.overall_timeout(), Some(Duration::from_secs(5)));
/// ```
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    pub(crate) cancel: Option<CancelToken>,
    pub(crate) timeout: Option<Duration>,
}

impl CallOptions {
    /// The client's settings, not cancellable.
    pub fn new() -> Self {
        Self::default()
    }

    /// Ends the call with [`Error::Cancelled`](crate::Error::Cancelled) when `token` is
    /// cancelled, wherever the call is: connecting, waiting for an answer, backing off.
    pub fn cancel(mut self, token: &CancelToken) -> Self {
        self.cancel = Some(token.clone());
        self
    }

    /// The longest the whole call may take, retries and pauses included; no attempt or
    /// pause goes past it. Without it, each attempt has the client's timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The overall limit set with [`CallOptions::timeout`].
    pub fn overall_timeout(&self) -> Option<Duration> {
        self.timeout
    }
}

/// `now + duration`, or `None` (no deadline) when that is beyond what an `Instant` holds.
pub(crate) fn deadline_after(start: Instant, duration: Duration) -> Option<Instant> {
    start.checked_add(duration)
}

/// Whether a pause starting now would end at or past `deadline`.
pub(crate) fn passes(deadline: Option<Instant>, pause: Duration) -> bool {
    match deadline {
        Some(deadline) => Instant::now()
            .checked_add(pause)
            .is_none_or(|end| end >= deadline),
        None => false,
    }
}
