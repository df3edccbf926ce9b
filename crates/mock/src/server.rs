//! Starting and stopping a server: its two listeners, the runtime that serves them, and how
//! each accepted connection is handed to hyper.
//!
//! Every connection is a task of a multi-threaded tokio runtime owned by the server, served
//! by hyper (HTTP/1.1, or HTTP/2 when the client opens with its preface, with or without
//! TLS). A connection costs a task, not a thread: any number of clients may keep theirs open,
//! and each is served as its requests come.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::runtime::Runtime;
use tokio_rustls::TlsAcceptor;

use crate::connection::{HangUp, Stream, Watched};
use crate::ratelimit::RateLimit;
use crate::state::{Setup, Shared};
use crate::{routing, tls};

/// At most this many threads serve a server's connections (fewer on a machine with fewer
/// cores).
const MAX_WORKERS: usize = 8;
/// How many connections may wait to be accepted (the kernel caps it at `somaxconn`, 4096 by
/// default): a burst of a thousand clients connecting at once is taken in whole, where the
/// usual 128 would drop the rest's first SYN and make them wait a second to send another.
const BACKLOG: u32 = 4096;
/// How long stopping waits for the runtime's threads.
const STOP_TIMEOUT: Duration = Duration::from_secs(1);

/// How a server is to be started.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) tokens: Vec<String>,
    pub(crate) port: u16,
    pub(crate) record: bool,
    pub(crate) tls: bool,
    pub(crate) rate_limit: Option<RateLimit>,
    pub(crate) time_scale: f64,
}

/// Which of the two listeners a connection came to.
#[derive(Debug, Clone, Copy)]
enum Origin {
    Api,
    RedirectTarget,
}

/// A running server; stops on drop.
pub(crate) struct Running {
    pub(crate) shared: Arc<Shared>,
    runtime: Option<Runtime>,
    ca_pem: Option<String>,
}

/// A socket bound to `127.0.0.1:port`, to listen on once the runtime runs.
fn bind(port: u16) -> io::Result<(TcpSocket, SocketAddr)> {
    let socket = TcpSocket::new_v4()?;
    // As std's listeners do: a port whose last connections are in TIME_WAIT can be taken.
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from(([127, 0, 0, 1], port)))?;
    let addr = socket.local_addr()?;
    Ok((socket, addr))
}

fn check(config: &Config) -> io::Result<()> {
    let scale = config.time_scale;
    if !(scale.is_finite() && (0.001..=1_000_000.0).contains(&scale)) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("the time scale must be within 0.001..=1000000, not {scale}"),
        ));
    }
    if config
        .rate_limit
        .is_some_and(|limit| limit.per_minute == 0 || limit.per_hour == 0)
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a rate limit allows at least one request a minute and an hour",
        ));
    }
    Ok(())
}

/// Binds both listeners and starts serving them.
pub(crate) fn start(config: &Config) -> io::Result<Running> {
    check(config)?;
    let (main, main_addr) = bind(config.port)?;
    let (target, target_addr) = bind(0)?;
    let identity = config.tls.then(tls::identity).transpose()?;
    let shared = Arc::new(Shared::new(Setup {
        tokens: config.tokens.clone(),
        record: config.record,
        tls: config.tls,
        rate_limit: config.rate_limit,
        time_scale: config.time_scale,
        main_addr,
        target_addr,
    }));
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(MAX_WORKERS));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("droplet-action-mock")
        .enable_io()
        .enable_time()
        .build()?;
    let acceptor = identity
        .as_ref()
        .map(|identity| TlsAcceptor::from(Arc::clone(&identity.config)));
    {
        let _entered = runtime.enter();
        let main = main.listen(BACKLOG)?;
        let target = target.listen(BACKLOG)?;
        runtime.spawn(accept_loop(
            main,
            Origin::Api,
            Arc::clone(&shared),
            acceptor.clone(),
        ));
        runtime.spawn(accept_loop(
            target,
            Origin::RedirectTarget,
            Arc::clone(&shared),
            acceptor,
        ));
    }
    Ok(Running {
        shared,
        runtime: Some(runtime),
        ca_pem: identity.map(|identity| identity.ca_pem),
    })
}

/// The most a request's head may hold, in bytes, in either protocol: HTTP/1.1's read buffer
/// (hyper's default) and HTTP/2's header list, so that a header one protocol takes the
/// other takes too.
const MAX_REQUEST_HEAD: usize = 8192 + 4096 * 100;

/// hyper's settings for every connection: HTTP/1.1 kept alive with no limit on how long a
/// connection may stay idle between requests, answering a client that has shut its side
/// down after its request (`half_close`), and HTTP/2 for a client that opens with its
/// preface (ALPN `h2`, or prior knowledge on plain HTTP); heads up to [`MAX_REQUEST_HEAD`]
/// in both.
fn http() -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(None)
        .keep_alive(true)
        .half_close(true)
        .max_buf_size(MAX_REQUEST_HEAD);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(MAX_REQUEST_HEAD).unwrap_or(u32::MAX));
    builder
}

async fn accept_loop(
    listener: TcpListener,
    origin: Origin,
    shared: Arc<Shared>,
    acceptor: Option<TlsAcceptor>,
) {
    let http = http();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of descriptors, most likely: let some connections close.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        // Each answer leaves in one write or a few; none should wait for the client's ack.
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve(
            stream,
            origin,
            Arc::clone(&shared),
            acceptor.clone(),
            http.clone(),
        ));
    }
}

/// Serves one connection until either side closes it, or an answer hangs up.
async fn serve(
    stream: TcpStream,
    origin: Origin,
    shared: Arc<Shared>,
    acceptor: Option<TlsAcceptor>,
    http: auto::Builder<TokioExecutor>,
) {
    let (stream, http) = match &acceptor {
        None => (Stream::Plain(stream), http),
        Some(acceptor) => match tls::accept(stream, acceptor).await {
            // The protocol ALPN settled on is the one spoken; without ALPN, either.
            tls::Accepted::Tls(tls) => match tls.get_ref().1.alpn_protocol() {
                Some(b"h2") => (Stream::Tls(tls), http.http2_only()),
                Some(_) => (Stream::Tls(tls), http.http1_only()),
                None => (Stream::Tls(tls), http),
            },
            tls::Accepted::NotTls(plain) => return tls::refuse_plain_http(plain).await,
            tls::Accepted::Gone => return,
        },
    };
    let hang_up = Arc::new(HangUp::default());
    let io = TokioIo::new(Watched::new(stream, Arc::clone(&hang_up)));
    let service = {
        let hang_up = Arc::clone(&hang_up);
        service_fn(move |request| {
            let shared = Arc::clone(&shared);
            let hang_up = Arc::clone(&hang_up);
            async move {
                Ok::<_, Infallible>(match origin {
                    Origin::Api => routing::api(&shared, &hang_up, request).await,
                    Origin::RedirectTarget => routing::redirect_target(&shared, &request),
                })
            }
        })
    };
    hang_up.serve(http.serve_connection(io, service)).await;
}

impl Running {
    /// The API's address.
    pub(crate) fn public_main(&self) -> SocketAddr {
        self.shared.main_addr
    }

    /// The redirect target's address.
    pub(crate) fn public_target(&self) -> SocketAddr {
        self.shared.target_addr
    }

    pub(crate) fn scheme(&self) -> &'static str {
        self.shared.scheme
    }

    pub(crate) fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }
}

impl Drop for Running {
    /// Stops the runtime, which drops every task: the listeners close, every connection closes
    /// (a TLS one after `close_notify`), and a slow answer is cut short.
    fn drop(&mut self) {
        let Some(runtime) = self.runtime.take() else {
            return;
        };
        if tokio::runtime::Handle::try_current().is_err() {
            runtime.shutdown_timeout(STOP_TIMEOUT);
            return;
        }
        // A runtime cannot be stopped from inside another one's task: stop it from a thread
        // of its own, and wait for that.
        let stopper = std::thread::Builder::new()
            .name("droplet-action-mock-stop".to_owned())
            .spawn(move || runtime.shutdown_timeout(STOP_TIMEOUT));
        if let Ok(stopper) = stopper {
            let _ = stopper.join();
        }
    }
}
