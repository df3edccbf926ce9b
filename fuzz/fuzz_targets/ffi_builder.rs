//! The C entry points that take caller strings: `droplet_client_builder_set_token`,
//! `_set_base_url`, `_set_proxy` and `_set_user_agent`, with `_set_proxy_from_env` and the
//! `all_proxy` variable it reads, then `droplet_client_builder_build` and
//! `droplet_client_free`. Only clients are built: nothing is ever sent. The system trust
//! store is an empty file here, so that a build reads no certificate directory.
//!
//! Input: records separated by NUL bytes, exactly the C strings a caller could pass (any
//! bytes but NUL, UTF-8 or not). A record's first byte picks the call, the rest is its
//! string:
//!
//! | byte | call |
//! |---|---|
//! | `t` `u` `p` `a` | set the token, base URL, proxy, user agent to the rest |
//! | `T` `U` `P` `A` | the same calls with a NULL string |
//! | `i` | `set_allow_insecure_http`, true when the rest is non-empty |
//! | `e` | `set_proxy_from_env`, true when the rest is non-empty |
//! | `E` | sets the environment's `all_proxy` to the rest (UTF-8), or removes it |
//! | `b` | build now (then free the client) and start a new builder |
//! | other | ignored |
//!
//! The builder is built at the end. Every call must answer `OK` or `INVALID_ARGUMENT`,
//! never `PANIC` (and no panic may happen at all, even one the boundary would catch); a
//! setter must refuse exactly what the documentation says it refuses and leave the builder
//! as it was; a build must succeed exactly when a token was accepted, the base URL is
//! https, loopback, or allowed to be plain http, and a proxy taken from the environment is
//! one `droplet_client_builder_set_proxy` would accept; and `droplet_last_error_message` must name
//! every failure without showing the token or a URL's credentials.
#![no_main]

use std::ffi::{CStr, CString, c_char};
use std::ptr;

use droplet_action::{
    DropletStatus, droplet_client_builder, droplet_client_builder_build,
    droplet_client_builder_new, droplet_client_builder_set_allow_insecure_http,
    droplet_client_builder_set_base_url, droplet_client_builder_set_proxy,
    droplet_client_builder_set_proxy_from_env,
    droplet_client_builder_set_token, droplet_client_builder_set_user_agent, droplet_client_free,
    droplet_last_error_message,
};
use droplet_action_fuzz::{Secrets, abort_on_every_panic, empty_system_trust_store};
use droplet_action_model::{BaseUrl, DEFAULT_BASE_URL, Token, UserAgent, proxy_from_env};
use droplet_action_transport::check_proxy;
use libfuzzer_sys::fuzz_target;

type Setter = unsafe extern "C" fn(*mut droplet_client_builder, *const c_char) -> DropletStatus;

/// What the builder should hold, as far as these calls can tell.
struct Expected {
    token: bool,
    base_url: BaseUrl,
    insecure_http: bool,
    /// Whether the proxy comes from the environment.
    proxy_from_env: bool,
    /// The environment's `all_proxy`.
    all_proxy: Option<String>,
    /// Every string handed to a setter, accepted or not.
    secrets: Secrets,
}

/// The last error message of this thread.
fn last_error() -> String {
    // SAFETY: never NULL, valid until the next builder call on this thread.
    unsafe { CStr::from_ptr(droplet_last_error_message()) }
        .to_str()
        .expect("the message is UTF-8")
        .to_owned()
}

impl Expected {
    fn new() -> Self {
        Self {
            token: false,
            base_url: BaseUrl::parse(DEFAULT_BASE_URL).unwrap(),
            insecure_http: false,
            proxy_from_env: false,
            all_proxy: std::env::var("all_proxy").ok(),
            secrets: Secrets::default(),
        }
    }

    fn buildable(&self) -> bool {
        let env_proxy_ok = !self.proxy_from_env
            || proxy_from_env(&self.base_url, |name| {
                (name == "all_proxy").then(|| self.all_proxy.clone()).flatten()
            })
            .is_none_or(|found| check_proxy(&found.url).is_ok());
        self.token
            && (self.base_url.is_https() || self.base_url.is_loopback() || self.insecure_http)
            && env_proxy_ok
    }
}

/// Builds, checks and frees; leaves a fresh builder behind.
fn build(builder: &mut *mut droplet_client_builder, expected: &mut Expected) {
    let mut client = ptr::null_mut();
    // SAFETY: a live builder, handed over and never used again; `client` is writable.
    let status = unsafe { droplet_client_builder_build(*builder, &mut client) };
    let message = last_error();
    match status {
        DropletStatus::Ok => {
            assert!(!client.is_null());
            assert_eq!(message, "");
        }
        DropletStatus::InvalidArgument => {
            assert!(client.is_null());
            assert!(message.starts_with("build: "), "{message:?}");
        }
        other => panic!("droplet_client_builder_build answered {other:?}"),
    }
    expected.secrets.check(&message);
    assert_eq!(
        status == DropletStatus::Ok,
        expected.buildable(),
        "token set: {}, base URL {:?}, insecure http allowed: {}, all_proxy {:?} used: {}: \
         {message}",
        expected.token,
        expected.base_url.as_str(),
        expected.insecure_http,
        expected.all_proxy,
        expected.proxy_from_env,
    );
    // SAFETY: NULL or the client just built, freed once.
    unsafe { droplet_client_free(client) };
    *builder = droplet_client_builder_new();
    assert!(!builder.is_null());
    let secrets = std::mem::take(&mut expected.secrets);
    *expected = Expected::new();
    // The environment's proxy stays secret in the messages of later builds.
    expected.secrets = secrets;
}

fuzz_target!(|data: &[u8]| {
    abort_on_every_panic();
    empty_system_trust_store();
    let mut builder = droplet_client_builder_new();
    assert!(!builder.is_null());
    // SAFETY: the fuzzer runs one input at a time on one thread; nothing else reads the
    // environment.
    unsafe { std::env::remove_var("all_proxy") };
    let mut expected = Expected::new();
    for record in data.split(|&b| b == 0) {
        let Some((&op, rest)) = record.split_first() else {
            continue;
        };
        let text = std::str::from_utf8(rest).ok();
        let (setter, accepted): (Setter, bool) = match op.to_ascii_lowercase() {
            b't' => {
                let ok = text.is_some_and(|t| Token::new(t).is_ok());
                (droplet_client_builder_set_token, ok)
            }
            b'u' => {
                let ok = text.is_some_and(|t| BaseUrl::parse(t).is_ok());
                (droplet_client_builder_set_base_url, ok)
            }
            b'a' => {
                let ok = text.is_some_and(|t| UserAgent::new(t).is_ok());
                (droplet_client_builder_set_user_agent, ok)
            }
            b'p' => {
                let ok = text.is_some_and(|t| check_proxy(t).is_ok());
                (droplet_client_builder_set_proxy, ok)
            }
            b'i' => {
                // SAFETY: a live builder.
                let status = unsafe {
                    droplet_client_builder_set_allow_insecure_http(builder, !rest.is_empty())
                };
                assert_eq!(status, DropletStatus::Ok);
                expected.insecure_http = !rest.is_empty();
                continue;
            }
            b'e' if op == b'E' => {
                match text {
                    Some(value) => {
                        expected.secrets.url(value);
                        // SAFETY: as above.
                        unsafe { std::env::set_var("all_proxy", value) };
                        expected.all_proxy = Some(value.to_owned());
                    }
                    None => {
                        // SAFETY: as above.
                        unsafe { std::env::remove_var("all_proxy") };
                        expected.all_proxy = None;
                    }
                }
                continue;
            }
            b'e' => {
                // SAFETY: a live builder.
                let status =
                    unsafe { droplet_client_builder_set_proxy_from_env(builder, !rest.is_empty()) };
                assert_eq!(status, DropletStatus::Ok);
                expected.proxy_from_env = !rest.is_empty();
                continue;
            }
            b'b' => {
                build(&mut builder, &mut expected);
                continue;
            }
            _ => continue,
        };
        let null = op.is_ascii_uppercase();
        let accepted = accepted && !null;
        let string = CString::new(rest).expect("a record holds no NUL");
        let arg = if null { ptr::null() } else { string.as_ptr() };
        // SAFETY: a live builder, and NULL or a NUL-terminated string that outlives the call.
        let status = unsafe { setter(builder, arg) };
        let want = if accepted {
            DropletStatus::Ok
        } else {
            DropletStatus::InvalidArgument
        };
        let shown = String::from_utf8_lossy(rest);
        assert_eq!(status, want, "call {:?} with {shown:?}", op as char);
        if !null {
            match op {
                b't' => expected.secrets.token(&shown),
                b'u' | b'p' => expected.secrets.url(&shown),
                _ => expected.secrets.public(&shown),
            }
        }
        if accepted {
            match op {
                b't' => expected.token = true,
                b'u' => expected.base_url = BaseUrl::parse(text.unwrap()).unwrap(),
                b'p' => expected.proxy_from_env = false,
                _ => {}
            }
        } else {
            let message = last_error();
            assert!(!message.is_empty());
            expected.secrets.check(&message);
        }
    }
    build(&mut builder, &mut expected);
    // SAFETY: the fresh builder `build` left behind, not used again.
    unsafe { droplet_action::droplet_client_builder_free(builder) };
});
