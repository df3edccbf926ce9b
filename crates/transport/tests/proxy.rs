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
        let error = client.get_droplet_action(3164444, 36804636).unwrap_err();
        assert!(
            matches!(error, Error::Transport { attempts: 1, .. }),
            "{scheme}: {error:?}"
        );
    }
    assert_eq!(server.hits(3164444, 36804636), 0);
}
