//! What the builder refuses, and what it never shows.

use std::time::Duration;

use droplet_action_transport::{Client, Error};

fn invalid(result: Result<Client, Error>) -> String {
    match result {
        Err(Error::InvalidArgument { message }) => message,
        other => panic!("expected an invalid argument, got {other:?}"),
    }
}

#[test]
fn a_token_is_required() {
    assert_eq!(invalid(Client::builder().build()), "no API token was given");
    assert_eq!(
        invalid(Client::builder().token("").build()),
        "the API token is empty"
    );
}

#[test]
fn malformed_base_url_fails_at_build_time() {
    assert_eq!(
        invalid(Client::builder().token("t").base_url("not a url").build()),
        "invalid base URL \"not a url\": not a valid absolute URL"
    );
}

#[test]
fn plain_http_is_refused_for_remote_hosts_unless_allowed() {
    assert_eq!(
        invalid(
            Client::builder()
                .token("t")
                .base_url("http://api.example.com")
                .build()
        ),
        "refusing plain http to api.example.com: the token would travel unencrypted \
         (use https, or allow insecure http explicitly)"
    );
    let client = Client::builder()
        .token("t")
        .base_url("http://api.example.com")
        .allow_insecure_http(true)
        .build()
        .unwrap();
    assert_eq!(client.base_url(), "http://api.example.com");
    for loopback in [
        "http://127.0.0.1:1",
        "http://localhost:8080",
        "http://[::1]:9",
    ] {
        assert!(
            Client::builder()
                .token("t")
                .base_url(loopback)
                .build()
                .is_ok()
        );
    }
}

#[test]
fn zero_timeouts_and_bad_proxies_are_refused() {
    assert_eq!(
        invalid(Client::builder().token("t").timeout(Duration::ZERO).build()),
        "timeouts must be greater than zero"
    );
    assert!(
        invalid(
            Client::builder()
                .token("t")
                .proxy("::not a proxy::")
                .build()
        )
        .starts_with("invalid proxy ::not a proxy::: ")
    );
    assert_eq!(
        invalid(
            Client::builder()
                .token("t")
                .user_agent("bad\nagent")
                .build()
        ),
        "the user agent holds a control character at byte 3: only printable ASCII and spaces \
         are sent"
    );
    assert_eq!(
        invalid(Client::builder().token("t").user_agent("Zoë/1").build()),
        "the user agent holds a non-ASCII character at byte 2: only printable ASCII and \
         spaces are sent"
    );
}

#[test]
fn debug_never_shows_the_token() {
    let builder = Client::builder().token("dop_v1_supersecret");
    assert!(!format!("{builder:?}").contains("supersecret"));
    let client = builder.build().unwrap();
    let debug = format!("{client:?}");
    assert!(!debug.contains("supersecret"), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
}

#[test]
fn proxy_urls_are_checked_when_set() {
    for (url, reason) in [
        (
            "u:hunter2@127.0.0.1:3128",
            "no scheme (http://, socks5://, ...)",
        ),
        ("127.0.0.1:3128", "no scheme (http://, socks5://, ...)"),
        (
            "https://u:hunter2@127.0.0.1:3128",
            "the scheme must be http, socks4, socks4a, socks5 or socks5h",
        ),
        (
            "http://u:hunter2@127.0.0.1:99999",
            "the port is not a number from 1 to 65535",
        ),
        (
            "http://u:hunter2@127.0.0.1:0",
            "the port is not a number from 1 to 65535",
        ),
        (
            "http://u:hunter2@127.0.0.1:3128x",
            "the port is not a number from 1 to 65535",
        ),
        (
            "socks5://127.0.0.1:1080/path",
            "a proxy URL has no path or query",
        ),
    ] {
        let error = droplet_action_transport::check_proxy(url)
            .unwrap_err()
            .to_string();
        assert!(error.ends_with(reason), "{url}: {error}");
        assert!(!error.contains("hunter2"), "{error}");
        let built = Client::builder().token("t").proxy(url).build().unwrap_err();
        assert_eq!(built.to_string(), error);
    }
    for url in [
        "http://127.0.0.1:3128",
        "HTTP://proxy.example.com",
        "socks4://127.0.0.1:1080",
        "socks4a://127.0.0.1:1080",
        "socks5://u:p@127.0.0.1:1080/",
        "socks5h://[::1]:1080",
    ] {
        droplet_action_transport::check_proxy(url).unwrap();
    }
}
