//! `Client::from_env`. One test in its own binary: it changes the process environment.

use droplet_action_mock::MockServer;
use droplet_action_transport::{Client, Error};

fn set(name: &str, value: Option<&str>) {
    // SAFETY: this binary holds a single test and the mock server's threads never read the
    // environment, so nothing reads it while it changes.
    unsafe {
        match value {
            Some(value) => std::env::set_var(name, value),
            None => std::env::remove_var(name),
        }
    }
}

fn sent_token(server: &MockServer) -> String {
    let client = Client::from_env().unwrap();
    assert_eq!(client.base_url(), server.base_url());
    let _ = client.get(3164444, 36804636);
    let last = server.requests().pop().unwrap();
    last.header("authorization").unwrap().to_owned()
}

#[test]
fn from_env_prefers_access_token_then_token_and_reads_the_url() {
    let server = MockServer::start().unwrap();
    set("DIGITALOCEAN_API_URL", Some(&server.base_url()));

    set("DIGITALOCEAN_ACCESS_TOKEN", None);
    set("DIGITALOCEAN_TOKEN", None);
    assert!(matches!(
        Client::from_env(),
        Err(Error::InvalidArgument { message }) if message == "no API token: set DIGITALOCEAN_ACCESS_TOKEN or DIGITALOCEAN_TOKEN"
    ));

    set("DIGITALOCEAN_TOKEN", Some("older"));
    assert_eq!(sent_token(&server), "Bearer older");

    set("DIGITALOCEAN_ACCESS_TOKEN", Some("newer"));
    assert_eq!(sent_token(&server), "Bearer newer");

    set("DIGITALOCEAN_API_URL", None);
    assert_eq!(
        Client::from_env().unwrap().base_url(),
        "https://api.digitalocean.com"
    );
}
