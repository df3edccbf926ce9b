//! Waiting for an action to finish.

use std::time::{Duration, Instant};

use droplet_action_model::ActionStatus;

use crate::client::action_request;
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitOptions {
    timeout: Duration,
    poll_interval: Duration,
}

impl Default for WaitOptions {
    /// Ten minutes, asking every 3 seconds.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(600),
            poll_interval: Duration::from_secs(3),
        }
    }
}

impl WaitOptions {
    /// Waits at most `timeout` in all, asking every 3 seconds.
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

    /// The overall deadline of the wait, counted from its start.
    pub fn timeout(&self) -> Duration {
        self.timeout
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
        let deadline = started + options.timeout;
        let mut last: Option<Box<ActionAnswer>> = None;
        let mut last_error: Option<Box<Error>> = None;
        loop {
            let pause = match self.execute(&request, Some(deadline)) {
                Ok(answer) => match answer.action.status {
                    Some(ActionStatus::Completed) => return Ok(answer),
                    Some(ActionStatus::Errored) => {
                        return Err(Error::ActionErrored {
                            answer: Box::new(answer),
                        });
                    }
                    _ => {
                        let pause = pause_for_rate_limit(&answer).max(options.poll_interval);
                        last = Some(Box::new(answer));
                        last_error = None;
                        pause
                    }
                },
                Err(Error::Timeout { .. })
                    if last.is_some()
                        && deadline.saturating_duration_since(Instant::now()) < DEADLINE_SLACK =>
                {
                    // The deadline, not the server, cut this poll short: the last answer
                    // (and whatever failed before it) is the state to report.
                    return Err(Error::DeadlineExceeded {
                        waited: started.elapsed(),
                        last,
                        last_error,
                    });
                }
                Err(error) if error.is_retryable() || matches!(error, Error::Timeout { .. }) => {
                    let asked = error
                        .retry_after()
                        .map(|after| after.delay_from(jiff::Timestamp::now()))
                        .unwrap_or_default();
                    last_error = Some(Box::new(error));
                    asked.max(options.poll_interval)
                }
                Err(error) => return Err(error),
            };
            if Instant::now() + pause >= deadline {
                std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
                return Err(Error::DeadlineExceeded {
                    waited: started.elapsed(),
                    last,
                    last_error,
                });
            }
            std::thread::sleep(pause);
        }
    }
}

/// When no request is left in the rate-limit window, the time until it resets.
fn pause_for_rate_limit(answer: &ActionAnswer) -> Duration {
    match answer.meta.rate_limit {
        Some(limit) if limit.remaining <= 0 => {
            let now = jiff::Timestamp::now().as_second();
            Duration::from_secs(limit.reset.saturating_sub(now).max(0).unsigned_abs())
        }
        _ => Duration::ZERO,
    }
}
