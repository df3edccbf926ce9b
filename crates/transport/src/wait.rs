//! Waiting for an action to finish.

use std::time::{Duration, Instant};

use droplet_action_model::ActionStatus;

use crate::cancel::{self, CancelToken};
use crate::client::action_request;
use crate::events::{Level, RequestIdSuffix};
use crate::options::{deadline_after, passes};
use crate::{ActionAnswer, Client, Error};

/// A poll that times out this close to the deadline was cut short by it.
const DEADLINE_SLACK: Duration = Duration::from_millis(5);

/// How long to wait for an action, and how often to ask.
///
/// ```
/// use std::time::Duration;
/// use droplet_action_transport::WaitOptions;
/// let options = WaitOptions::new(Duration::from_secs(300)).poll_interval(Duration::from_secs(5));
/// assert_eq!(options.timeout(), Duration::from_secs(300));
/// ```
#[derive(Debug, Clone)]
pub struct WaitOptions {
    timeout: Duration,
    poll_interval: Duration,
    cancel: Option<CancelToken>,
}

impl Default for WaitOptions {
    /// Ten minutes, asking every 3 seconds.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(600),
            poll_interval: Duration::from_secs(3),
            cancel: None,
        }
    }
}

impl WaitOptions {
    /// Waits at most `timeout` in all, asking every 3 seconds. A timeout too large to
    /// count (`Duration::MAX`) means no deadline.
    pub fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            ..Self::default()
        }
    }

    /// The pause between two polls.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// Ends the wait with [`Error::Cancelled`] when `token` is cancelled, wherever it is:
    /// in a request, backing off, or sleeping between polls.
    pub fn cancel(mut self, token: &CancelToken) -> Self {
        self.cancel = Some(token.clone());
        self
    }

    /// The overall deadline of the wait, counted from its start.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The pause between two polls.
    pub fn interval(&self) -> Duration {
        self.poll_interval
    }
}

impl Client {
    /// Polls the action until it is `completed` (`Ok`) or `errored`
    /// ([`Error::ActionErrored`], carrying the action), or until the deadline passes
    /// ([`Error::DeadlineExceeded`], carrying the last state seen).
    ///
    /// Transient failures (connection errors, timeouts, 408, 429, 5xx) are retried within
    /// the deadline; the deadline error carries the last of them unless an answer came
    /// after it (a poll cut short by the deadline itself is not a failure). `retry-after` is
    /// honoured, and when the rate limit is spent the wait pauses until it resets. Other
    /// errors (404, 401, a body that is not an action) end the wait at once.
    ///
    /// # Errors
    /// As above, and [`Error::InvalidArgument`] for an id below 1.
    pub fn wait_for_droplet_action(
        &self,
        droplet_id: i64,
        action_id: i64,
        options: WaitOptions,
    ) -> Result<ActionAnswer, Error> {
        let request = action_request(droplet_id, action_id)?;
        let started = Instant::now();
        let deadline = deadline_after(started, options.timeout);
        let cancel = options.cancel.as_ref();
        let events = self.events();
        let mut last: Option<Box<ActionAnswer>> = None;
        let mut last_error: Option<Box<Error>> = None;
        let mut polls = 0u32;
        loop {
            polls = polls.saturating_add(1);
            let pause = match self.execute(&request, deadline, cancel) {
                Ok(mut answer) => {
                    answer.polls = polls;
                    match answer.action.status {
                        Some(ActionStatus::Completed) => return Ok(answer),
                        Some(ActionStatus::Errored) => {
                            return Err(Error::ActionErrored {
                                answer: Box::new(answer),
                            });
                        }
                        _ => {
                            let spent = pause_for_rate_limit(&answer);
                            if !spent.is_zero() {
                                events.emit(
                                    Level::Info,
                                    format_args!(
                                        "GET {}: the rate limit is spent; pausing {spent:?} \
                                         until it resets{}",
                                        request.path(),
                                        RequestIdSuffix(answer.request_id())
                                    ),
                                );
                            }
                            last = Some(Box::new(answer));
                            last_error = None;
                            spent.max(options.poll_interval)
                        }
                    }
                }
                Err(Error::Cancelled { attempts, .. }) => {
                    return Err(Error::Cancelled {
                        attempts,
                        polls,
                        last,
                    });
                }
                Err(Error::Timeout { .. })
                    if last.is_some()
                        && deadline.is_some_and(|deadline| {
                            deadline.saturating_duration_since(Instant::now()) < DEADLINE_SLACK
                        }) =>
                {
                    // The deadline, not the server, cut this poll short: the last answer
                    // (and whatever failed before it) is the state to report.
                    return Err(Error::DeadlineExceeded {
                        waited: started.elapsed(),
                        polls,
                        last,
                        last_error,
                    });
                }
                Err(error) if error.is_retryable() => {
                    let asked = error
                        .details()
                        .and_then(|d| d.meta.server_delay(jiff::Timestamp::now()))
                        .unwrap_or_default();
                    if !asked.is_zero() && passes(deadline, asked) {
                        // The server asks for a longer pause than the deadline leaves:
                        // asking again before then would only be refused.
                        return Err(error);
                    }
                    last_error = Some(Box::new(error));
                    asked.max(options.poll_interval)
                }
                Err(error) => return Err(error),
            };
            if passes(deadline, pause) {
                let left = deadline.map_or(Duration::ZERO, |deadline| {
                    deadline.saturating_duration_since(Instant::now())
                });
                if cancel::sleep(left, cancel).is_err() {
                    return Err(Error::Cancelled {
                        attempts: 0,
                        polls,
                        last,
                    });
                }
                return Err(Error::DeadlineExceeded {
                    waited: started.elapsed(),
                    polls,
                    last,
                    last_error,
                });
            }
            if cancel::sleep(pause, cancel).is_err() {
                return Err(Error::Cancelled {
                    attempts: 0,
                    polls,
                    last,
                });
            }
        }
    }
}

/// When no request is left in the rate-limit window, the time until it resets.
fn pause_for_rate_limit(answer: &ActionAnswer) -> Duration {
    match answer.meta.rate_limit {
        Some(limit) if limit.remaining <= 0 => limit.delay_until_reset(jiff::Timestamp::now()),
        _ => Duration::ZERO,
    }
}
