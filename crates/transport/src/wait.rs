//! Waiting for an action to finish: thin loops that drive the model's [`Wait`] machine,
//! which decides everything (when to poll, retry, pause, and stop).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use droplet_action_model::{ActionStatus, DEFAULTS, WaitConfig, WaitEnd, WaitStep};

use crate::attempt::SendFailure;
use crate::cancel::{self, CancelToken};
use crate::client::action_request;
use crate::events::{Level, RequestIdSuffix};
use crate::waiting::Waiting;
use crate::{ActionResponse, Client, Error, Waiter};

/// What a wait reports after each request, to a [`WaitOptions::on_poll`] function: the
/// response's action status, or the failure that a retry answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollEvent {
    /// The droplet.
    pub droplet_id: i64,
    /// The action.
    pub action_id: i64,
    /// The action's status as the response gave it (`None`: absent, or no action came).
    pub status: Option<ActionStatus>,
    /// The response's HTTP status (`None`: no response came: the connection failed or the
    /// request timed out).
    pub http_status: Option<u16>,
    /// Time since the wait started.
    pub elapsed: Duration,
    /// Polls so far.
    pub polls: u32,
    /// Requests so far (retries included).
    pub requests: u32,
    /// Time until the next poll, while the wait goes on (`None` once it is over).
    pub next_poll_in: Option<Duration>,
}

/// A function that receives each [`PollEvent`], on the thread that waits.
pub type PollHook = Arc<dyn Fn(&PollEvent) + Send + Sync>;

/// How long to wait for an action, and how often to ask.
///
/// ```
/// use std::time::Duration;
/// use droplet_action_transport::WaitOptions;
/// let options = WaitOptions::new(Duration::from_secs(300)).poll_interval(Duration::from_secs(5));
/// assert_eq!(options.timeout(), Duration::from_secs(300));
/// ```
#[derive(Clone)]
pub struct WaitOptions {
    pub(crate) timeout: Duration,
    pub(crate) poll_interval: Duration,
    pub(crate) cancel: Option<CancelToken>,
    pub(crate) on_poll: Option<PollHook>,
}

impl fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("timeout", &self.timeout)
            .field("poll_interval", &self.poll_interval)
            .field("cancel", &self.cancel)
            .field("on_poll", &self.on_poll.as_ref().map(|_| "Fn"))
            .finish()
    }
}

impl Default for WaitOptions {
    /// The model's defaults ([`DEFAULTS`]): ten minutes, asking every 3 seconds.
    fn default() -> Self {
        Self {
            timeout: DEFAULTS.wait_timeout,
            poll_interval: DEFAULTS.poll_interval,
            cancel: None,
            on_poll: None,
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

    /// Calls `hook` after each poll's answer, with the action's status, the time so far,
    /// the polls and requests so far and the time to the next poll.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use std::time::Duration;
    /// use droplet_action_transport::{Client, WaitOptions};
    ///
    /// let server = droplet_action_mock::MockServer::start()?;
    /// let client = Client::builder().token("mock-token").base_url(server.base_url()).build()?;
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let sink = Arc::clone(&seen);
    /// let options = WaitOptions::new(Duration::from_secs(5))
    ///     .poll_interval(Duration::from_millis(10))
    ///     .on_poll(Arc::new(move |event| {
    ///         sink.lock().unwrap().push((event.polls, event.status.clone().unwrap().to_string()))
    ///     }));
    /// client.wait(1, 900102, options)?;
    /// assert_eq!(
    ///     *seen.lock().unwrap(),
    ///     [(1, "in-progress".into()), (2, "in-progress".into()), (3, "completed".into())]
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_poll(mut self, hook: PollHook) -> Self {
        self.on_poll = Some(hook);
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

/// The wait's clock on the monotonic clock: `offset` at `origin`, then running.
struct Clock {
    origin: Instant,
    offset: Duration,
}

impl Clock {
    /// A clock that reads 0 now.
    fn start() -> Self {
        Self::reading(Duration::ZERO)
    }

    /// A clock that reads `now` now.
    fn reading(now: Duration) -> Self {
        Self {
            origin: Instant::now(),
            offset: now,
        }
    }

    fn now(&self) -> Duration {
        self.offset.saturating_add(self.origin.elapsed())
    }

    /// The instant at which this clock reads `at`.
    fn instant(&self, at: Duration) -> Instant {
        match at.checked_sub(self.offset) {
            Some(later) => self.origin.checked_add(later).unwrap_or(self.origin),
            None => self.origin,
        }
    }
}

impl Client {
    /// The model's configuration of a wait with `options` on this client.
    fn wait_config(&self, options: &WaitOptions) -> WaitConfig {
        WaitConfig {
            // A timeout too large to count means no deadline.
            timeout: Instant::now()
                .checked_add(options.timeout)
                .map(|_| options.timeout),
            poll_interval: options.poll_interval,
            policy: self.policy(),
        }
    }

    /// Polls the action until it is `completed` (`Ok`) or `errored`
    /// ([`Error::ActionErrored`], carrying the action), or until the deadline passes
    /// ([`Error::DeadlineExceeded`], carrying the last state seen).
    ///
    /// Transient failures (connection errors, timeouts, 408, 429, 5xx) are retried within
    /// the deadline, with the client's retries and backoff in each poll; the deadline
    /// error carries the last of them unless an answer came after it. `retry-after` is
    /// honoured, and when the rate limit is spent the wait pauses until it resets. When the
    /// server asks for a pause that passes the deadline or is longer than the client's
    /// `max_retry_after`, the wait ends at once: [`Error::RateLimited`] when a running
    /// action's answer showed the limit spent, else [`Error::WaitEnded`] with that answer's
    /// error. Other errors (404, 401, a body that is not an action, no slot of the request
    /// budget in time) end the wait at once, as [`Error::WaitEnded`]. Every error that ends
    /// a wait carries its polls, its requests and the last state seen
    /// ([`Error::polls`], [`Error::attempts`], [`Error::last_seen`]).
    ///
    /// # Errors
    /// As above, [`Error::Cancelled`] when its token is cancelled, and
    /// [`Error::InvalidArgument`] for an id below 1.
    pub fn wait(
        &self,
        droplet_id: i64,
        action_id: i64,
        options: WaitOptions,
    ) -> Result<ActionResponse, Error> {
        let request = action_request(droplet_id, action_id)?;
        let clock = Clock::start();
        let mut waiting = Waiting::new(request, self.wait_config(&options), clock.now());
        let cancel = options.cancel.as_ref();
        let _attached = cancel::Attached::new(cancel);
        loop {
            if cancel.is_some_and(CancelToken::is_cancelled) {
                waiting.wait.cancel();
            }
            let now = clock.now();
            match waiting.wait.next(now) {
                WaitStep::Done(end) => return waiting.outcome(end, now),
                WaitStep::Sleep { until } => {
                    if cancel::sleep(until.saturating_sub(now), cancel).is_err() {
                        waiting.wait.cancel();
                    }
                }
                WaitStep::Send { timeout } => {
                    self.poll(&mut waiting, &clock, timeout, &options);
                }
            }
        }
    }

    /// Waits for many actions at once, under the client's one connection pool and rate
    /// budget, and returns each one's outcome in the order given, as
    /// [`Client::wait`] would for it alone: `Ok` when it completed,
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
    /// let outcomes = client.wait_many(&[(1, 900102), (1, 900201), (1, 0)], options);
    /// assert_eq!(outcomes[0].as_ref().unwrap().polls, 3);
    /// assert!(outcomes[1].is_err());
    /// assert!(outcomes[2].is_err()); // an id below 1
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn wait_many(
        &self,
        actions: &[(i64, i64)],
        options: WaitOptions,
    ) -> Vec<Result<ActionResponse, Error>> {
        let clock = Clock::start();
        let config = self.wait_config(&options);
        let cancel = options.cancel.as_ref();
        let _attached = cancel::Attached::new(cancel);
        let mut outcomes: Vec<Option<Result<ActionResponse, Error>>> =
            actions.iter().map(|_| None).collect();
        let mut pending: Vec<(usize, Waiting)> = Vec::with_capacity(actions.len());
        for (index, &(droplet_id, action_id)) in actions.iter().enumerate() {
            match action_request(droplet_id, action_id) {
                Ok(request) => pending.push((index, Waiting::new(request, config, clock.now()))),
                Err(error) => outcomes[index] = Some(Err(error)),
            }
        }
        while !pending.is_empty() {
            let now = clock.now();
            let cancelled = cancel.is_some_and(CancelToken::is_cancelled);
            // Each machine says what it wants: the finished leave, the due ones compete.
            let mut earliest = None::<Duration>;
            let mut due: Vec<usize> = Vec::new();
            let mut position = 0;
            while position < pending.len() {
                let waiting = &mut pending[position].1;
                if cancelled {
                    waiting.wait.cancel();
                }
                match waiting.wait.peek(now) {
                    WaitStep::Done(_) => {
                        let (index, mut waiting) = pending.swap_remove(position);
                        if let WaitStep::Done(end) = waiting.wait.next(now) {
                            outcomes[index] = Some(waiting.outcome(end, now));
                        }
                        continue;
                    }
                    WaitStep::Sleep { until } => {
                        earliest = Some(earliest.map_or(until, |e| e.min(until)));
                    }
                    WaitStep::Send { .. } => due.push(position),
                }
                position += 1;
            }
            // Of the due actions, the one that started earliest goes; an action never seen
            // counts as the oldest of all, so that every action is seen once before any is
            // polled again. The others stay due for a later turn.
            let next = due.iter().min_by_key(|position| {
                let (index, waiting) = &pending[**position];
                (waiting.started_at().unwrap_or(i64::MIN), *index)
            });
            match next {
                Some(&position) => {
                    let waiting = &mut pending[position].1;
                    if let WaitStep::Send { timeout } = waiting.wait.next(now) {
                        self.poll(waiting, &clock, timeout, &options);
                    }
                }
                None if pending.is_empty() => break,
                None => {
                    let until = earliest.unwrap_or(now);
                    if cancel::sleep(until.saturating_sub(now), cancel).is_err() {
                        for (_, waiting) in &mut pending {
                            waiting.wait.cancel();
                        }
                    }
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

    /// Sends the request a [`Waiter`] asked for ([`WaitStep::Send`]) through this client
    /// (its connections, TLS, proxy and request budget, one attempt, no retry: the waiter
    /// decides those, from then on with this client's retries, backoff and longest pause),
    /// and feeds it what came back. `now` is the waiter's clock when the
    /// call starts; the answer is fed at `now` plus the time the request took. A binding
    /// runs this on a thread of its own and everything else of the wait on its event loop.
    /// Does nothing when the waiter did not ask for a request. Returns the poll's event when
    /// a response came, as [`Waiter::feed`] does.
    ///
    /// ```
    /// use std::time::Duration;
    /// use droplet_action_transport::{Client, Waiter, WaitOptions};
    /// use droplet_action_transport::model::WaitStep;
    ///
    /// let server = droplet_action_mock::MockServer::start()?;
    /// let client = Client::builder().token("mock-token").base_url(server.base_url()).build()?;
    /// let mut waiter = Waiter::new(3164444, 36804636, &WaitOptions::default(), Duration::ZERO)?;
    /// assert!(matches!(waiter.next(Duration::ZERO), WaitStep::Send { .. }));
    /// client.send_for(&mut waiter, Duration::ZERO, None);
    /// let now = Duration::from_secs(1);
    /// assert!(matches!(waiter.next(now), WaitStep::Done(_)));
    /// assert_eq!(waiter.finish(now)?.action.id, Some(36804636));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send_for(
        &self,
        waiter: &mut Waiter,
        now: Duration,
        cancel: Option<&CancelToken>,
    ) -> Option<PollEvent> {
        // Only the request the waiter asked for (`next` said Send, nothing fed since).
        if !waiter.waiting.wait.in_flight() {
            return None;
        }
        let WaitStep::Send { timeout } = waiter.waiting.wait.peek(now) else {
            return None;
        };
        // Sent through this client, the wait retries as the client does.
        waiter.waiting.wait.set_policy(self.policy());
        let clock = Clock::reading(now);
        let options = WaitOptions {
            cancel: cancel.cloned(),
            ..WaitOptions::default()
        };
        let _attached = cancel::Attached::new(cancel);
        self.poll(&mut waiter.waiting, &clock, timeout, &options)
    }

    /// One request of a wait, and what it brought back fed to its machine; the options'
    /// `on_poll` function sees the poll's event, which is also returned.
    fn poll(
        &self,
        waiting: &mut Waiting,
        clock: &Clock,
        timeout: Option<Duration>,
        options: &WaitOptions,
    ) -> Option<PollEvent> {
        let cancel = options.cancel.as_ref();
        let now = clock.now();
        let policy = self.policy();
        // The budget may make the request wait: at most what the deadline leaves, and no
        // longer than the longest pause the client honours.
        let allowed = timeout.unwrap_or(Duration::MAX).min(policy.max_retry_after);
        let deadline = waiting.wait.deadline().map(|at| clock.instant(at));
        let outcome = self.send_once(
            &waiting.request,
            waiting.wait.attempt_in_poll(),
            allowed,
            deadline,
            cancel,
        );
        let now_after = clock.now();
        let event = match outcome {
            Ok(answer) => {
                let rate_limit = answer.meta.rate_limit;
                let request_id = answer.meta.request_id.clone();
                let event = waiting.feed(now_after, Ok(answer));
                if let Some(WaitEnd::RateLimited { reset_in }) = waiting.wait.ended() {
                    self.events().emit(
                        Level::Warn,
                        format_args!(
                            "{}: the rate limit is spent and resets in {reset_in:?}, past the \
                             wait's deadline or longest pause{}",
                            waiting.request,
                            RequestIdSuffix(request_id.as_deref())
                        ),
                    );
                } else if rate_limit.is_some_and(|l| l.remaining <= 0)
                    && waiting.wait.ended().is_none()
                {
                    self.events().emit(
                        Level::Info,
                        format_args!(
                            "{}: the rate limit is spent; pausing until it resets{}",
                            waiting.request,
                            RequestIdSuffix(request_id.as_deref())
                        ),
                    );
                }
                event
            }
            Err(SendFailure::Unsent(Error::RateBudget { needed, .. })) => {
                // The budget's slot lies further than the wait allows: the model ends it
                // (nothing was sent, so nothing is counted).
                if !waiting.wait.budget_delay(now, needed) {
                    waiting.last_error = Some(Box::new(Error::RateBudget {
                        needed,
                        allowed,
                        attempts: waiting.wait.requests(),
                    }));
                }
                None
            }
            Err(SendFailure::Unsent(_)) | Err(SendFailure::Sent(Error::Cancelled { .. })) => {
                waiting.wait.cancel();
                None
            }
            Err(SendFailure::Sent(error)) => waiting.feed(now_after, Err(error)),
        };
        if let (Some(hook), Some(event)) = (&options.on_poll, &event) {
            hook(event);
        }
        event
    }
}
