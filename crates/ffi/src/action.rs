//! Retrieving and waiting for an action.

use std::time::Duration;

use droplet_action_transport::WaitOptions;

use crate::boundary::ffi_boundary;
use crate::client::droplet_client;
use crate::result::{Outcome, droplet_action_result, panic_result};
use crate::status::DropletStatus;

const DEFAULT_POLL_INTERVAL_MS: u32 = 3000;

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
        match client.client.get_droplet_action(droplet_id, action_id) {
            Ok(answer) => Outcome::from_answer(&answer).into_result(),
            Err(error) => Outcome::from_error(&error).into_result(),
        }
    })
}

/// Polls an action every `poll_interval_ms` (0 means 3000) until it finishes or
/// `timeout_ms` passes. Blocks until then.
///
/// `OK` when it completed; `ACTION_ERRORED` when it ended errored (`action` holds it);
/// `TIMEOUT` when the deadline passed (`action` holds the last state seen, or is NULL if
/// no answer came). Transient failures are retried within the deadline; others (404, 401,
/// a body that is not an action) end the wait with their own status. `attempts`,
/// `http_status`, `rate_limit` and `raw_body` describe the last poll; a poll cut short by
/// the deadline after an answer came does not count.
/// `INVALID_ARGUMENT` for a NULL client, an id below 1, or `timeout_ms` 0.
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
        if timeout_ms == 0 {
            return Outcome::rejected(
                DropletStatus::InvalidArgument,
                "invalid argument: timeout_ms must be greater than 0".to_owned(),
            )
            .into_result();
        }
        let interval = match poll_interval_ms {
            0 => DEFAULT_POLL_INTERVAL_MS,
            ms => ms,
        };
        let options = WaitOptions::new(Duration::from_millis(u64::from(timeout_ms)))
            .poll_interval(Duration::from_millis(u64::from(interval)));
        match client
            .client
            .wait_for_droplet_action(droplet_id, action_id, options)
        {
            Ok(answer) => Outcome::from_answer(&answer).into_result(),
            Err(error) => Outcome::from_error(&error).into_result(),
        }
    })
}

fn null_client() -> droplet_action_result {
    Outcome::rejected(
        DropletStatus::InvalidArgument,
        "invalid argument: client is NULL".to_owned(),
    )
    .into_result()
}
