//! The sans-IO wait: the caller's own I/O and clock drive the model's machine.

use std::fmt;
use std::time::Duration;

use droplet_action_model::{ActionRequest, WaitConfig, WaitStep};

use crate::client::action_request;
use crate::waiting::Waiting;
use crate::{ActionResponse, Error, PollEvent, WaitOptions};

/// One wait driven by the caller's own I/O and clock: the sans-IO form of
/// [`Client::wait`](crate::Client::wait), on the same machine. Ask [`Waiter::next`] what to do;
/// send the request ([`Waiter::request`]) when told, and [`Waiter::feed`] what came back;
/// sleep when told; stop at [`WaitStep::Done`] and take [`Waiter::finish`].
///
/// Time is the caller's monotonic clock, as a [`Duration`] since any fixed origin.
///
/// ```
/// use std::time::Duration;
/// use droplet_action_transport::{Waiter, WaitOptions, response_from_parts};
/// use droplet_action_transport::model::WaitStep;
///
/// let mut waiter = Waiter::new(1, 2, &WaitOptions::default(), Duration::ZERO)?;
/// assert!(matches!(waiter.next(Duration::ZERO), WaitStep::Send { .. }));
/// let body = br#"{"action":{"id":2,"status":"completed"}}"#.to_vec();
/// waiter.feed(Duration::from_millis(30), response_from_parts(200, &Default::default(), body));
/// assert!(matches!(waiter.next(Duration::from_millis(30)), WaitStep::Done(_)));
/// let answer = waiter.finish(Duration::from_millis(30))?;
/// assert_eq!((answer.polls, answer.attempts), (1, 1));
/// # Ok::<(), droplet_action_transport::Error>(())
/// ```
pub struct Waiter {
    pub(crate) waiting: Waiting,
}

impl fmt::Debug for Waiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Waiter")
            .field("request", &self.waiting.request)
            .field("wait", &self.waiting.wait)
            .finish()
    }
}

impl Waiter {
    /// A wait for one action with `options`' deadline and poll interval and the default
    /// retry policy (a client's own once [`Client::send_for`](crate::Client::send_for) sends
    /// for it), starting at `now`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an id below 1, or a deadline (`now` plus the timeout)
    /// beyond [`Duration`]'s range.
    pub fn new(
        droplet_id: i64,
        action_id: i64,
        options: &WaitOptions,
        now: Duration,
    ) -> Result<Self, Error> {
        if now.checked_add(options.timeout).is_none() {
            return Err(Error::invalid(
                "the deadline (now plus the timeout) lies beyond the clock's range",
            ));
        }
        let config = WaitConfig {
            timeout: Some(options.timeout),
            poll_interval: options.poll_interval,
            policy: droplet_action_model::RetryPolicy::default(),
        };
        Ok(Self {
            waiting: Waiting::new(action_request(droplet_id, action_id)?, config, now),
        })
    }

    /// The request to send when told to.
    pub fn request(&self) -> &ActionRequest {
        &self.waiting.request
    }

    /// What to do at `now`.
    pub fn next(&mut self, now: Duration) -> WaitStep {
        self.waiting.wait.next(now)
    }

    /// What the request brought back, at `now`: an answer as [`crate::response_from_parts`]
    /// reads it, or the failure of a request that got none ([`Error::Transport`],
    /// [`Error::Timeout`]). Returns the poll's event for an answer.
    pub fn feed(
        &mut self,
        now: Duration,
        outcome: Result<ActionResponse, Error>,
    ) -> Option<PollEvent> {
        self.waiting.feed(now, outcome)
    }

    /// Ends the wait as cancelled.
    pub fn cancel(&mut self) {
        self.waiting.wait.cancel();
    }

    /// Polls begun so far.
    pub fn polls(&self) -> u32 {
        self.waiting.wait.polls()
    }

    /// The outcome, once [`Waiter::next`] said [`WaitStep::Done`], as
    /// [`Client::wait`](crate::Client::wait) would report it; before that, an
    /// [`Error::InvalidArgument`] saying the wait goes on.
    ///
    /// # Errors
    /// As [`Client::wait`](crate::Client::wait).
    pub fn finish(self, now: Duration) -> Result<ActionResponse, Error> {
        match self.waiting.wait.ended() {
            Some(end) => {
                let waited = now.saturating_sub(self.waiting.wait.started());
                self.waiting.outcome(end, waited)
            }
            None => Err(Error::invalid("the wait is not over")),
        }
    }
}
