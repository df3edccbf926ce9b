//! One call with its retries, and one attempt: the budget's slot, the request, its
//! redirects, and what its answer teaches the budget.

use std::time::{Duration, Instant};

use droplet_action_model::{
    ActionRequest, RetryAdvice, budget_wait_allowed, is_loopback_host, redact_url,
};
use ureq::ResponseExt;
use ureq::http::{Request, Response, Uri, header};

use crate::cancel::{self, CancelToken};
use crate::client::Client;
use crate::events::{Level, RequestIdSuffix};
use crate::options::passes;
use crate::read::{before_write, map_ureq_error};
use crate::{ActionResponse, Error};

const MAX_REDIRECTS: u32 = 5;

/// The shortest token taken out of echoed text: a shorter one would blank out ordinary
/// words (real tokens are dozens of characters).
const MIN_SCRUBBED_SECRET: usize = 8;

/// Why [`Client::send_once`] brought back no answer.
#[derive(Debug)]
pub(crate) enum SendFailure {
    /// Nothing was sent: cancelled first, or no budget slot in time.
    Unsent(Error),
    /// The request was sent (or its sending began) and failed.
    Sent(Error),
}

use SendFailure::{Sent, Unsent};

/// A cancelled call's error, after `attempts` requests.
pub(crate) fn cancelled(attempts: u32) -> Error {
    Error::Cancelled {
        attempts,
        polls: 0,
        last: None,
        last_error: None,
    }
}

impl Client {
    /// One call with its retries; with a deadline, no attempt or pause goes past it.
    pub(crate) fn execute(
        &self,
        request: &ActionRequest,
        deadline: Option<Instant>,
        cancel: Option<&CancelToken>,
    ) -> Result<ActionResponse, Error> {
        let inner = &self.inner;
        let events = &inner.events;
        let _attached = cancel::Attached::new(cancel);
        let mut attempts = 0;
        loop {
            if deadline.is_some_and(|deadline| deadline <= Instant::now()) {
                return Err(Error::Timeout {
                    timeout: Duration::ZERO,
                    attempts,
                });
            }
            let time_left =
                deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()));
            let mut error = match self.send_once(
                request,
                attempts + 1,
                budget_wait_allowed(time_left),
                deadline,
                cancel,
            ) {
                Ok(answer) => return Ok(answer),
                Err(Unsent(error)) => return Err(error),
                Err(Sent(error)) => error,
            };
            attempts += 1;
            if cancel.is_some_and(CancelToken::is_cancelled) {
                return Err(cancelled(attempts));
            }
            let server_delay = error
                .details()
                .and_then(|d| d.meta.server_delay(jiff::Timestamp::now()));
            let advice = inner.policy.advise(
                attempts,
                error.is_retryable(),
                server_delay,
                fastrand::f64(),
            );
            let pause = match advice {
                RetryAdvice::RetryAfter(pause) if !passes(deadline, pause) => pause,
                RetryAdvice::RetryAfter(pause) => {
                    events.emit(
                        Level::Warn,
                        format_args!(
                            "{request}: giving up after {attempts} attempt(s): {error}; the next \
                             attempt in {pause:?} would pass the call's time limit"
                        ),
                    );
                    return Err(error);
                }
                RetryAdvice::WaitTooLong(asked) => {
                    events.emit(
                        Level::Warn,
                        format_args!(
                            "{}: giving up: {error}; the server asks to wait {asked:?}, \
                             more than the {:?} allowed{}",
                            request,
                            inner.policy.max_retry_after,
                            RequestIdSuffix(unshown_request_id(&error))
                        ),
                    );
                    return Err(error);
                }
                RetryAdvice::NotRetryable | RetryAdvice::RetriesExhausted => {
                    events.emit(
                        Level::Warn,
                        format_args!(
                            "{}: failed after {attempts} attempt(s): {error}{}",
                            request,
                            RequestIdSuffix(unshown_request_id(&error))
                        ),
                    );
                    return Err(error);
                }
            };
            error.set_attempts(attempts);
            events.emit(
                Level::Info,
                format_args!(
                    "{}: retrying in {pause:?} after attempt {attempts}: {error}{}",
                    request,
                    RequestIdSuffix(unshown_request_id(&error))
                ),
            );
            if cancel::sleep(pause, cancel).is_err() {
                return Err(cancelled(attempts));
            }
        }
    }

    /// One request, number `attempt` of its call: a slot of the request budget (waiting at
    /// most `allowed` for it, cancellably), the request, and what its answer teaches the
    /// budget. The answer's `attempts` is `attempt`. The token never leaves in a message.
    /// The caller has attached `cancel` to the thread.
    pub(crate) fn send_once(
        &self,
        request: &ActionRequest,
        attempt: u32,
        allowed: Duration,
        deadline: Option<Instant>,
        cancel: Option<&CancelToken>,
    ) -> Result<ActionResponse, SendFailure> {
        let inner = &self.inner;
        let events = &inner.events;
        if cancel.is_some_and(CancelToken::is_cancelled) {
            return Err(Unsent(cancelled(attempt - 1)));
        }
        let mut taken = None;
        if let Some(budget) = &inner.budget {
            // A budget that puts its slot further than allowed is held to it: the slot goes
            // back, and the call is refused as if the budget had refused it.
            let taken_or_needed = budget.try_take(allowed).and_then(|slot| {
                if slot.delay > allowed {
                    budget.give_back(&slot);
                    Err(slot.delay)
                } else {
                    Ok(slot)
                }
            });
            match taken_or_needed {
                Ok(slot) => {
                    if !slot.delay.is_zero() {
                        let delay = slot.delay;
                        events.emit(
                            Level::Debug,
                            format_args!("{request}: waiting {delay:?} for the request budget"),
                        );
                        if cancel::sleep(delay, cancel).is_err() {
                            // Nothing was sent: the slot goes back to the budget.
                            budget.give_back(&slot);
                            return Err(Unsent(cancelled(attempt - 1)));
                        }
                    }
                    taken = Some(slot);
                }
                Err(needed) => {
                    events.emit(
                        Level::Warn,
                        format_args!(
                            "{request}: the request budget has no slot for {needed:?}, \
                             longer than the {allowed:?} the call allows"
                        ),
                    );
                    return Err(Unsent(Error::RateBudget {
                        needed,
                        allowed,
                        attempts: attempt - 1,
                    }));
                }
            }
        }
        // The attempt's time: what is left once the budget's wait is over.
        let timeout = deadline.map_or(inner.timeout, |deadline| {
            deadline
                .saturating_duration_since(Instant::now())
                .min(inner.timeout)
                .max(Duration::from_millis(1))
        });
        events.emit(Level::Debug, format_args!("{request}: attempt {attempt}"));
        let mut unsent = false;
        let mut outcome = self.attempt(request, timeout, &mut unsent);
        if unsent
            && outcome.is_err()
            && let (Some(budget), Some(slot)) = (&inner.budget, &taken)
        {
            // The request never left (no connection): its slot goes back to the budget.
            budget.give_back(slot);
        }
        // A server (or a proxy before it) may echo the token back: it never leaves
        // through a message, an error id or a request id.
        if inner.secret.len() >= MIN_SCRUBBED_SECRET {
            match &mut outcome {
                Ok(answer) => {
                    if let Some(id) = &mut answer.meta.request_id
                        && id.contains(inner.secret.as_str())
                    {
                        *id = id.replace(inner.secret.as_str(), "<redacted>");
                    }
                }
                Err(error) => error.scrub(&inner.secret),
            }
        }
        if let Some(budget) = &inner.budget {
            match &outcome {
                Ok(answer) => budget.observe(&answer.meta),
                Err(error) => {
                    if let Some(details) = error.details() {
                        budget.observe(&details.meta);
                    }
                }
            }
        }
        match outcome {
            Ok(mut answer) => {
                answer.attempts = attempt;
                events.emit(
                    Level::Debug,
                    format_args!(
                        "{}: {} after {attempt} attempt(s){}",
                        request,
                        answer.meta.status,
                        RequestIdSuffix(answer.request_id())
                    ),
                );
                Ok(answer)
            }
            Err(mut error) => {
                if cancel.is_some_and(CancelToken::is_cancelled) {
                    return Err(Sent(cancelled(attempt)));
                }
                error.set_attempts(attempt);
                Err(Sent(error))
            }
        }
    }

    /// One request, following redirects; the token only goes to the base URL's origin.
    /// `unsent` is set when it failed before its request was written (no connection could
    /// be made), so that nothing reached the server.
    fn attempt(
        &self,
        request: &ActionRequest,
        timeout: Duration,
        unsent: &mut bool,
    ) -> Result<ActionResponse, Error> {
        let inner = &self.inner;
        let started = Instant::now();
        let mut http_request = inner
            .template
            .as_ref()
            .and_then(|t| t.request(request.droplet_id.get(), request.action_id.get()))
            .unwrap_or_else(|| request.to_http(&inner.base_url, &inner.token, &inner.user_agent));
        let agent = inner.agent.get();
        let mut redirects = 0;
        loop {
            // The agent's own timeout serves the common case; a shorter one (a wait's
            // deadline, or the time left after a redirect) is set on the request.
            let left = timeout.saturating_sub(started.elapsed());
            if timeout != inner.timeout || redirects > 0 {
                http_request = agent
                    .configure_request(http_request)
                    .timeout_global(Some(left.max(Duration::from_millis(1))))
                    .build();
            }
            let response = agent.run(http_request).map_err(|e| {
                *unsent = redirects == 0 && before_write(&e);
                map_ureq_error(e, timeout, inner.connect_timeout)
            })?;
            if response.status().is_redirection()
                && redirects < MAX_REDIRECTS
                && let Some(next) = self.redirected(request, response.get_uri(), &response)?
            {
                redirects += 1;
                http_request = next;
                continue;
            }
            return self.read_answer(response, timeout);
        }
    }

    /// The request to send after a redirect, or `None` when the answer has no `Location`.
    fn redirected(
        &self,
        request: &ActionRequest,
        previous: &Uri,
        response: &Response<ureq::Body>,
    ) -> Result<Option<Request<()>>, Error> {
        let Some(location) = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
        else {
            return Ok(None);
        };
        let target = if location.starts_with('/') {
            let origin = format!(
                "{}://{}",
                previous.scheme_str().unwrap_or("https"),
                previous.authority().map(|a| a.as_str()).unwrap_or_default()
            );
            format!("{origin}{location}")
        } else {
            location.to_owned()
        };
        let uri: Uri = target.parse().map_err(|_| Error::Transport {
            message: format!(
                "the server redirected to an invalid location {:?}",
                redact_url(location)
            ),
            attempts: 0,
            retryable: false,
        })?;
        let inner = &self.inner;
        let refuse = |why: &str| Error::Transport {
            message: format!(
                "refusing to follow a redirect to {}: {why}",
                redact_url(&uri.to_string())
            ),
            attempts: 0,
            retryable: false,
        };
        let to_https = uri.scheme_str() == Some("https");
        if previous.scheme_str() == Some("https") && !to_https {
            return Err(refuse("it leaves https for plain http"));
        }
        if !to_https {
            let host = uri.host().unwrap_or_default();
            let plain_ok = inner.allow_insecure_http || is_loopback_host(host);
            if !plain_ok {
                return Err(refuse(
                    "plain http to a host that is not loopback (allow insecure http explicitly)",
                ));
            }
        }
        inner.events.emit(
            Level::Debug,
            format_args!(
                "{}: redirected to {}",
                request,
                redact_url(&uri.to_string())
            ),
        );
        let same_origin = match (uri.scheme_str(), uri.authority()) {
            (Some(scheme), Some(authority)) => {
                let origin = format!("{scheme}://{authority}");
                origin.eq_ignore_ascii_case(&self.inner.origin)
            }
            _ => false,
        };
        // The same request as the first one, headers and all, sent to the new location;
        // the token stays behind when that location is another origin.
        let mut next = request.to_http(&inner.base_url, &inner.token, &inner.user_agent);
        *next.uri_mut() = uri;
        if !same_origin {
            next.headers_mut().remove(header::AUTHORIZATION);
        }
        Ok(Some(next))
    }
}

/// The request id of an error when its message does not show it already.
fn unshown_request_id(error: &Error) -> Option<&str> {
    match error {
        Error::Api { .. } => None,
        other => other.request_id(),
    }
}
