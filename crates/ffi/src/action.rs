//! Retrieving and waiting for an action.

use std::time::Duration;

use droplet_action_transport::model::DEFAULTS;
use droplet_action_transport::{CallOptions as GetOptions, WaitOptions};

use crate::boundary::ffi_boundary;
use crate::client::droplet_client;
use crate::control::{CallOptions, droplet_call_options, read_options};
use crate::result::{Outcome, droplet_action_result, panic_result};
use crate::status::DropletStatus;

/// Retrieves one action: `GET /v2/droplets/{droplet_id}/actions/{action_id}`, with the
/// client's retries and timeouts. Blocks until done.
///
/// Always returns a result; free it with `droplet_action_result_free`. `status` is
/// `DROPLET_STATUS_OK` with `action` set, or says what failed (`INVALID_ARGUMENT` for a
/// NULL client or an id below 1, before anything is sent).
///
/// # Safety
/// `client` is NULL or a live client from this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_action_get(
    client: *const droplet_client,
    droplet_id: i64,
    action_id: i64,
) -> droplet_action_result {
    ffi_boundary!(panic_result(), {
        // SAFETY: NULL or a live client, by this function's contract; shared access only.
        let Some(client) = (unsafe { client.as_ref() }) else {
            return null_client();
        };
        get(client, droplet_id, action_id, &CallOptions::default())
    })
}

/// `droplet_action_get` with per-call options (NULL: none): a cancel token, and a limit on
/// the whole call, retries and pauses included. `DROPLET_STATUS_CANCELLED` when the token
/// was triggered; `INVALID_ARGUMENT` for a wrong `options->size` or unknown non-zero
/// bytes past the fields this library knows.
///
/// # Safety
/// `client` is NULL or a live client; `options` is NULL or points to a
/// `droplet_call_options` of `options->size` bytes whose `cancel` is NULL or a live token.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_action_get_with_options(
    client: *const droplet_client,
    droplet_id: i64,
    action_id: i64,
    options: *const droplet_call_options,
) -> droplet_action_result {
    ffi_boundary!(panic_result(), {
        // SAFETY: forwarded from this function's contract.
        unsafe {
            with_options(client, options, |client, options| {
                get(client, droplet_id, action_id, options)
            })
        }
    })
}

fn get(
    client: &droplet_client,
    droplet_id: i64,
    action_id: i64,
    options: &CallOptions,
) -> droplet_action_result {
    let outcome = if options.cancel.is_none() && options.timeout.is_none() {
        client.client.get(droplet_id, action_id)
    } else {
        let mut get = GetOptions::new();
        if let Some(cancel) = &options.cancel {
            get = get.cancel(cancel);
        }
        if let Some(timeout) = options.timeout {
            get = get.timeout(timeout);
        }
        client.client.get_with_options(droplet_id, action_id, &get)
    };
    match outcome {
        Ok(mut answer) => Outcome::from_answer_taking_body(&mut answer).into_result(),
        Err(error) => Outcome::from_error(&error).into_result(),
    }
}

/// Polls an action every `poll_interval_ms` (0: the default, 3000) until it finishes or
/// `timeout_ms` passes (0: the default, 600000, ten minutes). Blocks until then.
///
/// `OK` when it completed; `ACTION_ERRORED` when it ended errored (`action` holds it);
/// `TIMEOUT` when the deadline passed (`action` holds the last state seen, or is NULL if
/// no answer came). Transient failures are retried within the deadline; others (404, 401,
/// a body that is not an action) end the wait with their own status. `attempts` counts
/// every request of the wait (`droplet_action_result_polls` the polls); `http_status`,
/// `rate_limit` and `raw_body` describe the last response; a poll cut short by the deadline
/// after a response came does not count.
/// `INVALID_ARGUMENT` for a NULL client or an id below 1.
///
/// # Safety
/// `client` is NULL or a live client from this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_action_wait(
    client: *const droplet_client,
    droplet_id: i64,
    action_id: i64,
    timeout_ms: u32,
    poll_interval_ms: u32,
) -> droplet_action_result {
    ffi_boundary!(panic_result(), {
        // SAFETY: NULL or a live client, by this function's contract; shared access only.
        let Some(client) = (unsafe { client.as_ref() }) else {
            return null_client();
        };
        let ms = |value: u32| (value > 0).then(|| Duration::from_millis(u64::from(value)));
        let options = CallOptions {
            timeout: ms(timeout_ms),
            poll_interval: ms(poll_interval_ms),
            ..CallOptions::default()
        };
        wait(client, droplet_id, action_id, &options)
    })
}

/// `droplet_action_wait` with per-call options (NULL: none): a cancel token, the deadline
/// (`timeout_ms`, 0: ten minutes) and the poll interval (0: 3000 ms).
/// `DROPLET_STATUS_CANCELLED` when the token was cancelled (`action` holds the last state
/// seen, if any); otherwise as `droplet_action_wait`.
///
/// # Safety
/// `client` is NULL or a live client; `options` is NULL or points to a
/// `droplet_call_options` of `options->size` bytes whose `cancel` is NULL or a live token.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_action_wait_with_options(
    client: *const droplet_client,
    droplet_id: i64,
    action_id: i64,
    options: *const droplet_call_options,
) -> droplet_action_result {
    ffi_boundary!(panic_result(), {
        // SAFETY: forwarded from this function's contract.
        unsafe {
            with_options(client, options, |client, options| {
                wait(client, droplet_id, action_id, options)
            })
        }
    })
}

/// Checks the client and reads the options of a `*_with_options` call, then makes it.
///
/// # Safety
/// `client` is NULL or a live client; `options` is NULL or a caller's options whose
/// `cancel` is NULL or a live token.
unsafe fn with_options(
    client: *const droplet_client,
    options: *const droplet_call_options,
    call: impl FnOnce(&droplet_client, &CallOptions) -> droplet_action_result,
) -> droplet_action_result {
    // SAFETY: NULL or a live client, by this function's contract; shared access only.
    let Some(client) = (unsafe { client.as_ref() }) else {
        return null_client();
    };
    // SAFETY: forwarded from this function's contract.
    match unsafe { read_options(options) } {
        Ok(options) => call(client, &options),
        Err(message) => Outcome::rejected(DropletStatus::InvalidArgument, message).into_result(),
    }
}

/// The wait options the C options stand for.
pub(crate) fn wait_options(options: &CallOptions) -> WaitOptions {
    let mut wait = WaitOptions::new(options.timeout.unwrap_or(DEFAULTS.wait_timeout))
        .poll_interval(options.poll_interval.unwrap_or(DEFAULTS.poll_interval));
    if let Some(cancel) = &options.cancel {
        wait = wait.cancel(cancel);
    }
    if let Some(hook) = &options.on_poll {
        wait = wait.on_poll(hook.clone());
    }
    wait
}

fn wait(
    client: &droplet_client,
    droplet_id: i64,
    action_id: i64,
    options: &CallOptions,
) -> droplet_action_result {
    match client
        .client
        .wait(droplet_id, action_id, wait_options(options))
    {
        Ok(mut answer) => Outcome::from_answer_taking_body(&mut answer).into_result(),
        Err(error) => Outcome::from_error(&error).into_result(),
    }
}

pub(crate) fn null_client() -> droplet_action_result {
    Outcome::rejected(
        DropletStatus::InvalidArgument,
        "invalid argument: client is NULL".to_owned(),
    )
    .into_result()
}

/// One action to wait for: its droplet and its id.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(non_camel_case_types)]
pub struct droplet_action_ref {
    /// The droplet the action belongs to.
    pub droplet_id: i64,
    /// The action.
    pub action_id: i64,
}

/// Waits for `n` actions at once under the client's one rate budget and connection pool,
/// polling in turn (the one that started earliest first) until each finishes, the shared
/// deadline passes (`options->timeout_ms`, 0: ten minutes) or the token is cancelled.
/// Every `results[i]` is filled as `droplet_action_wait_with_options` would fill it for
/// `refs[i]` alone (free each one with `droplet_action_result_free`).
///
/// Returns `OK` when every action completed, else the status of the first result, in array
/// order, that is not `OK`. `INVALID_ARGUMENT`, with `results` untouched, when `refs` or
/// `results` is NULL or `n` is 0.
///
/// # Safety
/// `client` is NULL or a live client; `refs` is NULL or points to `n` refs; `options` as for
/// `droplet_action_wait_with_options`; `results` is NULL or points to `n` writable results.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_action_wait_many(
    client: *const droplet_client,
    refs: *const droplet_action_ref,
    n: usize,
    options: *const droplet_call_options,
    results: *mut droplet_action_result,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        if refs.is_null() || results.is_null() || n == 0 {
            return DropletStatus::InvalidArgument;
        }
        // SAFETY: `n` refs and `n` writable results, by this function's contract.
        let (refs, results) = unsafe {
            (
                std::slice::from_raw_parts(refs, n),
                std::slice::from_raw_parts_mut(results, n),
            )
        };
        // SAFETY: NULL or a live client, by this function's contract; shared access only.
        let Some(client) = (unsafe { client.as_ref() }) else {
            return fill_all(results, null_client);
        };
        // SAFETY: forwarded from this function's contract.
        let options = match unsafe { read_options(options) } {
            Ok(options) => options,
            Err(message) => {
                return fill_all(results, || {
                    Outcome::rejected(DropletStatus::InvalidArgument, message.clone()).into_result()
                });
            }
        };
        let pairs: Vec<(i64, i64)> = refs.iter().map(|r| (r.droplet_id, r.action_id)).collect();
        let outcomes = client.client.wait_many(&pairs, wait_options(&options));
        let mut first_failure = DropletStatus::Ok;
        for (slot, outcome) in results.iter_mut().zip(outcomes) {
            let result = match outcome {
                Ok(answer) => Outcome::from_answer(&answer).into_result(),
                Err(error) => Outcome::from_error(&error).into_result(),
            };
            if first_failure == DropletStatus::Ok {
                first_failure = result.status;
            }
            // SAFETY: a writable slot of the caller's array; whatever it held is not ours.
            unsafe { std::ptr::write(slot, result) };
        }
        first_failure
    })
}

/// Fills every result with the same failure; returns its status.
fn fill_all(
    results: &mut [droplet_action_result],
    make: impl Fn() -> droplet_action_result,
) -> DropletStatus {
    let mut status = DropletStatus::InvalidArgument;
    for slot in results.iter_mut() {
        let result = make();
        status = result.status;
        // SAFETY: a writable slot of the caller's array; whatever it held is not ours.
        unsafe { std::ptr::write(slot, result) };
    }
    status
}
