//! The TCP transport under ureq, tuned for one request and one answer at a time on a
//! kept-alive connection.
//!
//! ureq's own TCP transport spends ten system calls on such a call where three do: it probes
//! a pooled connection twice (when it goes back to the pool and when it comes out, each
//! probe switching the socket to non-blocking and back), and it sets the socket's read and
//! write timeouts before every read and write, because the time left of the overall timeout
//! changes by a few microseconds between calls. This transport
//!
//! - probes once, when the connection comes out of the pool, with one `recv(MSG_PEEK |
//!   MSG_DONTWAIT)`: that probe sees any byte the server sent after the answer, which is
//!   what the probe on the way in looks for too;
//! - changes a socket timeout only when the time left differs from the one set by more than
//!   [`TIMEOUT_SLACK`], far below the kernel's own timer granularity, so that every
//!   timeout still fires when it should.
//!
//! Connecting, TLS (rustls wraps this transport) and CONNECT proxies are unchanged; a
//! SOCKS proxy uses ureq's own SOCKS connector.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use ureq::Timeout;

use crate::cancel::{self, CancelToken};
use ureq::unversioned::transport::{
    Buffers, ConnectProxyConnector, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout,
    RustlsConnector, ShutdownHandle, SocksConnector, Transport,
};

/// How far the timeout set on a socket may be from the time actually left before it is
/// set again. Linux counts socket timeouts in scheduler ticks (1 to 10 ms).
pub(crate) const TIMEOUT_SLACK: Duration = Duration::from_millis(1);

/// The shortest time given to one address when a host has several.
const MIN_PER_ADDRESS: Duration = Duration::from_millis(10);

/// The connector chain of the client: a SOCKS or CONNECT proxy when one is configured,
/// else a direct TCP connection, wrapped in TLS for `https`.
pub(crate) fn connector() -> impl Connector {
    ().chain(SocksConnector::default())
        .chain(ConnectProxyConnector::default())
        .chain(SocketConnector)
        .chain(RustlsConnector::default())
}

/// Opens a [`SocketTransport`] unless an earlier connector of the chain made a transport.
#[derive(Debug)]
pub(crate) struct SocketConnector;

impl<In: Transport> Connector<In> for SocketConnector {
    type Out = Either<In, SocketTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails<'_>,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        if let Some(transport) = chained {
            return Ok(Some(Either::A(transport)));
        }
        let stream = connect_any(details)?;
        if details.config.no_delay() {
            stream.set_nodelay(true)?;
        }
        let transport = SocketTransport {
            stream: Arc::new(stream),
            buffers: LazyBuffers::new(
                details.config.input_buffer_size(),
                details.config.output_buffer_size(),
            ),
            read_timeout: None,
            write_timeout: None,
            probed_on_return: false,
        };
        let handle: Weak<dyn ShutdownHandle> = Arc::downgrade(&transport.stream) as _;
        (details.register_shutdown)(handle)?;
        Ok(Some(Either::B(transport)))
    }
}

/// Tries the resolved addresses in order. With a timeout, the first address gets half of
/// it, the next a quarter, and so on (never less than [`MIN_PER_ADDRESS`]), so that one
/// address that does not answer leaves time for the others.
fn connect_any(details: &ConnectionDetails<'_>) -> Result<TcpStream, ureq::Error> {
    let started = Instant::now();
    let budget = details.timeout.not_zero().map(|left| *left);
    let count = details.addrs.len();
    let mut share = 0.5_f64;
    let mut last_error = None;
    for (index, addr) in details.addrs.iter().enumerate() {
        // The last address gets whatever is left.
        let per_address = budget.map(|total| {
            let left = total.saturating_sub(started.elapsed());
            let mine = if index + 1 == count {
                left
            } else {
                total.mul_f64(share).min(left)
            };
            mine.max(MIN_PER_ADDRESS)
        });
        share /= 2.0;
        match connect_one(*addr, per_address) {
            Ok(stream) => return Ok(stream),
            Err(error) if error.kind() == io::ErrorKind::TimedOut => {
                if budget.is_some_and(|total| started.elapsed() >= total) {
                    return Err(ureq::Error::Timeout(details.timeout.reason));
                }
                last_error = Some(ureq::Error::Timeout(Timeout::Connect));
            }
            Err(error) if is_address_error(&error) => last_error = Some(error.into()),
            Err(error) => return Err(error.into()),
        }
    }
    Err(last_error.unwrap_or_else(|| {
        io::Error::new(io::ErrorKind::ConnectionRefused, "no address to connect to").into()
    }))
}

fn connect_one(addr: SocketAddr, timeout: Option<Duration>) -> io::Result<TcpStream> {
    if let Some(cancel) = cancel::current() {
        return connect_cancellable(addr, timeout, &cancel);
    }
    match timeout {
        Some(timeout) => TcpStream::connect_timeout(&addr, timeout),
        None => TcpStream::connect(addr),
    }
    .map_err(|error| {
        // A connect that runs out of time reports WouldBlock on some systems.
        if error.kind() == io::ErrorKind::WouldBlock {
            io::ErrorKind::TimedOut.into()
        } else {
            error
        }
    })
}

/// Connects without blocking, waiting for the connection in slices and looking at the
/// cancel token between them.
fn connect_cancellable(
    addr: SocketAddr,
    timeout: Option<Duration>,
    cancel: &CancelToken,
) -> io::Result<TcpStream> {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    use rustix::net::{AddressFamily, SocketFlags, SocketType};

    let family = if addr.is_ipv4() {
        AddressFamily::INET
    } else {
        AddressFamily::INET6
    };
    let socket = rustix::net::socket_with(
        family,
        SocketType::STREAM,
        SocketFlags::CLOEXEC | SocketFlags::NONBLOCK,
        None,
    )?;
    match rustix::net::connect(&socket, &addr) {
        Ok(()) => {}
        Err(rustix::io::Errno::INPROGRESS) => {
            let started = Instant::now();
            loop {
                if cancel.is_cancelled() {
                    return Err(cancel::cancelled_io_error());
                }
                let left = timeout.map(|t| t.saturating_sub(started.elapsed()));
                if left.is_some_and(|left| left.is_zero()) {
                    return Err(io::ErrorKind::TimedOut.into());
                }
                let wait = left.map_or(cancel::SLICE, |left| left.min(cancel::SLICE));
                let wait = Timespec::try_from(wait).unwrap_or(Timespec {
                    tv_sec: 0,
                    tv_nsec: 20_000_000,
                });
                let mut fds = [PollFd::new(&socket, PollFlags::OUT)];
                match poll(&mut fds, Some(&wait)) {
                    Ok(0) | Err(rustix::io::Errno::INTR) => continue,
                    Ok(_) => break,
                    Err(error) => return Err(error.into()),
                }
            }
            rustix::net::sockopt::socket_error(&socket)??;
        }
        Err(error) => return Err(error.into()),
    }
    rustix::io::ioctl_fionbio(&socket, false)?;
    Ok(TcpStream::from(socket))
}

/// Errors that concern one address only, after which the next one is worth trying.
fn is_address_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::NetworkDown
            | io::ErrorKind::AddrNotAvailable
    )
}

/// A blocking TCP connection with its buffers and the timeouts last set on it.
#[derive(Debug)]
pub(crate) struct SocketTransport {
    /// Shared (weakly) with the agent, which may shut it down from another thread.
    stream: Arc<TcpStream>,
    buffers: LazyBuffers,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    /// Bytes were read since the last probe: the next probe is the one ureq makes when the
    /// connection goes back to the pool, and is left to the one made when it comes out.
    probed_on_return: bool,
}

/// Sets a socket timeout when the one wanted is not within [`TIMEOUT_SLACK`] of the one set.
fn update_timeout(
    current: &mut Option<Duration>,
    wanted: Option<Duration>,
    set: impl FnOnce(Option<Duration>) -> io::Result<()>,
) -> io::Result<()> {
    let close_enough = match (*current, wanted) {
        (Some(current), Some(wanted)) => current.abs_diff(wanted) <= TIMEOUT_SLACK,
        (None, None) => true,
        _ => false,
    };
    if !close_enough {
        set(wanted)?;
        *current = wanted;
    }
    Ok(())
}

/// ureq's rule: an expired budget fails before any I/O.
fn check(timeout: NextTimeout) -> Result<NextTimeout, ureq::Error> {
    if timeout.after.is_zero() {
        Err(ureq::Error::Timeout(timeout.reason))
    } else {
        Ok(timeout)
    }
}

/// A blocking socket call that ended because its wait ran out or a signal came.
fn is_wait_over(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

fn io_error(error: io::Error, reason: Timeout) -> ureq::Error {
    match error.kind() {
        // A socket timeout shows as WouldBlock on Unix.
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => ureq::Error::Timeout(reason),
        _ => error.into(),
    }
}

impl Transport for SocketTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let timeout = check(timeout.for_write())?;
        let limit = timeout.not_zero().map(|t| *t);
        let mut stream = &*self.stream;
        let Some(cancel) = cancel::current() else {
            update_timeout(&mut self.write_timeout, limit, |t| {
                stream.set_write_timeout(t)
            })?;
            let output = &self.buffers.output()[..amount];
            return stream
                .write_all(output)
                .map_err(|e| io_error(e, timeout.reason));
        };
        // With a cancel token: write in slices, looking at the token between them.
        let started = Instant::now();
        let mut output = &self.buffers.output()[..amount];
        while !output.is_empty() {
            if cancel.is_cancelled() {
                return Err(cancel::cancelled_io_error().into());
            }
            let left = limit.map(|limit| limit.saturating_sub(started.elapsed()));
            if left.is_some_and(|left| left.is_zero()) {
                return Err(ureq::Error::Timeout(timeout.reason));
            }
            let wait = left.map_or(cancel::SLICE, |left| left.min(cancel::SLICE));
            update_timeout(&mut self.write_timeout, Some(wait), |t| {
                stream.set_write_timeout(t)
            })?;
            match stream.write(output) {
                Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero).into()),
                Ok(written) => output = &output[written..],
                Err(e) if is_wait_over(&e) => {}
                Err(e) => return Err(io_error(e, timeout.reason)),
            }
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = check(timeout.for_read())?;
        let limit = timeout.not_zero().map(|t| *t);
        let cancel = cancel::current();
        let started = Instant::now();
        let input = self.buffers.input_append_buf();
        let mut stream = &*self.stream;
        let amount = loop {
            // With a cancel token the read waits in slices, looking at the token between
            // them; without one it waits for the whole time left at once.
            let left = limit.map(|limit| limit.saturating_sub(started.elapsed()));
            if left.is_some_and(|left| left.is_zero()) {
                return Err(ureq::Error::Timeout(timeout.reason));
            }
            let wait = match (&cancel, left) {
                (Some(_), Some(left)) => Some(left.min(cancel::SLICE)),
                (Some(_), None) => Some(cancel::SLICE),
                (None, left) => left,
            };
            update_timeout(&mut self.read_timeout, wait, |t| stream.set_read_timeout(t))?;
            match stream.read(input) {
                Ok(amount) => break amount,
                // Linux does not restart a socket read with a timeout after a signal; a
                // slice that ran out is not the call's timeout either: look again.
                Err(e)
                    if is_wait_over(&e)
                        && (cancel.is_some() || e.kind() == io::ErrorKind::Interrupted) =>
                {
                    if cancel.as_ref().is_some_and(CancelToken::is_cancelled) {
                        return Err(cancel::cancelled_io_error().into());
                    }
                    if limit.is_none() && cancel.is_none() {
                        return Err(e.into());
                    }
                }
                Err(e) => return Err(io_error(e, timeout.reason)),
            }
        };
        self.buffers.input_appended(amount);
        if amount > 0 {
            self.probed_on_return = true;
        }
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        if std::mem::take(&mut self.probed_on_return) {
            // Going back to the pool right after an answer: the probe when it comes out
            // sees the same bytes, and a connection closed meanwhile.
            return true;
        }
        probe(&self.stream)
    }
}

/// Whether a pooled connection can carry another request: still open, and nothing unasked
/// for waiting to be read. One `recv` with `MSG_PEEK | MSG_DONTWAIT`: no switch of the
/// socket to non-blocking and back.
fn probe(stream: &TcpStream) -> bool {
    use rustix::net::{RecvFlags, recv};
    let mut byte = [0u8; 1];
    match recv(stream, &mut byte[..], RecvFlags::PEEK | RecvFlags::DONTWAIT) {
        // Nothing to read: idle and open.
        Err(rustix::io::Errno::AGAIN) => true,
        // A byte nobody asked for, the peer's close (0), or an error: not reusable.
        _ => false,
    }
}
