//! The C ABI of droplet-action: `droplet_action_get` and friends, for C, C++ and every
//! language that can call C.
//!
//! This crate only translates: it checks pointers, converts types, calls
//! `droplet-action-transport`, maps errors to status numbers and catches panics. The
//! header `include/droplet_action.h` is generated from it by cbindgen.
//!
//! It can also be used from Rust through the same functions:
//!
//! ```
//! use ::droplet_action::{
//!     DropletStatus, droplet_action_get, droplet_action_result_free, droplet_client_builder_build,
//!     droplet_client_builder_new, droplet_client_builder_set_base_url,
//!     droplet_client_builder_set_token, droplet_client_free,
//! };
//! use std::ffi::CStr;
//!
//! let server = droplet_action_mock::MockServer::start()?;
//! let url = std::ffi::CString::new(server.base_url())?;
//! let builder = droplet_client_builder_new();
//! let mut client = std::ptr::null_mut();
//! // SAFETY: every pointer comes from this library or from live CStrings.
//! unsafe {
//!     assert_eq!(droplet_client_builder_set_token(builder, c"mock-token".as_ptr()), DropletStatus::Ok);
//!     assert_eq!(droplet_client_builder_set_base_url(builder, url.as_ptr()), DropletStatus::Ok);
//!     assert_eq!(droplet_client_builder_build(builder, &mut client), DropletStatus::Ok);
//!     let mut result = droplet_action_get(client, 3164444, 36804636);
//!     assert_eq!(result.status, DropletStatus::Ok);
//!     let action = &*result.action;
//!     assert_eq!(action.id, 36804636);
//!     assert_eq!(CStr::from_ptr(action.r#type).to_str()?, "create");
//!     droplet_action_result_free(&mut result);
//!     droplet_client_free(client);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![doc(test(attr(deny(warnings))))]

mod action;
mod boundary;
mod client;
mod control;
mod deprecated;
mod result;
mod sansio;
mod status;
mod waiter;

use std::ffi::{CStr, c_char};

pub use action::{
    droplet_action_get, droplet_action_get_with_options, droplet_action_ref, droplet_action_wait,
    droplet_action_wait_many, droplet_action_wait_with_options,
};
pub use client::{
    DROPLET_NO_PACING, droplet_client, droplet_client_builder, droplet_client_builder_build,
    droplet_client_builder_free, droplet_client_builder_new, droplet_client_builder_new_from_env,
    droplet_client_builder_set_allow_insecure_http, droplet_client_builder_set_backoff_ms,
    droplet_client_builder_set_base_url, droplet_client_builder_set_body_limit,
    droplet_client_builder_set_ca_file, droplet_client_builder_set_connect_timeout_ms,
    droplet_client_builder_set_log_callback, droplet_client_builder_set_max_retries,
    droplet_client_builder_set_proxy, droplet_client_builder_set_proxy_from_env,
    droplet_client_builder_set_requests_per_minute, droplet_client_builder_set_timeout_ms,
    droplet_client_builder_set_token, droplet_client_builder_set_user_agent, droplet_client_free,
    droplet_client_new_from_env, droplet_client_set_log_level, droplet_last_error_message,
    droplet_log_callback,
};
pub use control::{
    droplet_call_options, droplet_cancel, droplet_cancel_token, droplet_cancel_token_cancel,
    droplet_cancel_token_free, droplet_cancel_token_is_cancelled, droplet_cancel_token_new,
    droplet_poll_callback, droplet_poll_event,
};
#[allow(deprecated)]
pub use deprecated::{
    droplet_action_get_opts, droplet_action_wait_opts, droplet_actions_wait, droplet_cancel_free,
    droplet_cancel_is_triggered, droplet_cancel_new, droplet_cancel_trigger,
};
#[doc(hidden)]
pub use result::result_from_answer;
pub use result::{
    droplet_action, droplet_action_result, droplet_action_result_free, droplet_action_result_polls,
    droplet_rate_limit, droplet_region,
};
pub use sansio::{
    droplet_header, droplet_request, droplet_request_build, droplet_request_free,
    droplet_response_parse, droplet_retry_advice,
};
pub use status::{DropletActionStatus, DropletStatus, droplet_status_str};
pub use waiter::{
    DROPLET_WAIT_DONE, DROPLET_WAIT_SEND, DROPLET_WAIT_SLEEP, droplet_defaults,
    droplet_defaults_get, droplet_wait_step, droplet_waiter, droplet_waiter_feed,
    droplet_waiter_free, droplet_waiter_new, droplet_waiter_next, droplet_waiter_result,
    droplet_waiter_send,
};

/// The major version of the library this header belongs to.
pub const DROPLET_ACTION_VERSION_MAJOR: u32 = 0;
/// The minor version of the library this header belongs to.
pub const DROPLET_ACTION_VERSION_MINOR: u32 = 1;
/// The patch version of the library this header belongs to.
pub const DROPLET_ACTION_VERSION_PATCH: u32 = 0;

const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(version) => version,
        Err(_) => panic!("the package version holds no NUL byte"),
    };

/// The library's version, `"MAJOR.MINOR.PATCH"`: static, never NULL, never free it.
#[unsafe(no_mangle)]
pub extern "C" fn droplet_version() -> *const c_char {
    VERSION.as_ptr()
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_macros_match_the_package_version() {
        let version = [
            super::DROPLET_ACTION_VERSION_MAJOR,
            super::DROPLET_ACTION_VERSION_MINOR,
            super::DROPLET_ACTION_VERSION_PATCH,
        ]
        .map(|n| n.to_string())
        .join(".");
        assert_eq!(version, env!("CARGO_PKG_VERSION"));
    }
}
