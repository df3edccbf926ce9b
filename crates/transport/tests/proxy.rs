//! A proxy that is set is never bypassed: when it does not answer, the call fails and the
//! API host sees nothing.

use std::time::Duration;

use droplet_action_mock::MockServer;
use droplet_action_transport::{Client, Error};

#[test]
fn a_dead_proxy_of_any_kind_fails_the_call_and_nothing_reaches_the_host() {
    let server = MockServer::start().unwrap();
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    for scheme in ["http", "socks4", "socks4a", "socks5", "socks5h"] {
        let client = Client::builder()
            .token("mock-token")
            .base_url(server.base_url())
            .proxy(format!("{scheme}://127.0.0.1:{port}"))
            .max_retries(0)
            .connect_timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        let error = client.get(3164444, 36804636).unwrap_err();
        assert!(
            matches!(error, Error::Transport { attempts: 1, .. }),
            "{scheme}: {error:?}"
        );
    }
    assert_eq!(server.hits(3164444, 36804636), 0);
}

#[test]
fn every_request_goes_through_an_http_connect_proxy() {
    let server = MockServer::start().unwrap();
    let proxy =
        droplet_action_mock::proxy::ConnectProxy::with_credentials("user", "hunter2").unwrap();
    let client = Client::builder()
        .token("mock-token")
        .base_url(server.base_url())
        .proxy(proxy.url())
        .build()
        .unwrap();
    assert!(!format!("{client:?}").contains("hunter2"));
    for _ in 0..3 {
        let answer = client.get(3164444, 36804636).unwrap();
        assert_eq!(answer.action.id, Some(36804636));
    }
    let tunnels = proxy.tunnels();
    // One tunnel, kept alive for the three requests, to the mock's address.
    assert_eq!(tunnels.len(), 1, "{tunnels:?}");
    assert_eq!(tunnels[0].host, "127.0.0.1");
    assert_eq!(tunnels[0].port, server.port());
    assert_eq!(tunnels[0].username.as_deref(), Some("user"));
    assert!(tunnels[0].bytes_from_target > 0);
    assert_eq!(server.hits(3164444, 36804636), 3);
}

#[test]
fn every_request_goes_through_a_socks5_proxy() {
    let server = MockServer::start().unwrap();
    for (scheme, host) in [("socks5", "127.0.0.1"), ("socks5h", "localhost")] {
        let proxy = droplet_action_mock::proxy::Socks5Proxy::start().unwrap();
        let url = proxy.url().replacen("socks5", scheme, 1);
        let client = Client::builder()
            .token("mock-token")
            .base_url(format!("http://localhost:{}", server.port()))
            .proxy(url)
            .build()
            .unwrap();
        let answer = client.get(3164444, 36804636).unwrap();
        assert_eq!(answer.action.id, Some(36804636));
        let tunnels = proxy.tunnels();
        assert_eq!(tunnels.len(), 1, "{scheme}: {tunnels:?}");
        // socks5 resolves the name here and sends the address; socks5h sends the name.
        assert_eq!(tunnels[0].host, host, "{scheme}");
        assert_eq!(tunnels[0].port, server.port());
        assert!(tunnels[0].connected);
    }
    assert_eq!(server.hits(3164444, 36804636), 2);
}
