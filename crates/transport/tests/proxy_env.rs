//! `ClientBuilder::proxy_from_env`: the environment's proxy, through recording proxies.
//!
//! One test function, the only one of this binary: it sets environment variables, which no
//! other thread reads meanwhile.

use droplet_action_mock::MockServer;
use droplet_action_mock::proxy::{ConnectProxy, Socks5Proxy};
use droplet_action_transport::{Client, Error};

const VARIABLES: [&str; 9] = [
    "https_proxy",
    "HTTPS_PROXY",
    "http_proxy",
    "HTTP_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
    "DIGITALOCEAN_API_URL",
];

/// Replaces the environment's proxy variables with `pairs`.
fn environment(pairs: &[(&str, &str)]) {
    for name in VARIABLES {
        // SAFETY: this binary's only test runs on one thread, and nothing else reads the
        // environment while it changes.
        unsafe { std::env::remove_var(name) };
    }
    for (name, value) in pairs {
        // SAFETY: as above.
        unsafe { std::env::set_var(name, value) };
    }
}

fn client(server: &MockServer) -> Result<Client, Error> {
    Client::builder()
        .token("mock-token")
        .base_url(server.base_url())
        .proxy_from_env()
        .build()
}

/// Whether a get through a client built now from the environment answered.
fn get(server: &MockServer) -> bool {
    client(server).unwrap().get(3164444, 36804636).is_ok()
}

#[test]
fn the_environments_proxy_is_used_as_curl_uses_it() {
    let server = MockServer::start().unwrap();
    let connect = ConnectProxy::start().unwrap();
    let socks = Socks5Proxy::start().unwrap();
    let connect_url = connect.url();
    let socks_url = socks.url();
    let tunnels = || (connect.tunnels().len(), socks.tunnels().len());

    // Nothing set: direct.
    environment(&[]);
    assert!(get(&server));
    assert_eq!(tunnels(), (0, 0));

    // http_proxy for a plain http base URL.
    environment(&[("http_proxy", &connect_url)]);
    assert!(get(&server));
    assert_eq!(tunnels(), (1, 0));
    let tunnel = &connect.tunnels()[0];
    assert_eq!(
        (tunnel.host.as_str(), tunnel.port),
        ("127.0.0.1", server.port())
    );

    // Upper-case HTTP_PROXY is never read (a CGI program gets a request's Proxy: header
    // under that name); https_proxy is for https base URLs only.
    environment(&[("HTTP_PROXY", &connect_url), ("https_proxy", &connect_url)]);
    assert!(get(&server));
    assert_eq!(tunnels(), (1, 0));

    // all_proxy when no scheme variable is set, and a scheme variable before it.
    environment(&[("ALL_PROXY", &socks_url)]);
    assert!(get(&server));
    assert_eq!(tunnels(), (1, 1));
    environment(&[("all_proxy", &socks_url), ("http_proxy", &connect_url)]);
    assert!(get(&server));
    assert_eq!(tunnels(), (2, 1));

    // no_proxy: an address, a network, `*`; a name does not match an address.
    for no_proxy in [
        "127.0.0.1",
        "10.0.0.0/8, 127.0.0.0/8",
        "*",
        " other.example , 127.0.0.1",
    ] {
        environment(&[("http_proxy", &connect_url), ("NO_PROXY", no_proxy)]);
        assert!(get(&server), "{no_proxy}");
        assert_eq!(tunnels(), (2, 1), "{no_proxy}");
    }
    environment(&[
        ("http_proxy", &connect_url),
        ("no_proxy", "localhost,127.0.0.2"),
    ]);
    assert!(get(&server));
    assert_eq!(tunnels(), (3, 1));

    // A host name base URL: names match themselves and below them, with a leading dot or not.
    let named = |no_proxy: &str| {
        environment(&[("http_proxy", &connect_url), ("no_proxy", no_proxy)]);
        Client::builder()
            .token("mock-token")
            .base_url(format!("http://localhost:{}", server.port()))
            .proxy_from_env()
            .build()
            .unwrap()
            .get(3164444, 36804636)
            .unwrap();
        connect.tunnels().len()
    };
    assert_eq!(named(".localhost"), 3);
    assert_eq!(named("LOCALHOST"), 3);
    assert_eq!(named("calhost"), 4);
    assert_eq!(connect.tunnels()[3].host, "localhost");

    // A proxy without a scheme is http://.
    environment(&[("http_proxy", connect_url.trim_start_matches("http://"))]);
    assert!(get(&server));
    assert_eq!(tunnels(), (5, 1));

    // A malformed proxy fails the build, naming the variable and never its credentials.
    environment(&[("all_proxy", "gopher://user:s3cret@proxy.example:70")]);
    match client(&server) {
        Err(Error::InvalidArgument { message }) => assert_eq!(
            message,
            "all_proxy: invalid proxy gopher://***@proxy.example:70: the scheme must be http, \
             socks4, socks4a, socks5 or socks5h"
        ),
        other => panic!("expected an invalid argument, got {other:?}"),
    }

    // Credentials stay hidden however malformed the URL around them.
    for bad in [
        "http://user:top/secret@proxy:3128",
        "http://user:sec?secret@proxy:3128",
        "socks5://user:a#secret@proxy:1080",
    ] {
        environment(&[("all_proxy", bad)]);
        let message = client(&server).unwrap_err().to_string();
        assert!(
            !message.contains("secret") && !message.contains("user"),
            "{message}"
        );
        assert!(
            message.starts_with("invalid argument: all_proxy: invalid proxy "),
            "{message}"
        );
    }

    // The later of proxy() and proxy_from_env() wins; no_proxy() undoes both.
    environment(&[("http_proxy", "http://127.0.0.1:1")]);
    let explicit = Client::builder()
        .token("mock-token")
        .base_url(server.base_url())
        .proxy_from_env()
        .proxy(&connect_url)
        .build()
        .unwrap();
    assert!(explicit.get(3164444, 36804636).is_ok());
    assert_eq!(tunnels(), (6, 1));
    let direct = Client::builder()
        .token("mock-token")
        .base_url(server.base_url())
        .proxy(&connect_url)
        .proxy_from_env()
        .no_proxy()
        .build()
        .unwrap();
    assert!(direct.get(3164444, 36804636).is_ok());
    assert_eq!(tunnels(), (6, 1));
    environment(&[]);
}
