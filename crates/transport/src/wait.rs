//! Waiting for an action to finish.

use std::time::{Duration, Instant};

use droplet_action_model::{ActionRequest, ActionStatus};

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

/// The state of one action being waited for.
struct Waiting {
    request: ActionRequest,
    last: Option<Box<ActionAnswer>>,
    last_error: Option<Box<Error>>,
    polls: u32,
}

/// What one poll decided. Short-lived and moved once: its size does not matter.
#[allow(clippy::large_enum_variant)]
enum Step {
    /// The wait for this action is over.
    Done(Result<ActionAnswer, Error>),
    /// Poll again after this pause.
    Again(Duration),
}

impl Waiting {
    fn new(request: ActionRequest) -> Self {
        Self {
            request,
            last: None,
            last_error: None,
            polls: 0,
        }
    }

    /// Cancelled between polls: the attempts of the last poll, as a deadline reports them.
    fn cancelled(self, attempts: u32) -> Error {
        let attempts = match (attempts, &self.last) {
            (0, Some(last)) => last.attempts,
            _ => attempts,
        };
        Error::Cancelled {
            attempts,
            polls: self.polls,
            last: self.last,
        }
    }

    fn deadline_exceeded(self, started: Instant) -> Error {
        Error::DeadlineExceeded {
            waited: started.elapsed(),
            polls: self.polls,
            last: self.last,
            last_error: self.last_error,
        }
    }

    /// The time the last answer says the action started, for ordering polls.
    fn started_at(&self) -> Option<i64> {
        self.last
            .as_ref()
            .and_then(|answer| answer.action.started_at.as_ref())
            .map(|at| at.unix_seconds())
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
    /// honoured, and when the rate limit is spent the wait pauses until it resets; when
    /// the server asks for a pause that passes the deadline, or is longer than the client's
    /// `max_retry_after`, the wait ends at once with that answer's error. Other errors (404, 401, a body that is not an action) end the
    /// wait at once.
    ///
    /// # Errors
    /// As above, [`Error::Cancelled`] when its token is cancelled, and
    /// [`Error::InvalidArgument`] for an id below 1.
    pub fn wait_for_droplet_action(
        &self,
        droplet_id: i64,
        action_id: i64,
        options: WaitOptions,
    ) -> Result<ActionAnswer, Error> {
        let mut waiting = Waiting::new(action_request(droplet_id, action_id)?);
        let started = Instant::now();
        let deadline = deadline_after(started, options.timeout);
        let cancel = options.cancel.as_ref();
        loop {
            let pause = match self.poll_once(&mut waiting, deadline, &options, started) {
                Step::Done(outcome) => return outcome,
                Step::Again(pause) => pause,
            };
            if passes(deadline, pause) {
                let left = deadline.map_or(Duration::ZERO, |deadline| {
                    deadline.saturating_duration_since(Instant::now())
                });
                if cancel::sleep(left, cancel).is_err() {
                    return Err(waiting.cancelled(0));
                }
                return Err(waiting.deadline_exceeded(started));
            }
            if cancel::sleep(pause, cancel).is_err() {
                return Err(waiting.cancelled(0));
            }
        }
    }

    /// Waits for many actions at once, under the client's one connection pool and rate
    /// budget, and returns each one's outcome in the order given, as
    /// [`Client::wait_for_droplet_action`] would for it alone: `Ok` when it completed,
    /// [`Error::ActionErrored`], [`Error::DeadlineExceeded`] (the deadline is shared),
    /// [`Error::Cancelled`], or the error that ended its wait.
    ///
    /// One thread polls them in turn: of the actions due for a poll, the one that started
    /// earliest (the most likely to have finished) goes first, and each is polled at most
    /// once per poll interval.
    ///
    /// ```
    /// use std::time::Duration;
    /// use droplet_action_transport::{Client, WaitOptions};
    ///
    /// let server = droplet_action_mock::MockServer::start()?;
    /// let client = Client::builder().token("mock-token").base_url(server.base_url()).build()?;
    /// let options = WaitOptions::new(Duration::from_secs(5)).poll_interval(Duration::from_millis(10));
    /// // 900102 completes on its third poll, 900201 ends errored on its second.
    /// let outcomes = client.wait_for_droplet_actions(&[(1, 900102), (1, 900201), (1, 0)], options);
    /// assert_eq!(outcomes[0].as_ref().unwrap().polls, 3);
    /// assert!(outcomes[1].is_err());
    /// assert!(outcomes[2].is_err()); // an id below 1
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn wait_for_droplet_actions(
        &self,
        actions: &[(i64, i64)],
        options: WaitOptions,
    ) -> Vec<Result<ActionAnswer, Error>> {
        let started = Instant::now();
        let deadline = deadline_after(started, options.timeout);
        let cancel = options.cancel.as_ref();
        let mut outcomes: Vec<Option<Result<ActionAnswer, Error>>> =
            actions.iter().map(|_| None).collect();
        // Each pending action with the time its next poll is due.
        let mut pending: Vec<(usize, Waiting, Instant)> = Vec::with_capacity(actions.len());
        for (index, &(droplet_id, action_id)) in actions.iter().enumerate() {
            match action_request(droplet_id, action_id) {
                Ok(request) => pending.push((index, Waiting::new(request), started)),
                Err(error) => outcomes[index] = Some(Err(error)),
            }
        }
        while !pending.is_empty() {
            let now = Instant::now();
            if deadline.is_some_and(|deadline| now >= deadline) {
                for (index, waiting, _) in pending.drain(..) {
                    outcomes[index] = Some(Err(waiting.deadline_exceeded(started)));
                }
                break;
            }
            // The due action that started earliest; an action never seen counts as the
            // oldest of all, so that every action is seen once before any is polled again.
            let next = pending
                .iter()
                .enumerate()
                .filter(|(_, (_, _, due))| *due <= now)
                .min_by_key(|(_, (index, waiting, _))| {
                    (waiting.started_at().unwrap_or(i64::MIN), *index)
                })
                .map(|(position, _)| position);
            let Some(position) = next else {
                let earliest = pending.iter().map(|(_, _, due)| *due).min().unwrap_or(now);
                let until = deadline.map_or(earliest, |deadline| earliest.min(deadline));
                if cancel::sleep(until.saturating_duration_since(now), cancel).is_err() {
                    for (index, waiting, _) in pending.drain(..) {
                        outcomes[index] = Some(Err(waiting.cancelled(0)));
                    }
                }
                continue;
            };
            let (index, mut waiting, _) = pending.swap_remove(position);
            match self.poll_once(&mut waiting, deadline, &options, started) {
                Step::Done(outcome) => {
                    let was_cancelled = matches!(outcome, Err(Error::Cancelled { .. }));
                    outcomes[index] = Some(outcome);
                    if was_cancelled {
                        for (index, waiting, _) in pending.drain(..) {
                            outcomes[index] = Some(Err(waiting.cancelled(0)));
                        }
                    }
                }
                Step::Again(pause) => {
                    let due = Instant::now().checked_add(pause).unwrap_or(now);
                    pending.push((index, waiting, due));
                }
            }
        }
        outcomes
            .into_iter()
            .map(|outcome| {
                outcome.unwrap_or_else(|| {
                    Err(Error::invalid(
                        "the wait ended before this action was polled",
                    ))
                })
            })
            .collect()
    }

    /// One poll of one action, and what it means for the wait.
    fn poll_once(
        &self,
        waiting: &mut Waiting,
        deadline: Option<Instant>,
        options: &WaitOptions,
        started: Instant,
    ) -> Step {
        waiting.polls = waiting.polls.saturating_add(1);
        let polls = waiting.polls;
        match self.execute(&waiting.request, deadline, options.cancel.as_ref()) {
            Ok(mut answer) => {
                answer.polls = polls;
                match answer.action.status {
                    Some(ActionStatus::Completed) => Step::Done(Ok(answer)),
                    Some(ActionStatus::Errored) => Step::Done(Err(Error::ActionErrored {
                        answer: Box::new(answer),
                    })),
                    _ => {
                        let spent = pause_for_rate_limit(&answer);
                        if !spent.is_zero() {
                            self.events().emit(
                                Level::Info,
                                format_args!(
                                    "{}: the rate limit is spent; pausing {spent:?} until \
                                     it resets{}",
                                    waiting.request,
                                    RequestIdSuffix(answer.request_id())
                                ),
                            );
                        }
                        waiting.last = Some(Box::new(answer));
                        waiting.last_error = None;
                        Step::Again(spent.max(options.poll_interval))
                    }
                }
            }
            Err(Error::Cancelled { attempts, .. }) => Step::Done(Err(Error::Cancelled {
                attempts,
                polls,
                last: waiting.last.take(),
            })),
            Err(Error::Timeout { .. })
                if waiting.last.is_some()
                    && deadline.is_some_and(|deadline| {
                        deadline.saturating_duration_since(Instant::now()) < DEADLINE_SLACK
                    }) =>
            {
                // The deadline, not the server, cut this poll short: the last answer
                // (and whatever failed before it) is the state to report.
                Step::Done(Err(Error::DeadlineExceeded {
                    waited: started.elapsed(),
                    polls,
                    last: waiting.last.take(),
                    last_error: waiting.last_error.take(),
                }))
            }
            Err(error) if error.is_retryable() => {
                let asked = error
                    .details()
                    .and_then(|d| d.meta.server_delay(jiff::Timestamp::now()))
                    .unwrap_or_default();
                if !asked.is_zero() && (passes(deadline, asked) || asked > self.max_retry_after()) {
                    // The server asks for a longer pause than the deadline leaves, or than
                    // the client honours: asking again before then would only be refused.
                    return Step::Done(Err(error));
                }
                waiting.last_error = Some(Box::new(error));
                Step::Again(asked.max(options.poll_interval))
            }
            Err(error) => Step::Done(Err(error)),
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
