//! The C names of earlier versions, kept as aliases of the names that replaced them so that
//! programs compiled or written against them keep working. Each is marked deprecated in
//! the header (define `DROPLET_ACTION_NO_DEPRECATION_WARNINGS` to silence the warnings).

use crate::action::{
    droplet_action_get_with_options, droplet_action_ref, droplet_action_wait_many,
    droplet_action_wait_with_options,
};
use crate::client::droplet_client;
use crate::control::{
    droplet_call_options, droplet_cancel, droplet_cancel_token_cancel, droplet_cancel_token_free,
    droplet_cancel_token_is_cancelled, droplet_cancel_token_new,
};
use crate::result::droplet_action_result;
use crate::status::DropletStatus;

/// Deprecated: `droplet_action_get_with_options`.
///
/// # Safety
/// As `droplet_action_get_with_options`.
#[deprecated(note = "use droplet_action_get_with_options")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_action_get_opts(
    client: *const droplet_client,
    droplet_id: i64,
    action_id: i64,
    options: *const droplet_call_options,
) -> droplet_action_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { droplet_action_get_with_options(client, droplet_id, action_id, options) }
}

/// Deprecated: `droplet_action_wait_with_options`.
///
/// # Safety
/// As `droplet_action_wait_with_options`.
#[deprecated(note = "use droplet_action_wait_with_options")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_action_wait_opts(
    client: *const droplet_client,
    droplet_id: i64,
    action_id: i64,
    options: *const droplet_call_options,
) -> droplet_action_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { droplet_action_wait_with_options(client, droplet_id, action_id, options) }
}

/// Deprecated: `droplet_action_wait_many`.
///
/// # Safety
/// As `droplet_action_wait_many`.
#[deprecated(note = "use droplet_action_wait_many")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_actions_wait(
    client: *const droplet_client,
    refs: *const droplet_action_ref,
    n: usize,
    options: *const droplet_call_options,
    results: *mut droplet_action_result,
) -> DropletStatus {
    // SAFETY: forwarded from this function's contract.
    unsafe { droplet_action_wait_many(client, refs, n, options, results) }
}

/// Deprecated: `droplet_cancel_token_new`.
#[deprecated(note = "use droplet_cancel_token_new")]
#[unsafe(no_mangle)]
pub extern "C" fn droplet_cancel_new() -> *mut droplet_cancel {
    droplet_cancel_token_new()
}

/// Deprecated: `droplet_cancel_token_cancel` (async-signal-safe as well).
///
/// # Safety
/// As `droplet_cancel_token_cancel`.
#[deprecated(note = "use droplet_cancel_token_cancel")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_cancel_trigger(cancel: *const droplet_cancel) {
    // SAFETY: forwarded from this function's contract.
    unsafe { droplet_cancel_token_cancel(cancel) }
}

/// Deprecated: `droplet_cancel_token_is_cancelled`.
///
/// # Safety
/// As `droplet_cancel_token_is_cancelled`.
#[deprecated(note = "use droplet_cancel_token_is_cancelled")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_cancel_is_triggered(cancel: *const droplet_cancel) -> bool {
    // SAFETY: forwarded from this function's contract.
    unsafe { droplet_cancel_token_is_cancelled(cancel) }
}

/// Deprecated: `droplet_cancel_token_free`.
///
/// # Safety
/// As `droplet_cancel_token_free`.
#[deprecated(note = "use droplet_cancel_token_free")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_cancel_free(cancel: *mut droplet_cancel) {
    // SAFETY: forwarded from this function's contract.
    unsafe { droplet_cancel_token_free(cancel) }
}
