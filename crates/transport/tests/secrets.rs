//! No secret appears in any `Debug`, `Display`, error or log message the crates produce.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use droplet_action_mock::MockServer;
use droplet_action_transport::{CallOptions, Client, Level, check_proxy};

const SECRET: &str = "hunter2";

#[test]
fn no_debug_display_error_or_log_line_shows_a_secret() {
    let server = MockServer::start().unwrap();
    let token = format!("dop_v1_{SECRET}");
    let mut shown: Vec<String> = Vec::new();

    // Builders and clients, with a token and a proxy password.
    for proxy in [
        format!("http://user:{SECRET}@127.0.0.1:1"),
        format!("socks5://user:{SECRET}@127.0.0.1:1"),
        format!("socks5h://{SECRET}@127.0.0.1:1"),
    ] {
        let builder = Client::builder()
            .token(&token)
            .base_url(server.base_url())
            .proxy(&proxy)
            .max_retries(0)
            .connect_timeout(Duration::from_millis(500));
        shown.push(format!("{builder:?}"));
        let client = builder.build().unwrap();
        shown.push(format!("{client:?}"));
        // The proxy does not answer: the error must not show its password.
        let error = client.get_droplet_action(3164444, 36804636).unwrap_err();
        shown.push(format!("{error} {error:?}"));
    }

    // Settings refused at build.
    for (base_url, proxy) in [
        (format!("https://user:{SECRET}@example.com"), None),
        (format!("http://{SECRET}@10.0.0.1"), None),
        (
            server.base_url().to_owned(),
            Some(format!("gopher://u:{SECRET}@x:70")),
        ),
        (
            server.base_url().to_owned(),
            Some(format!("http://u:{SECRET}@[::1")),
        ),
    ] {
        let mut builder = Client::builder().token(&token).base_url(&base_url);
        if let Some(proxy) = &proxy {
            builder = builder.proxy(proxy);
            let error = check_proxy(proxy).unwrap_err();
            shown.push(format!("{error} {error:?}"));
        }
        let error = builder.build().unwrap_err();
        shown.push(format!("{error} {error:?}"));
    }

    // Calls that fail in every way the mock plays, with a wrong token, logged at debug.
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&lines);
    let client = Client::builder()
        .token(&token)
        .base_url(server.base_url())
        .backoff(Duration::from_millis(1), Duration::from_millis(1))
        .timeout(Duration::from_millis(300))
        .log_hook(
            Arc::new(move |level: Level, message: &str| {
                sink.lock().unwrap().push(format!("{level} {message}"))
            }),
            Level::Debug,
        )
        .build()
        .unwrap();
    for action in [36804636, 900401, 900404, 900301, 900302] {
        let outcome = client.get_droplet_action(3164444, action);
        shown.push(format!("{outcome:?}"));
        if let Err(error) = outcome {
            shown.push(error.to_string());
        }
    }
    let outcome = client.get_droplet_action_with(
        3164444,
        36804636,
        &CallOptions::new().timeout(Duration::from_millis(1)),
    );
    shown.push(format!("{outcome:?}"));
    shown.extend(lines.lock().unwrap().iter().cloned());

    assert!(shown.len() > 20, "{}", shown.len());
    for text in &shown {
        assert!(!text.contains(SECRET), "a secret shows in: {text}");
    }
}
