//! The sans-IO waiter: one wait driven by the caller's own event loop, HTTP stack and clock,
//! on the same engine as `droplet_action_wait`. A binding waits for thousands of actions
//! with no thread per sleeping wait.

use std::time::Duration;

use droplet_action_transport::model::{DEFAULTS, WaitStep};
use droplet_action_transport::{Error, PollEvent, PollHook, WaitOptions, Waiter};

use crate::action::wait_options;
use crate::boundary::ffi_boundary;
use crate::client::{droplet_client, set_last_error};
use crate::control::{droplet_call_options, read_options};
use crate::result::{Outcome, droplet_action_result, panic_result};
use crate::sansio::{Read, droplet_header, read_response};
use crate::status::DropletStatus;

/// One wait in the caller's hands. Create it with `droplet_waiter_new`, free it with
/// `droplet_waiter_free`. Not thread-safe: one thread at a time.
#[allow(non_camel_case_types)]
pub struct droplet_waiter {
    /// `None` once the outcome was taken.
    waiter: Option<Waiter>,
    cancel: Option<droplet_action_transport::CancelToken>,
    on_poll: Option<PollHook>,
}

/// Send the request now (`droplet_request_build` makes it), then `droplet_waiter_feed`
/// what came back.
pub const DROPLET_WAIT_SEND: u32 = 0;
/// Nothing to do before `until_ms`; then call `droplet_waiter_next` again.
pub const DROPLET_WAIT_SLEEP: u32 = 1;
/// The wait is over: `droplet_waiter_result` gives its outcome.
pub const DROPLET_WAIT_DONE: u32 = 2;

/// What a waiter asks of its caller, from `droplet_waiter_next`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
#[allow(non_camel_case_types)]
pub struct droplet_wait_step {
    /// `DROPLET_WAIT_SEND`, `DROPLET_WAIT_SLEEP` or `DROPLET_WAIT_DONE`.
    pub kind: u32,
    /// SEND: the longest the request may take, in ms: one attempt's limit
    /// (`droplet_defaults_get().timeout_ms`), or what the deadline leaves if less; at least 1.
    pub timeout_ms: u32,
    /// SLEEP: when to call `droplet_waiter_next` again, on the caller's clock (ms).
    pub until_ms: u64,
}

fn ms_rounded_up(duration: Duration) -> u64 {
    let whole = ms(duration);
    if duration > Duration::from_millis(whole) {
        whole.saturating_add(1)
    } else {
        whole
    }
}

fn ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Creates a waiter for one action at `now_ms` on the caller's monotonic clock (any
/// origin, in milliseconds, never going back): the deadline (`options->timeout_ms`, 0: ten
/// minutes), the poll interval (`options->poll_interval_ms`, 0: 3000 ms) and the cancel
/// token (checked at each `droplet_waiter_next`) and the poll callback (called by
/// `droplet_waiter_feed` and `droplet_waiter_send`) are `droplet_action_wait_with_options`'s; retries
/// and pauses follow the defaults of `droplet_defaults_get`, or, once a request goes through
/// `droplet_waiter_send`, the settings of the client that sent it. NULL for an id below 1, invalid
/// options, or a deadline (`now_ms` plus the timeout) past `UINT64_MAX`
/// (`droplet_last_error_message` says why). Free it with `droplet_waiter_free`.
///
/// # Safety
/// `options` is NULL or as for `droplet_action_wait_with_options`; its token must outlive the
/// waiter.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_waiter_new(
    droplet_id: i64,
    action_id: i64,
    options: *const droplet_call_options,
    now_ms: u64,
) -> *mut droplet_waiter {
    ffi_boundary!(std::ptr::null_mut(), {
        // SAFETY: forwarded from this function's contract.
        let options = match unsafe { read_options(options) } {
            Ok(options) => options,
            Err(message) => {
                set_last_error(&format!("waiter_new: {message}"));
                return std::ptr::null_mut();
            }
        };
        let wait: WaitOptions = wait_options(&options);
        // The caller's clock is u64 milliseconds: the deadline must be a time on it.
        if now_ms.checked_add(ms(wait.timeout())).is_none() {
            set_last_error(
                "waiter_new: invalid argument: the deadline (now plus the timeout) lies beyond \
                 the clock's range",
            );
            return std::ptr::null_mut();
        }
        match Waiter::new(droplet_id, action_id, &wait, Duration::from_millis(now_ms)) {
            Ok(waiter) => {
                set_last_error("");
                Box::into_raw(Box::new(droplet_waiter {
                    waiter: Some(waiter),
                    cancel: options.cancel.clone(),
                    on_poll: options.on_poll.clone(),
                }))
            }
            Err(error) => {
                set_last_error(&format!("waiter_new: {error}"));
                std::ptr::null_mut()
            }
        }
    })
}

/// What to do at `now_ms`: fills `*step`. `INVALID_ARGUMENT` for a NULL pointer or a
/// waiter whose result was taken. Asked again after SEND without a feed, it says SEND again
/// (the request still counts once).
///
/// # Safety
/// `waiter` is NULL or a live waiter; `step` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_waiter_next(
    waiter: *mut droplet_waiter,
    now_ms: u64,
    step: *mut droplet_wait_step,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        // SAFETY: NULL or a live waiter used by one thread, by this function's contract.
        let (Some(waiter), false) = (unsafe { waiter.as_mut() }, step.is_null()) else {
            return DropletStatus::InvalidArgument;
        };
        let Some(inner) = waiter.waiter.as_mut() else {
            return DropletStatus::InvalidArgument;
        };
        if waiter.cancel.as_ref().is_some_and(|c| c.is_cancelled()) {
            inner.cancel();
        }
        let out = match inner.next(Duration::from_millis(now_ms)) {
            WaitStep::Send { timeout } => droplet_wait_step {
                kind: DROPLET_WAIT_SEND,
                // One attempt's limit, or what the deadline leaves if less.
                timeout_ms: u32::try_from(ms(
                    timeout.map_or(DEFAULTS.timeout, |t| t.min(DEFAULTS.timeout))
                ))
                .unwrap_or(u32::MAX)
                .max(1),
                until_ms: now_ms,
            },
            WaitStep::Sleep { until } => droplet_wait_step {
                kind: DROPLET_WAIT_SLEEP,
                timeout_ms: 0,
                // Rounded up: asked again at `until_ms`, the waiter is due.
                until_ms: ms_rounded_up(until),
            },
            WaitStep::Done(_) => droplet_wait_step {
                kind: DROPLET_WAIT_DONE,
                timeout_ms: 0,
                until_ms: now_ms,
            },
        };
        // SAFETY: writable, by this function's contract.
        unsafe { step.write(out) };
        DropletStatus::Ok
    })
}

/// Feeds what the request of the last SEND brought back, at `now_ms`: the answer's status,
/// headers and body, read as `droplet_response_parse` reads them; `http_status` 0 means no
/// answer came (the connection failed or the request timed out), and the rest is ignored.
/// Ignored when no request is out. `INVALID_ARGUMENT` for NULL pointers (the waiter is
/// unchanged).
///
/// # Safety
/// `waiter` is NULL or a live waiter; `headers`, `body` as for `droplet_response_parse`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_waiter_feed(
    waiter: *mut droplet_waiter,
    now_ms: u64,
    http_status: u16,
    headers: *const droplet_header,
    headers_len: usize,
    body: *const u8,
    body_len: usize,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        // SAFETY: NULL or a live waiter used by one thread, by this function's contract.
        let Some(waiter) = (unsafe { waiter.as_mut() }) else {
            return DropletStatus::InvalidArgument;
        };
        let Some(inner) = waiter.waiter.as_mut() else {
            return DropletStatus::InvalidArgument;
        };
        let outcome = if http_status == 0 {
            Err(Error::Transport {
                message: "no answer".to_owned(),
                attempts: 1,
                retryable: true,
            })
        } else {
            // SAFETY: forwarded from this function's contract.
            match unsafe { read_response(http_status, headers, headers_len, body, body_len) } {
                Read::Answer(answer) => answer,
                Read::Refused(DropletStatus::InvalidArgument, message) => {
                    set_last_error(&format!("waiter_feed: {message}"));
                    return DropletStatus::InvalidArgument;
                }
                Read::Refused(_, message) => Err(Error::Transport {
                    message,
                    attempts: 1,
                    retryable: false,
                }),
            }
        };
        let event = inner.feed(Duration::from_millis(now_ms), outcome);
        report(waiter.on_poll.as_ref(), event);
        DropletStatus::Ok
    })
}

/// Hands a poll's event to the caller's callback, if both are there.
fn report(on_poll: Option<&PollHook>, event: Option<PollEvent>) {
    if let (Some(hook), Some(event)) = (on_poll, event) {
        hook(&event);
    }
}

/// Sends the request the waiter asked for (SEND) through `client` (its connections, TLS,
/// proxy and request budget; one attempt, no retry: the waiter decides those, from then on
/// with the client's retries, backoff and longest pause) and feeds it
/// what came back: the blocking alternative to building the request and feeding the
/// answer yourself. `now_ms` is the caller's clock when the call starts. Blocks for the
/// request; a binding runs it on a thread of its own, and everything else of the wait on
/// its event loop. The waiter's cancel token ends it within about 20 ms. Does nothing when
/// the waiter did not ask for a request. `INVALID_ARGUMENT` for NULL pointers.
///
/// # Safety
/// `client` is NULL or a live client; `waiter` is NULL or a live waiter used by no other
/// thread meanwhile.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_waiter_send(
    client: *const droplet_client,
    waiter: *mut droplet_waiter,
    now_ms: u64,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        // SAFETY: NULL or live objects, by this function's contract.
        let (Some(client), Some(waiter)) = (unsafe { client.as_ref() }, unsafe { waiter.as_mut() })
        else {
            return DropletStatus::InvalidArgument;
        };
        let Some(inner) = waiter.waiter.as_mut() else {
            return DropletStatus::InvalidArgument;
        };
        let event =
            client
                .client
                .send_for(inner, Duration::from_millis(now_ms), waiter.cancel.as_ref());
        report(waiter.on_poll.as_ref(), event);
        DropletStatus::Ok
    })
}

/// The outcome once `droplet_waiter_next` said DONE, at `now_ms`, exactly as
/// `droplet_action_wait_with_options` reports it (the last action seen, the last HTTP status, the
/// polls and all the requests); free it with `droplet_action_result_free`. Taken once: the
/// waiter is then spent (free it). Before DONE, or taken twice: `INVALID_ARGUMENT`.
///
/// # Safety
/// `waiter` is NULL or a live waiter.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_waiter_result(
    waiter: *mut droplet_waiter,
    now_ms: u64,
) -> droplet_action_result {
    ffi_boundary!(panic_result(), {
        let refused = |message: &str| {
            Outcome::rejected(DropletStatus::InvalidArgument, message.to_owned()).into_result()
        };
        // SAFETY: NULL or a live waiter used by one thread, by this function's contract.
        let Some(waiter) = (unsafe { waiter.as_mut() }) else {
            return refused("invalid argument: waiter is NULL");
        };
        let Some(inner) = waiter.waiter.as_mut() else {
            return refused("invalid argument: the waiter's result was taken");
        };
        if !matches!(inner.next(Duration::from_millis(now_ms)), WaitStep::Done(_)) {
            return refused("invalid argument: the wait is not over");
        }
        let inner = waiter.waiter.take().expect("checked above");
        match inner.finish(Duration::from_millis(now_ms)) {
            Ok(mut answer) => Outcome::from_answer_taking_body(&mut answer).into_result(),
            Err(error) => Outcome::from_error(&error).into_result(),
        }
    })
}

/// Frees a waiter. Accepts NULL.
///
/// # Safety
/// `waiter` is NULL or a live waiter, not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_waiter_free(waiter: *mut droplet_waiter) {
    ffi_boundary!((), {
        if !waiter.is_null() {
            // SAFETY: a live waiter handed back by the caller, freed once.
            drop(unsafe { Box::from_raw(waiter) });
        }
    })
}

/// The library's defaults, in milliseconds and counts: the values every call uses when not
/// told otherwise. Bindings read them here rather than restating them.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(non_camel_case_types)]
pub struct droplet_defaults {
    /// The longest one attempt may take.
    pub timeout_ms: u64,
    /// The longest connecting may take.
    pub connect_timeout_ms: u64,
    /// Failed attempts sent again.
    pub max_retries: u32,
    /// The first backoff pause, doubling with each retry.
    pub backoff_base_ms: u64,
    /// The longest backoff pause.
    pub backoff_max_ms: u64,
    /// The longest pause a server may ask for that a call honours.
    pub max_retry_after_ms: u64,
    /// The largest answer body read, in bytes.
    pub body_limit: u64,
    /// A wait's deadline.
    pub wait_timeout_ms: u64,
    /// The pause between two polls of a wait.
    pub poll_interval_ms: u64,
    /// Requests a minute for one token (DigitalOcean's limit).
    pub requests_per_minute: u32,
    /// Requests an hour for one token (DigitalOcean's limit).
    pub requests_per_hour: u32,
}

/// The library's defaults.
#[unsafe(no_mangle)]
pub extern "C" fn droplet_defaults_get() -> droplet_defaults {
    droplet_defaults {
        timeout_ms: ms(DEFAULTS.timeout),
        connect_timeout_ms: ms(DEFAULTS.connect_timeout),
        max_retries: DEFAULTS.max_retries,
        backoff_base_ms: ms(DEFAULTS.backoff_base),
        backoff_max_ms: ms(DEFAULTS.backoff_max),
        max_retry_after_ms: ms(DEFAULTS.max_retry_after),
        body_limit: DEFAULTS.body_limit,
        wait_timeout_ms: ms(DEFAULTS.wait_timeout),
        poll_interval_ms: ms(DEFAULTS.poll_interval),
        requests_per_minute: DEFAULTS.requests_per_minute,
        requests_per_hour: DEFAULTS.requests_per_hour,
    }
}
