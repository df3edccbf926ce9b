//! Waiting for an action to finish, as a state machine with no clock and no I/O.
//!
//! A [`Wait`] is told the time and what each request brought back, and answers what to do
//! next: send the request, sleep until a time, or stop with a [`WaitEnd`]. It decides
//! everything a wait decides: the poll interval, retries with jittered backoff (the random
//! number is an argument), `retry-after` and a spent rate limit's reset (capped by the
//! policy's longest pause and by the deadline), the request budget's delay, the terminal
//! statuses and the deadline. The blocking transport, the C sans-IO waiter and every
//! binding's event loop drive this one machine.
//!
//! Time is a [`Duration`] since any fixed origin the driver chooses (a monotonic clock),
//! never going back; wall-clock time is needed only to read `retry-after` dates and
//! `ratelimit-reset`, and is passed with each answer.
//!
//! ```
//! use std::time::Duration;
//! use droplet_action_model::{Observation, ActionStatus, ResponseMeta, Wait, WaitConfig, WaitEnd, WaitStep};
//!
//! let ms = Duration::from_millis;
//! let config = WaitConfig { poll_interval: ms(3000), ..WaitConfig::default() };
//! let mut wait = Wait::new(config, ms(0));
//! assert_eq!(wait.next(ms(0)), WaitStep::Send { timeout: Some(ms(600_000)) });
//! let meta = ResponseMeta { status: 200, rate_limit: None, request_id: None, retry_after: None };
//! let now = jiff::Timestamp::UNIX_EPOCH;
//! wait.feed(ms(40), now, Observation::Action { status: Some(&ActionStatus::InProgress), meta: &meta }, 0);
//! assert_eq!(wait.next(ms(50)), WaitStep::Sleep { until: ms(3040) });
//! assert_eq!(wait.next(ms(3040)), WaitStep::Send { timeout: Some(ms(596_960)) });
//! wait.feed(ms(3100), now, Observation::Action { status: Some(&ActionStatus::Completed), meta: &meta }, 0);
//! assert_eq!(wait.next(ms(3100)), WaitStep::Done(WaitEnd::Completed));
//! assert_eq!((wait.polls(), wait.requests(), wait.last_http_status()), (2, 2, 200));
//! ```

use std::time::Duration;

use crate::{ActionStatus, ResponseMeta, RetryAdvice, RetryPolicy, unit_from_random};

/// The defaults of every client and every wait, in one place: each language reads them
/// from here (through the C ABI for the bindings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Defaults {
    /// The longest one attempt may take.
    pub timeout: Duration,
    /// The longest connecting may take.
    pub connect_timeout: Duration,
    /// Failed attempts sent again, per call (per poll, for a wait).
    pub max_retries: u32,
    /// The first backoff pause, doubling with each retry.
    pub backoff_base: Duration,
    /// The longest backoff pause.
    pub backoff_max: Duration,
    /// The longest pause a server may ask for (`retry-after`, a rate limit's reset) that a
    /// call honours; beyond it, the call ends at once.
    pub max_retry_after: Duration,
    /// The largest answer body read, in bytes.
    pub body_limit: u64,
    /// A wait's deadline.
    pub wait_timeout: Duration,
    /// The pause between two polls of a wait.
    pub poll_interval: Duration,
    /// Requests a minute for one token: DigitalOcean's limit, the pace of a client of its API.
    pub requests_per_minute: u32,
    /// Requests an hour for one token: DigitalOcean's limit.
    pub requests_per_hour: u32,
}

/// The defaults. Read them here; never restate them.
pub const DEFAULTS: Defaults = Defaults {
    timeout: Duration::from_secs(30),
    connect_timeout: Duration::from_secs(10),
    max_retries: 2,
    backoff_base: Duration::from_millis(200),
    backoff_max: Duration::from_secs(5),
    max_retry_after: Duration::from_secs(60),
    body_limit: 4 * 1024 * 1024,
    wait_timeout: Duration::from_secs(600),
    poll_interval: Duration::from_secs(3),
    requests_per_minute: 250,
    requests_per_hour: 5000,
};

/// How a wait behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitConfig {
    /// The deadline, counted from the wait's start; `None`: none.
    pub timeout: Option<Duration>,
    /// The pause between two polls.
    pub poll_interval: Duration,
    /// Retries within a poll, and the longest pause a server may ask for.
    pub policy: RetryPolicy,
}

impl Default for WaitConfig {
    /// [`DEFAULTS`]: ten minutes, a poll every 3 seconds, the default retry policy.
    fn default() -> Self {
        Self {
            timeout: Some(DEFAULTS.wait_timeout),
            poll_interval: DEFAULTS.poll_interval,
            policy: RetryPolicy::default(),
        }
    }
}

/// What the driver does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitStep {
    /// Send the request now, allowing it at most `timeout` (what is left before the
    /// deadline; `None` without one), then [`Wait::feed`] what came back.
    Send {
        /// The longest the request may take.
        timeout: Option<Duration>,
    },
    /// Nothing to do before `until`; then ask again.
    Sleep {
        /// The time to ask again at, on the wait's clock.
        until: Duration,
    },
    /// The wait is over.
    Done(WaitEnd),
}

/// Why a wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitEnd {
    /// The action completed.
    Completed,
    /// The action ended `errored`.
    Errored,
    /// The deadline passed before the action finished.
    DeadlineExceeded,
    /// The rate limit is spent while the action runs, and it resets only after the
    /// deadline or after the longest pause allowed: asking before then would be refused.
    RateLimited {
        /// How long until the limit resets.
        reset_in: Duration,
    },
    /// The server asked (`retry-after`, or the reset of a 429's spent limit) for a pause
    /// beyond the deadline or the longest pause allowed; the last failure says what it was.
    PauseTooLong {
        /// The pause asked for.
        asked: Duration,
    },
    /// The request budget has no slot before the deadline or within the longest pause.
    BudgetExhausted {
        /// How long until its next slot.
        needed: Duration,
    },
    /// The last answer or failure is not worth another request (401, 404, an answer that
    /// is not an action); it says what it was.
    Failed,
    /// The wait was cancelled.
    Cancelled,
}

/// What came back for a request.
#[derive(Debug, Clone, Copy)]
pub enum Observation<'a> {
    /// An action: its status (`None` when absent) and the answer's metadata.
    Action {
        /// The action's status.
        status: Option<&'a ActionStatus>,
        /// Status code, rate limit, `retry-after`.
        meta: &'a ResponseMeta,
    },
    /// No action: an error answer (with its metadata) or no answer at all (`meta` `None`).
    Failure {
        /// Whether another request could cure it (connection errors, timeouts, 408, 429,
        /// 5xx).
        retryable: bool,
        /// The answer's metadata, when one came.
        meta: Option<&'a ResponseMeta>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The next request goes at `due`.
    Waiting,
    /// A request is out: the next event is [`Wait::feed`].
    InFlight,
    Over(WaitEnd),
}

/// One wait for one action: told the time and what each request brought back, it says
/// what to do next ([`WaitStep`]) until it ends ([`WaitEnd`]).
///
/// ```
/// use std::time::Duration;
/// use droplet_action_model::{Wait, WaitConfig, WaitEnd, WaitStep};
///
/// let config = WaitConfig { timeout: Some(Duration::from_secs(1)), ..WaitConfig::default() };
/// let mut wait = Wait::new(config, Duration::ZERO);
/// assert!(matches!(wait.next(Duration::ZERO), WaitStep::Send { .. }));
/// wait.cancel();
/// assert_eq!(wait.next(Duration::from_millis(1)), WaitStep::Done(WaitEnd::Cancelled));
/// ```
#[derive(Debug, Clone)]
pub struct Wait {
    config: WaitConfig,
    started: Duration,
    deadline: Option<Duration>,
    due: Duration,
    phase: Phase,
    /// Failed requests in a row within the current poll.
    failures: u32,
    polls: u32,
    requests: u32,
    last_http_status: u16,
}

impl Wait {
    /// A wait that starts at `now`, its first request due at once.
    pub fn new(config: WaitConfig, now: Duration) -> Self {
        Self {
            config,
            started: now,
            deadline: config.timeout.and_then(|timeout| now.checked_add(timeout)),
            due: now,
            phase: Phase::Waiting,
            failures: 0,
            polls: 0,
            requests: 0,
            last_http_status: 0,
        }
    }

    /// What to do at `now`. Asking again without a [`Wait::feed`] after
    /// [`WaitStep::Send`] repeats the step without counting a second request, until the
    /// deadline: then the wait is over, the request out forgotten.
    pub fn next(&mut self, now: Duration) -> WaitStep {
        if let Phase::Over(end) = self.phase {
            return WaitStep::Done(end);
        }
        // Past the deadline the wait is over, a request out included (it is forgotten).
        if self.deadline.is_some_and(|deadline| now >= deadline) {
            return self.end(WaitEnd::DeadlineExceeded);
        }
        if self.phase == Phase::InFlight {
            return WaitStep::Send {
                timeout: self.time_left(now),
            };
        }
        if now < self.due {
            let until = self
                .deadline
                .map_or(self.due, |deadline| deadline.min(self.due));
            return WaitStep::Sleep { until };
        }
        if self.failures == 0 {
            self.polls = self.polls.saturating_add(1);
        }
        self.requests = self.requests.saturating_add(1);
        self.phase = Phase::InFlight;
        WaitStep::Send {
            timeout: self.time_left(now),
        }
    }

    /// What [`Wait::next`] would answer at `now`, changing nothing: a driver with many
    /// waits looks at all of them, then asks `next` of the one it serves.
    pub fn peek(&self, now: Duration) -> WaitStep {
        match self.phase {
            Phase::Over(end) => WaitStep::Done(end),
            _ if self.deadline.is_some_and(|deadline| now >= deadline) => {
                WaitStep::Done(WaitEnd::DeadlineExceeded)
            }
            Phase::InFlight => WaitStep::Send {
                timeout: self.time_left(now),
            },
            Phase::Waiting if now < self.due => WaitStep::Sleep {
                until: self
                    .deadline
                    .map_or(self.due, |deadline| deadline.min(self.due)),
            },
            Phase::Waiting => WaitStep::Send {
                timeout: self.time_left(now),
            },
        }
    }

    /// The request budget's answer before a request is sent: its next slot is `delay`
    /// away. `true`: sleep `delay`, then send. `false`: the slot lies beyond the deadline
    /// or the longest pause, and the wait is over ([`WaitEnd::BudgetExhausted`]).
    pub fn budget_delay(&mut self, now: Duration, delay: Duration) -> bool {
        if delay.is_zero() {
            return true;
        }
        let too_late =
            self.passes_deadline(now, delay) || delay > self.config.policy.max_retry_after;
        if too_late {
            // Nothing was sent: the request counted by `next` is not one.
            if self.phase == Phase::InFlight {
                self.requests = self.requests.saturating_sub(1);
                if self.failures == 0 {
                    self.polls = self.polls.saturating_sub(1);
                }
            }
            self.phase = Phase::Over(WaitEnd::BudgetExhausted { needed: delay });
        }
        !too_late
    }

    /// What came back for the request of the last [`WaitStep::Send`], at `now` (wall
    /// clock: `unix`). `random` is any random number, for the backoff's jitter. Ignored
    /// when no request is out.
    pub fn feed(
        &mut self,
        now: Duration,
        unix: jiff::Timestamp,
        seen: Observation<'_>,
        random: u64,
    ) {
        if self.phase != Phase::InFlight {
            return;
        }
        self.phase = Phase::Waiting;
        match seen {
            Observation::Action { status, meta } => {
                self.last_http_status = meta.status;
                self.failures = 0;
                match status {
                    Some(ActionStatus::Completed) => self.phase = Phase::Over(WaitEnd::Completed),
                    Some(ActionStatus::Errored) => self.phase = Phase::Over(WaitEnd::Errored),
                    _ => {
                        let mut pause = self.config.poll_interval;
                        if let Some(limit) = meta.rate_limit
                            && limit.remaining <= 0
                        {
                            let reset_in = limit.delay_until_reset(unix);
                            if self.too_long(now, reset_in) {
                                self.phase = Phase::Over(WaitEnd::RateLimited { reset_in });
                                return;
                            }
                            pause = pause.max(reset_in);
                        }
                        self.due = now.saturating_add(pause);
                    }
                }
            }
            Observation::Failure { retryable, meta } => {
                if let Some(meta) = meta {
                    self.last_http_status = meta.status;
                }
                if !retryable {
                    self.phase = Phase::Over(WaitEnd::Failed);
                    return;
                }
                let asked = meta.and_then(|meta| meta.server_delay(unix));
                if let Some(asked) = asked
                    && self.too_long(now, asked)
                {
                    self.phase = Phase::Over(WaitEnd::PauseTooLong { asked });
                    return;
                }
                self.failures = self.failures.saturating_add(1);
                let policy = self.config.policy;
                let pause =
                    match policy.advise(self.failures, true, asked, unit_from_random(random)) {
                        RetryAdvice::RetryAfter(pause) => pause,
                        // The poll's retries are spent: the next poll comes at its usual time
                        // (or when the server asked, if later).
                        _ => {
                            self.failures = 0;
                            asked.unwrap_or_default().max(self.config.poll_interval)
                        }
                    };
                self.due = now.saturating_add(pause);
            }
        }
    }

    /// Whether a request is out: [`Wait::next`] said [`WaitStep::Send`] and nothing was fed
    /// since.
    pub fn in_flight(&self) -> bool {
        self.phase == Phase::InFlight
    }

    /// Retries within each poll and the longest server pause follow `policy` from now on:
    /// a driver that sends through a client of its own settings hands them over here.
    pub fn set_policy(&mut self, policy: RetryPolicy) {
        self.config.policy = policy;
    }

    /// Ends the wait as cancelled (a request out is forgotten).
    pub fn cancel(&mut self) {
        if !matches!(self.phase, Phase::Over(_)) {
            self.phase = Phase::Over(WaitEnd::Cancelled);
        }
    }

    fn end(&mut self, end: WaitEnd) -> WaitStep {
        self.phase = Phase::Over(end);
        WaitStep::Done(end)
    }

    /// Why the wait ended, or `None` while it goes on.
    pub fn ended(&self) -> Option<WaitEnd> {
        match self.phase {
            Phase::Over(end) => Some(end),
            _ => None,
        }
    }

    /// Polls begun: requests after a poll interval, not counting the retries within one.
    pub fn polls(&self) -> u32 {
        self.polls
    }

    /// The number of the request out (or next) within its poll: 1, then 2 for its first
    /// retry, and so on.
    pub fn attempt_in_poll(&self) -> u32 {
        self.failures.saturating_add(1)
    }

    /// Requests sent (or out).
    pub fn requests(&self) -> u32 {
        self.requests
    }

    /// The status code of the last answer (0 before any answer came).
    pub fn last_http_status(&self) -> u16 {
        self.last_http_status
    }

    /// When the wait started, on its clock.
    pub fn started(&self) -> Duration {
        self.started
    }

    /// The deadline, on the wait's clock, if any.
    pub fn deadline(&self) -> Option<Duration> {
        self.deadline
    }

    /// When the next request is due, while no request is out and the wait goes on.
    pub fn next_request_at(&self) -> Option<Duration> {
        (self.phase == Phase::Waiting).then_some(self.due)
    }

    /// What is left before the deadline at `now`; `None` without a deadline.
    pub fn time_left(&self, now: Duration) -> Option<Duration> {
        self.deadline.map(|deadline| deadline.saturating_sub(now))
    }

    fn passes_deadline(&self, now: Duration, pause: Duration) -> bool {
        self.deadline
            .is_some_and(|deadline| now.checked_add(pause).is_none_or(|at| at > deadline))
    }

    /// A server's pause that the wait cannot honour: past the deadline or the cap.
    fn too_long(&self, now: Duration, pause: Duration) -> bool {
        pause > self.config.policy.max_retry_after || self.passes_deadline(now, pause)
    }
}

#[cfg(test)]
mod tests;
