//! No secret appears in any `Debug`, `Display`, error or log message the crates produce.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use droplet_action_mock::MockServer;
use droplet_action_transport::{CallOptions, Client, ClientBuilder, Level, check_proxy};

const SECRET: &str = "hunter2";

/// The client `builder` makes, with every event it logs (at debug and above) kept as
/// "LEVEL message".
fn logged(builder: ClientBuilder) -> (Client, Arc<Mutex<Vec<String>>>) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&lines);
    let client = builder
        .log_hook(
            Arc::new(move |level: Level, message: &str| {
                sink.lock().unwrap().push(format!("{level} {message}"))
            }),
            Level::Debug,
        )
        .build()
        .unwrap();
    (client, lines)
}

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
        let error = client.get(3164444, 36804636).unwrap_err();
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
    let (client, lines) = logged(
        Client::builder()
            .token(&token)
            .base_url(server.base_url())
            .backoff(Duration::from_millis(1), Duration::from_millis(1))
            .timeout(Duration::from_millis(300)),
    );
    for action in [36804636, 900401, 900404, 900301, 900302] {
        let outcome = client.get(3164444, action);
        shown.push(format!("{outcome:?}"));
        if let Err(error) = outcome {
            shown.push(error.to_string());
        }
    }
    let outcome = client.get_with_options(
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

/// Answers each connection's first request with `answer`, `count` times.
fn answering(answers: Vec<String>) -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for answer in answers {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    port
}

/// A secret a server puts in a redirect's `Location` (query or fragment) reaches no log
/// line and no error text: every URL the client shows is redacted first.
#[test]
fn a_secret_in_a_redirect_location_reaches_no_log_line_or_error() {
    let server = MockServer::start().unwrap();
    let follow = format!(
        "{}/v2/droplets/3164444/actions/36804636?access_token={SECRET}&x={SECRET}#{SECRET}",
        server.base_url()
    );
    let redirect = |location: &str| {
        format!(
            "HTTP/1.1 302 Found\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        )
    };
    let port = answering(vec![
        redirect(&follow),
        redirect(&format!("http://[::1?access_token={SECRET}")),
        redirect(&format!("http://10.0.0.1/v2?access_token={SECRET}")),
    ]);
    let (client, lines) = logged(
        Client::builder()
            .token("dop_v1_token")
            .base_url(format!("http://127.0.0.1:{port}"))
            .max_retries(0),
    );
    let mut shown = Vec::new();
    for _ in 0..3 {
        match client.get(3164444, 36804636) {
            Ok(answer) => shown.push(format!("{:?}", answer.meta)),
            Err(error) => shown.push(format!("{error} {error:?}")),
        }
    }
    let lines = lines.lock().unwrap().clone();
    let redirected = format!(
        "DEBUG GET /v2/droplets/3164444/actions/36804636: redirected to {}/v2/droplets/3164444/actions/36804636?access_token=***&x=***",
        server.base_url()
    );
    assert!(lines.contains(&redirected), "{lines:#?}");
    assert!(
        shown
            .iter()
            .any(|s| s.contains("invalid location \"http://[::1?access_token=***\"")),
        "{shown:#?}"
    );
    assert!(
        shown
            .iter()
            .any(|s| s.contains("http://10.0.0.1/v2?access_token=***")),
        "{shown:#?}"
    );
    for text in lines.iter().chain(&shown) {
        assert!(!text.contains(SECRET), "{text}");
    }
}
