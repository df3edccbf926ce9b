//! Building, creating and freeing clients.

use std::cell::RefCell;
use std::ffi::{CString, c_char, c_void};
use std::sync::Arc;
use std::time::Duration;

use droplet_action_model::{BaseUrl, DEFAULTS, Token, UserAgent};
use droplet_action_transport::{Client, ClientBuilder, Level};

use crate::boundary::{StrArgError, ffi_boundary, str_arg};
use crate::status::DropletStatus;

thread_local! {
    /// Why the last builder call, build or `from_env` on this thread failed.
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Records why a builder call failed, for `droplet_last_error_message`.
pub(crate) fn set_last_error(message: &str) {
    let message = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    LAST_ERROR.with(|last| *last.borrow_mut() = message);
}

/// Why the last failed builder call (a `droplet_client_builder_set_*`,
/// `droplet_client_builder_build`, `droplet_client_new_from_env`, `droplet_request_build`,
/// `droplet_waiter_new` or `droplet_waiter_feed`) on this thread failed: the setting and the reason, never the
/// token or proxy credentials. `""` after a successful build or `from_env`. Never NULL;
/// thread-local: valid until the next such call on this thread; never free it.
#[unsafe(no_mangle)]
pub extern "C" fn droplet_last_error_message() -> *const c_char {
    ffi_boundary!(c"".as_ptr(), {
        LAST_ERROR.with(|last| last.borrow().as_ptr())
    })
}

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
    setting: &str,
    change: impl FnOnce(ClientBuilder) -> Result<ClientBuilder, String>,
) -> DropletStatus {
    // SAFETY: NULL or a live, exclusively used builder, by this function's contract.
    let Some(builder) = (unsafe { builder.as_mut() }) else {
        set_last_error(&format!("{setting}: the builder is NULL"));
        return DropletStatus::InvalidArgument;
    };
    let current = std::mem::take(&mut builder.builder);
    match change(current.clone()) {
        Ok(updated) => {
            builder.builder = updated;
            DropletStatus::Ok
        }
        Err(reason) => {
            builder.builder = current;
            set_last_error(&format!("{setting}: {reason}"));
            DropletStatus::InvalidArgument
        }
    }
}

fn arg_error(error: StrArgError) -> String {
    match error {
        StrArgError::Null => "the string is NULL".to_owned(),
        StrArgError::NotUtf8 => "the string is not UTF-8".to_owned(),
    }
}

/// Creates a builder with the default settings: base URL `https://api.digitalocean.com`,
/// 30 s timeout per attempt, 10 s to connect, 2 retries, 4 MiB body limit, no proxy.
/// Returns NULL only if memory runs out. Free it with `droplet_client_builder_free`, or
/// hand it to `droplet_client_builder_build`, which frees it.
#[unsafe(no_mangle)]
pub extern "C" fn droplet_client_builder_new() -> *mut droplet_client_builder {
    ffi_boundary!(std::ptr::null_mut(), { boxed(ClientBuilder::default()) })
}

/// A builder handed to the caller.
fn boxed(builder: ClientBuilder) -> *mut droplet_client_builder {
    Box::into_raw(Box::new(droplet_client_builder { builder }))
}

/// Creates a builder configured from the environment, as `droplet_client_new_from_env`
/// reads it (the token from `DIGITALOCEAN_ACCESS_TOKEN`, else `DIGITALOCEAN_TOKEN`; the base
/// URL from `DIGITALOCEAN_API_URL` when set), the rest as `droplet_client_builder_new`:
/// setters called afterwards win over the environment. With no token in the environment,
/// the build fails and names the variables, unless a token is set. Returns NULL only if
/// memory runs out.
#[unsafe(no_mangle)]
pub extern "C" fn droplet_client_builder_new_from_env() -> *mut droplet_client_builder {
    ffi_boundary!(std::ptr::null_mut(), { boxed(Client::builder_from_env()) })
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
            update(builder, "token", |b| {
                let token = str_arg(token).map_err(arg_error)?;
                Token::new(token).map_err(|e| e.to_string())?;
                Ok(b.token(token))
            })
        }
    })
}

/// Sets the API base URL (default `https://api.digitalocean.com`), checked now:
/// `INVALID_ARGUMENT` when NULL, not UTF-8, not an `http`/`https` URL with a host, or with
/// a port that is not a number from 1 to 65535.
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
            update(builder, "base_url", |b| {
                let url = str_arg(url).map_err(arg_error)?;
                BaseUrl::parse(url).map_err(|e| e.to_string())?;
                Ok(b.base_url(url))
            })
        }
    })
}

/// Sets the longest one attempt may take, from connecting to the end of the body
/// (0: the default, 30000).
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
        unsafe {
            update(builder, "timeout_ms", |b| {
                Ok(b.timeout(ms_or(ms, DEFAULTS.timeout)))
            })
        }
    })
}

/// Sets the longest connecting may take (0: the default, 10000).
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
        unsafe {
            update(builder, "connect_timeout_ms", |b| {
                Ok(b.connect_timeout(ms_or(ms, DEFAULTS.connect_timeout)))
            })
        }
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
        unsafe { update(builder, "max_retries", |b| Ok(b.max_retries(n))) }
    })
}

/// Sets the backoff between retries: full jitter under `base_ms * 2^retry`, capped at
/// `max_ms` (0: the default, 200 and 5000). `INVALID_ARGUMENT` when the base is above the
/// maximum.
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
            update(builder, "backoff_ms", |b| {
                let base = ms_or(base_ms, DEFAULTS.backoff_base);
                let max = ms_or(max_ms, DEFAULTS.backoff_max);
                if base > max {
                    return Err(format!(
                        "base {} ms is above max {} ms",
                        base.as_millis(),
                        max.as_millis()
                    ));
                }
                Ok(b.backoff(base, max))
            })
        }
    })
}

/// Sets the largest response body accepted, in bytes (0: the default, 4194304).
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
            update(builder, "body_limit", |b| {
                Ok(b.body_limit(match bytes {
                    0 => DEFAULTS.body_limit,
                    bytes => bytes,
                }))
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
            update(builder, "user_agent", |b| {
                let user_agent = str_arg(user_agent).map_err(arg_error)?;
                UserAgent::new(user_agent).map_err(|e| e.to_string())?;
                Ok(b.user_agent(user_agent))
            })
        }
    })
}

/// Sends requests through a proxy: `http://[user:password@]host:port` (CONNECT),
/// `socks4://`, `socks4a://`, `socks5://` or `socks5h://` (the proxy resolves the name).
/// Checked now: `INVALID_ARGUMENT` for a URL that is not one of these. Every request then
/// goes through the proxy, or fails; none goes around it. No proxy is used unless one is
/// set here or `droplet_client_builder_set_proxy_from_env` asks for the environment's; the
/// later of the two calls wins. Credentials never appear in messages.
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
            update(builder, "proxy", |b| {
                let url = str_arg(proxy_url).map_err(arg_error)?;
                droplet_action_transport::check_proxy(url).map_err(|e| e.to_string())?;
                Ok(b.proxy(url))
            })
        }
    })
}

/// `true`: the proxy is the one the environment names for the base URL, read when the
/// client is built, as curl reads it: `https_proxy`, `HTTPS_PROXY`, `all_proxy`, `ALL_PROXY`
/// (for a plain `http` base URL: `http_proxy`, `all_proxy`, `ALL_PROXY`), the first one set
/// and not empty, unless `no_proxy` (else `NO_PROXY`) lists the host: `*` for every host,
/// names that match themselves and the names below them (a leading dot is ignored), IP
/// addresses and `address/bits` networks. A proxy named without a scheme is `http://`. A
/// malformed one fails `droplet_client_builder_build` with `INVALID_ARGUMENT`, naming the
/// variable (never its credentials). `false` (the default): no proxy. Either replaces a
/// proxy set with `droplet_client_builder_set_proxy`.
///
/// # Safety
/// `builder` is NULL or a live builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_client_builder_set_proxy_from_env(
    builder: *mut droplet_client_builder,
    from_env: bool,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        // SAFETY: forwarded from this function's contract.
        unsafe {
            update(builder, "proxy_from_env", |b| {
                Ok(if from_env {
                    b.proxy_from_env()
                } else {
                    b.no_proxy()
                })
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
        unsafe {
            update(builder, "allow_insecure_http", |b| {
                Ok(b.allow_insecure_http(allow))
            })
        }
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
            set_last_error("build: the builder is NULL");
            return DropletStatus::InvalidArgument;
        }
        // SAFETY: a live builder from `droplet_client_builder_new`, handed over by the
        // caller; taken back exactly once here.
        let builder = unsafe { Box::from_raw(builder) };
        if client_out.is_null() {
            set_last_error("build: client_out is NULL");
            return DropletStatus::InvalidArgument;
        }
        match builder.builder.build() {
            Ok(client) => {
                let client = Box::into_raw(Box::new(droplet_client { client }));
                // SAFETY: not NULL and writable, by this function's contract.
                unsafe { client_out.write(client) };
                set_last_error("");
                DropletStatus::Ok
            }
            Err(error) => {
                set_last_error(&format!("build: {error}"));
                DropletStatus::InvalidArgument
            }
        }
    })
}

/// `droplet_client_builder_set_requests_per_minute(builder, DROPLET_NO_PACING)`: requests go
/// out as fast as they are made, unpaced (`UINT32_MAX`).
pub const DROPLET_NO_PACING: u32 = u32::MAX;

/// Sets the client's request budget: every request, from every thread, is paced to at
/// most `requests` a minute, what remains of the hourly budget (`ratelimit-*` headers) is
/// spread over the time to its reset, and the pace slows when `429`s or a falling
/// `ratelimit-remaining` show other users of the token. Waiting for a slot is part of a
/// call's total time, not of one attempt's: a call with a per-call timeout (or a wait, with
/// its deadline) whose slot is further away fails at once with `DROPLET_STATUS_TIMEOUT`; a
/// call without one waits for its slot, and a cancel token ends that wait. DigitalOcean allows 250
/// requests a minute and 5,000 an hour per token. 0 = the default: 250 for DigitalOcean's
/// API, no pacing for any other base URL; `DROPLET_NO_PACING` = no pacing.
///
/// # Safety
/// `builder` is NULL or a live builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_client_builder_set_requests_per_minute(
    builder: *mut droplet_client_builder,
    requests: u32,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        // SAFETY: forwarded from this function's contract.
        unsafe {
            update(builder, "requests_per_minute", |b| {
                Ok(match requests {
                    0 => b.default_pacing(),
                    DROPLET_NO_PACING => b.no_pacing(),
                    n => b.requests_per_minute(n),
                })
            })
        }
    })
}

/// Trusts the certificate authorities of a PEM file too, beside the bundled Mozilla roots
/// and the system's trust store (for a company proxy or a private CA). The path is copied;
/// the file is checked now (readable, holds at least one certificate) and read again at
/// build. `INVALID_ARGUMENT` otherwise, with the reason in `droplet_last_error_message`.
///
/// # Safety
/// `builder` is NULL or a live builder; `path` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_client_builder_set_ca_file(
    builder: *mut droplet_client_builder,
    path: *const c_char,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        // SAFETY: forwarded from this function's contract.
        unsafe {
            update(builder, "ca_file", |b| {
                let path = str_arg(path).map_err(arg_error)?;
                droplet_action_transport::check_ca_file(path.as_ref())
                    .map_err(|e| e.to_string())?;
                Ok(b.ca_file(path))
            })
        }
    })
}

/// A C function that receives the library's log events: `userdata` as given, the level
/// (1 error, 2 warn, 3 info, 4 debug) and a NUL-terminated message that is valid only
/// during the call (copy it to keep it). Never holds the token or proxy credentials.
#[allow(non_camel_case_types)]
pub type droplet_log_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, level: u32, message: *const c_char)>;

/// The caller's callback and its pointer, as the client keeps them.
struct LogTarget {
    callback: unsafe extern "C" fn(*mut c_void, u32, *const c_char),
    userdata: *mut c_void,
}

impl LogTarget {
    fn send(&self, level: u32, message: &str) {
        let text = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
        // SAFETY: the caller's callback, called with its own `userdata` as the header
        // describes; `text` lives until it returns.
        unsafe { (self.callback)(self.userdata, level, text.as_ptr()) };
    }
}

// SAFETY: the header makes the caller promise that the callback may be called from any
// thread that uses the client, with this `userdata`; the library only passes it along.
unsafe impl Send for LogTarget {}
// SAFETY: as above; the library never dereferences `userdata`.
unsafe impl Sync for LogTarget {}

/// Sends the client's events at or above `max_level` (1 error, 2 warn, 3 info, 4 debug) to
/// `callback`: each attempt, each retry with its reason and pause, redirects, rate-limit
/// pauses, and the outcome, with the request id when there is one. The callback runs on the
/// thread that makes the call, before the call returns: with a client shared between
/// threads it must be thread-safe. It must not free the client. A NULL callback or
/// `max_level` 0 turns logging off. `INVALID_ARGUMENT` for `max_level` above 4.
///
/// # Safety
/// `builder` is NULL or a live builder; `callback` is NULL or a function that may be
/// called with `userdata` for as long as the client lives.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_client_builder_set_log_callback(
    builder: *mut droplet_client_builder,
    callback: droplet_log_callback,
    userdata: *mut c_void,
    max_level: u32,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        // SAFETY: forwarded from this function's contract.
        unsafe {
            update(builder, "log_callback", |b| {
                let max = log_level(max_level)?;
                let (Some(callback), Some(max)) = (callback, max) else {
                    return Ok(b.no_log_hook());
                };
                let target = LogTarget { callback, userdata };
                Ok(b.log_hook(
                    Arc::new(move |level, message: &str| {
                        target.send(level as u32, message);
                    }),
                    max,
                ))
            })
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
/// Returns NULL when no token is set or a setting is invalid
/// (`droplet_last_error_message` says which). Free with `droplet_client_free`.
#[unsafe(no_mangle)]
pub extern "C" fn droplet_client_new_from_env() -> *mut droplet_client {
    ffi_boundary!(std::ptr::null_mut(), {
        match Client::from_env() {
            Ok(client) => {
                set_last_error("");
                Box::into_raw(Box::new(droplet_client { client }))
            }
            Err(error) => {
                set_last_error(&format!("from_env: {error}"));
                std::ptr::null_mut()
            }
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

/// Changes the most verbose level the client's log callback gets (0 off, 1 error, 2 warn,
/// 3 info, 4 debug), for the events that follow, from any thread: a binding can follow its
/// own logger's level between calls. Thread-safe; no effect on a client without a
/// callback. `INVALID_ARGUMENT` for a NULL client or `max_level` above 4 (the level is then
/// unchanged, and `droplet_last_error_message` too).
///
/// # Safety
/// `client` is NULL or a live client from this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn droplet_client_set_log_level(
    client: *const droplet_client,
    max_level: u32,
) -> DropletStatus {
    ffi_boundary!(DropletStatus::Panic, {
        // SAFETY: NULL or a live client, by this function's contract; shared access only.
        // The last error message is left alone: a pointer the caller holds to it stays valid.
        let Some(client) = (unsafe { client.as_ref() }) else {
            return DropletStatus::InvalidArgument;
        };
        match log_level(max_level) {
            Ok(level) => {
                client.client.set_log_level(level);
                DropletStatus::Ok
            }
            Err(_) => DropletStatus::InvalidArgument,
        }
    })
}

/// A log level of the C ABI (0 off, 1 error .. 4 debug).
fn log_level(max_level: u32) -> Result<Option<Level>, String> {
    Ok(match max_level {
        0 => None,
        1 => Some(Level::Error),
        2 => Some(Level::Warn),
        3 => Some(Level::Info),
        4 => Some(Level::Debug),
        other => return Err(format!("max_level {other} is not 0 to 4")),
    })
}

/// `ms` milliseconds; 0 means `default`.
fn ms_or(ms: u32, default: Duration) -> Duration {
    match ms {
        0 => default,
        ms => Duration::from_millis(u64::from(ms)),
    }
}
