//! One accepted connection: its stream (plain or TLS), and the switch with which an answer
//! hangs up on the client ([`scenario::TRUNCATED_BODY`], [`scenario::CLOSE_WITHOUT_ANSWER`]).
//!
//! hyper owns the stream while it serves the connection, and has no way to drop one
//! connection from inside an answer. The task that serves the connection races hyper against
//! the [`HangUp`] switch instead: once the switch is thrown, hyper's connection is dropped, and
//! with it the stream, which closes the socket (after `close_notify` in TLS mode).
//!
//! [`scenario::TRUNCATED_BODY`]: crate::scenario::TRUNCATED_BODY
//! [`scenario::CLOSE_WITHOUT_ANSWER`]: crate::scenario::CLOSE_WITHOUT_ANSWER

use std::future::Future;
use std::io::{self, IoSlice};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio_rustls::server::TlsStream;

/// Hangs up on the client of one connection.
#[derive(Debug, Default)]
pub(crate) struct HangUp {
    /// Set: hang up once the next flush of the stream has completed.
    after_flush: AtomicBool,
    thrown: Notify,
}

impl HangUp {
    /// Hangs up at once: nothing more is written.
    pub(crate) fn now(&self) {
        self.thrown.notify_one();
    }

    /// Hangs up once what was written so far has been flushed to the socket. hyper flushes
    /// after every write it makes and whenever an answer's body makes it wait, so a body that
    /// calls this and then never yields again has its bytes sent, and no more.
    pub(crate) fn after_flush(&self) {
        self.after_flush.store(true, Ordering::SeqCst);
    }

    fn flushed(&self) {
        if self.after_flush.load(Ordering::SeqCst) {
            self.now();
        }
    }

    /// Runs `connection` until it ends, or until the switch is thrown; either way the
    /// connection is dropped on return.
    pub(crate) async fn serve<F: Future>(&self, connection: F) {
        let mut connection = pin!(connection);
        let mut thrown = pin!(self.thrown.notified());
        std::future::poll_fn(|cx| {
            if connection.as_mut().poll(cx).is_ready() || thrown.as_mut().poll(cx).is_ready() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
    }
}

/// The stream of one accepted connection.
pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

/// A [`Stream`] that tells its [`HangUp`] when a flush completes.
pub(crate) struct Watched {
    stream: Stream,
    hang_up: Arc<HangUp>,
}

impl Watched {
    pub(crate) fn new(stream: Stream, hang_up: Arc<HangUp>) -> Watched {
        Watched { stream, hang_up }
    }
}

impl Drop for Watched {
    /// Ends a TLS session with `close_notify` (if it was not ended already) before the socket
    /// closes: a hang-up, a stopping server or a connection hyper is done with. The alert is a
    /// few bytes on a socket with room for them, written without waiting.
    fn drop(&mut self) {
        if let Stream::Tls(tls) = &mut self.stream {
            let (socket, session) = tls.get_mut();
            session.send_close_notify();
            let mut alert = Vec::new();
            while session.wants_write() && session.write_tls(&mut alert).is_ok() {}
            if !alert.is_empty() {
                let _ = socket.try_write(&alert);
            }
        }
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match &mut self.get_mut().stream {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().stream {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().stream {
            Stream::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match &self.stream {
            Stream::Plain(s) => s.is_write_vectored(),
            Stream::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let flushed = ready!(match &mut this.stream {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        });
        if flushed.is_ok() {
            this.hang_up.flushed();
        }
        Poll::Ready(flushed)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().stream {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
