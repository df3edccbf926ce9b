//! Closing accepted connections from outside the HTTP server.
//!
//! `tiny_http` keeps every connection alive until the client leaves and gives no handle on its
//! sockets, so it cannot play "the server hung up" (a truncated body, no answer at all), nor
//! let go of its clients when the mock stops. These helpers find the server's own end of a
//! connection among the process's open descriptors and shut it down. They only ever look at
//! duplicates of descriptors and only shut down TCP sockets whose local address is the mock's
//! listening address, so nothing else in the process is touched.

use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};

/// Turns Nagle's algorithm off on `listener`, which the connections it accepts inherit.
///
/// `tiny_http` writes an answer's head and body in separate writes when they do not fit its
/// 1 KiB buffer; with Nagle on, the second write waits for the client's delayed ack (40 ms on
/// Linux), which would make every kept-alive request slow.
#[cfg(unix)]
pub(crate) fn no_delay_for_accepted(listener: &TcpListener) {
    use std::os::fd::OwnedFd;

    // `TCP_NODELAY` is set with `setsockopt`, which works on a listening socket as on any
    // other; `TcpStream` is only the safe way to call it, on a duplicate of the descriptor.
    if let Ok(duplicate) = listener.try_clone() {
        let _ = TcpStream::from(OwnedFd::from(duplicate)).set_nodelay(true);
    }
}

/// Turns Nagle's algorithm off on `listener` where that can be done.
#[cfg(not(unix))]
pub(crate) fn no_delay_for_accepted(_listener: &TcpListener) {}

/// Shuts down the server's end of the connection between `local` and `peer`, if open.
pub(crate) fn close_connection(local: SocketAddr, peer: SocketAddr) {
    for_each_server_socket(local, |stream| {
        if stream.peer_addr().ok() == Some(peer) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    });
}

/// Shuts down every accepted connection whose local address is `local`.
pub(crate) fn close_all(local: SocketAddr) {
    for_each_server_socket(local, |stream| {
        if stream.peer_addr().is_ok() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    });
}

#[cfg(unix)]
fn for_each_server_socket(local: SocketAddr, mut visit: impl FnMut(&TcpStream)) {
    use std::os::fd::{BorrowedFd, RawFd};

    let Ok(entries) = std::fs::read_dir("/dev/fd") else {
        return;
    };
    let fds: Vec<RawFd> = entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    for fd in fds {
        // SAFETY: the borrow lives for this statement only, to duplicate the descriptor
        // (`fcntl(F_DUPFD_CLOEXEC)`). Should `fd` have been closed since it was listed, the
        // duplication fails with EBADF and the descriptor is skipped; should its number have
        // been reused, the duplicate is only inspected below and closed, never the original.
        let Ok(owned) = (unsafe { BorrowedFd::borrow_raw(fd) }).try_clone_to_owned() else {
            continue;
        };
        let stream = TcpStream::from(owned);
        if stream.local_addr().ok() == Some(local) {
            visit(&stream);
        }
    }
}

#[cfg(not(unix))]
fn for_each_server_socket(_local: SocketAddr, _visit: impl FnMut(&TcpStream)) {}
