//! Building, creating and freeing clients.

use std::ffi::c_char;
use std::time::Duration;

use droplet_action_model::{BaseUrl, Token};
use droplet_action_transport::{Client, ClientBuilder};

use crate::boundary::{StrArgError, ffi_boundary, str_arg};
use crate::status::DropletStatus;

/// Settings for a client, filled in by the `droplet_client_builder_set_*` functions.
/// Not thread-safe: use one builder from one thread at a time.
#[allow(non_camel_case_types)]
pub struct droplet_client_builder {
    builder: ClientBuilder,
}

/// A client for the API. Thread-safe: share one between threads; calls on it may run at
/// the same time. Connections are kept alive between calls.
#[allow(non_camel_case_types)]
pub struct droplet_client {
    pub(crate) client: Client,
}

/// Applies `change` to the builder behind `builder`, after checking the pointer.
///
/// # Safety
/// `builder` is NULL or a live builder from `droplet_client_builder_new`, used by one
/// thread at a time.
unsafe fn update(
    builder: *mut droplet_client_builder,
    change: impl FnOnce(ClientBuilder) -> Result<ClientBuilder, DropletStatus>,
) -> DropletStatus {
    // SAFETY: NULL or a live, exclusively used builder, by this function's contract.
    let Some(builder) = (unsafe { builder.as_mut() }) else {
        return DropletStatus::InvalidArgument;
    };
    let current = std::mem::take(&mut builder.builder);
    match change(current.clone()) {
        Ok(updated) => {
            builder.builder = updated;
            DropletStatus::Ok
        }
        Err(status) => {
            builder.builder = current;
            status
        }
    }
}

fn arg_status(_: StrArgError) -> DropletStatus {
    DropletStatus::InvalidArgument
}

/// Creates a builder with the default settings: base URL `https://api.digitalocean.com`,
/// 30 s timeout per attempt, 10 s to connect, 2 retries, 4 MiB body limit, no proxy.
/// Returns NULL only if memory runs out. Free it with `droplet_client_builder_free`, or
/// hand it to `droplet_client_builder_build`, which frees it.
#[unsafe(no_mangle)]
pub extern "C" fn droplet_client_builder_new() -> *mut droplet_client_builder {
    ffi_boundary!(std::ptr::null_mut(), {
        Box::into_raw(Box::new(droplet_client_builder {
            builder: ClientBuilder::default(),
        }))
    })
}

/// Sets the API token (required). The string is copied; it never appears in any message.
/// `INVALID_ARGUMENT` when `builder` or `token` is NULL, or the token is empty, not UTF-8,
/// or holds a space or control character.
///
/// # Safety
/// `builder` is NULL or a live builder; `token` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_client_builder_set_token(
    builder: *mut droplet_client_builder,
    token: *const c_char,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        // SAFETY: forwarded from this function's contract.
        unsafe {
            update(builder, |b| {
                let token = str_arg(token).map_err(arg_status)?;
                Token::new(token).map_err(|_| DropletStatus::InvalidArgument)?;
                Ok(b.token(token))
            })
        }
    })
}

/// Sets the API base URL (default `https://api.digitalocean.com`), checked now:
/// `INVALID_ARGUMENT` when NULL, not UTF-8, or not an `http`/`https` URL with a host.
/// Plain `http` is accepted for loopback hosts only, unless
/// `droplet_client_builder_set_allow_insecure_http` says otherwise (checked at build).
///
/// # Safety
/// `builder` is NULL or a live builder; `url` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_client_builder_set_base_url(
    builder: *mut droplet_client_builder,
    url: *const c_char,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        // SAFETY: forwarded from this function's contract.
        unsafe {
            update(builder, |b| {
                let url = str_arg(url).map_err(arg_status)?;
                BaseUrl::parse(url).map_err(|_| DropletStatus::InvalidArgument)?;
                Ok(b.base_url(url))
            })
        }
    })
}

/// Sets the longest one attempt may take, from connecting to the end of the body
/// (default 30000). `INVALID_ARGUMENT` for 0.
///
/// # Safety
/// `builder` is NULL or a live builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_client_builder_set_timeout_ms(
    builder: *mut droplet_client_builder,
    ms: u32,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        // SAFETY: forwarded from this function's contract.
        unsafe { update(builder, |b| Ok(b.timeout(positive_ms(ms)?))) }
    })
}

/// Sets the longest connecting may take (default 10000). `INVALID_ARGUMENT` for 0.
///
/// # Safety
/// `builder` is NULL or a live builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_client_builder_set_connect_timeout_ms(
    builder: *mut droplet_client_builder,
    ms: u32,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        // SAFETY: forwarded from this function's contract.
        unsafe { update(builder, |b| Ok(b.connect_timeout(positive_ms(ms)?))) }
    })
}

/// Sets how many times a failed request is sent again (default 2). Only connection
/// errors, 408, 429 and 5xx are retried, with exponential backoff and `retry-after`.
///
/// # Safety
/// `builder` is NULL or a live builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_client_builder_set_max_retries(
    builder: *mut droplet_client_builder,
    n: u32,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        // SAFETY: forwarded from this function's contract.
        unsafe { update(builder, |b| Ok(b.max_retries(n))) }
    })
}

/// Sets the backoff between retries: full jitter under `base_ms * 2^retry`, capped at
/// `max_ms` (default 200 and 5000). `INVALID_ARGUMENT` when `base_ms` is 0 or above `max_ms`.
///
/// # Safety
/// `builder` is NULL or a live builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_client_builder_set_backoff_ms(
    builder: *mut droplet_client_builder,
    base_ms: u32,
    max_ms: u32,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        // SAFETY: forwarded from this function's contract.
        unsafe {
            update(builder, |b| {
                if base_ms > max_ms {
                    return Err(DropletStatus::InvalidArgument);
                }
                Ok(b.backoff(positive_ms(base_ms)?, positive_ms(max_ms)?))
            })
        }
    })
}

/// Sets the largest answer body accepted, in bytes (default 4194304).
/// `INVALID_ARGUMENT` for 0.
///
/// # Safety
/// `builder` is NULL or a live builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_client_builder_set_body_limit(
    builder: *mut droplet_client_builder,
    bytes: u64,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        // SAFETY: forwarded from this function's contract.
        unsafe {
            update(builder, |b| match bytes {
                0 => Err(DropletStatus::InvalidArgument),
                bytes => Ok(b.body_limit(bytes)),
            })
        }
    })
}

/// Sets the `User-Agent` header (default `droplet-action/<version>`). The string is copied.
///
/// # Safety
/// `builder` is NULL or a live builder; `user_agent` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_client_builder_set_user_agent(
    builder: *mut droplet_client_builder,
    user_agent: *const c_char,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        // SAFETY: forwarded from this function's contract.
        unsafe {
            update(builder, |b| {
                let user_agent = str_arg(user_agent).map_err(arg_status)?;
                if user_agent.bytes().any(|c| c.is_ascii_control()) {
                    return Err(DropletStatus::InvalidArgument);
                }
                Ok(b.user_agent(user_agent))
            })
        }
    })
}

/// Sends requests through a proxy (`http://host:port`, `socks5://host:port`). No proxy
/// is used unless one is set here; the environment is never read for one.
///
/// # Safety
/// `builder` is NULL or a live builder; `proxy_url` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_client_builder_set_proxy(
    builder: *mut droplet_client_builder,
    proxy_url: *const c_char,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        // SAFETY: forwarded from this function's contract.
        unsafe {
            update(builder, |b| {
                let url = str_arg(proxy_url).map_err(arg_status)?;
                Ok(b.proxy(url))
            })
        }
    })
}

/// Allows a plain `http://` base URL to a host that is not loopback (default false: the
/// token would cross the network unencrypted).
///
/// # Safety
/// `builder` is NULL or a live builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_client_builder_set_allow_insecure_http(
    builder: *mut droplet_client_builder,
    allow: bool,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        // SAFETY: forwarded from this function's contract.
        unsafe { update(builder, |b| Ok(b.allow_insecure_http(allow))) }
    })
}

/// Builds a client and frees the builder, in every case (do not use or free `builder`
/// afterwards). On success `*client_out` receives the client, to free with
/// `droplet_client_free`; on failure nothing is written (initialise it to NULL).
/// `INVALID_ARGUMENT` when `builder` or `client_out` is NULL, no token was set, or the base
/// URL is plain `http` to a remote host without permission.
///
/// # Safety
/// `builder` is NULL or a live builder, not used again; `client_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_client_builder_build(
    builder: *mut droplet_client_builder,
    client_out: *mut *mut droplet_client,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        if builder.is_null() {
            return DropletStatus::InvalidArgument;
        }
        // SAFETY: a live builder from `droplet_client_builder_new`, handed over by the
        // caller; taken back exactly once here.
        let builder = unsafe { Box::from_raw(builder) };
        if client_out.is_null() {
            return DropletStatus::InvalidArgument;
        }
        match builder.builder.build() {
            Ok(client) => {
                let client = Box::into_raw(Box::new(droplet_client { client }));
                // SAFETY: not NULL and writable, by this function's contract.
                unsafe { client_out.write(client) };
                DropletStatus::Ok
            }
            Err(_) => DropletStatus::InvalidArgument,
        }
    })
}

/// Frees a builder that was not built. Accepts NULL.
///
/// # Safety
/// `builder` is NULL or a live builder, not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_client_builder_free(builder: *mut droplet_client_builder) {
    ffi_boundary!((), {
        if !builder.is_null() {
            // SAFETY: a live builder handed back by the caller, freed once.
            drop(unsafe { Box::from_raw(builder) });
        }
    })
}

/// Creates a client from the environment: the token from `DIGITALOCEAN_ACCESS_TOKEN`,
/// else `DIGITALOCEAN_TOKEN`; the base URL from `DIGITALOCEAN_API_URL` when set.
/// Returns NULL when no token is set or a setting is invalid. Free with
/// `droplet_client_free`.
#[unsafe(no_mangle)]
pub extern "C" fn droplet_client_new_from_env() -> *mut droplet_client {
    ffi_boundary!(std::ptr::null_mut(), {
        match Client::from_env() {
            Ok(client) => Box::into_raw(Box::new(droplet_client { client })),
            Err(_) => std::ptr::null_mut(),
        }
    })
}

/// Frees a client. Accepts NULL. No call on it may be running or start afterwards.
///
/// # Safety
/// `client` is NULL or a live client from this library, not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_client_free(client: *mut droplet_client) {
    ffi_boundary!((), {
        if !client.is_null() {
            // SAFETY: a live client handed back by the caller, freed once.
            drop(unsafe { Box::from_raw(client) });
        }
    })
}

fn positive_ms(ms: u32) -> Result<Duration, DropletStatus> {
    match ms {
        0 => Err(DropletStatus::InvalidArgument),
        ms => Ok(Duration::from_millis(u64::from(ms))),
    }
}
