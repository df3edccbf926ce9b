//! Cancellation: a token another thread (or a signal handler) triggers to end calls early.
//!
//! Triggering only stores a flag. Every place a call can block looks at that flag at least
//! every [`SLICE`]: sleeps (backoff, poll interval, rate budget) sleep in slices, and while
//! a token is attached the socket's reads, writes and connects wait in slices too. A call
//! without a token pays nothing for this.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The longest a blocked call goes without looking at its token.
pub(crate) const SLICE: Duration = Duration::from_millis(20);

/// A cancellation token: clone it, hand a clone to calls through
/// [`CallOptions::cancel`](crate::CallOptions::cancel) or
/// [`WaitOptions::cancel`](crate::WaitOptions::cancel), and call [`CancelToken::cancel`] from
/// anywhere to end them with [`Error::Cancelled`](crate::Error::Cancelled) within about
/// 20 ms.
///
/// One token may cancel many calls; once cancelled it stays cancelled (make a new one for
/// new calls). Cancelling is a single atomic store: safe from any thread and from a signal
/// handler.
///
/// ```
/// use droplet_action_transport::CancelToken;
/// let token = CancelToken::new();
/// let remote = token.clone();
/// assert!(!token.is_cancelled());
/// remote.cancel();
/// assert!(token.is_cancelled());
/// ```
#[derive(Clone, Debug, Default)]
pub struct CancelToken {
    flag: Arc<AtomicBool>,
}

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every call holding this token, now and later. Async-signal-safe: it only
    /// stores to an atomic flag.
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::Release);
    }

    /// Whether [`CancelToken::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::Acquire)
    }
}

/// Sleeps for `pause`, or less when `cancel` fires; `Err(())` when it did.
pub(crate) fn sleep(pause: Duration, cancel: Option<&CancelToken>) -> Result<(), ()> {
    let Some(cancel) = cancel else {
        std::thread::sleep(pause);
        return Ok(());
    };
    let started = Instant::now();
    loop {
        if cancel.is_cancelled() {
            return Err(());
        }
        let left = pause.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Ok(());
        }
        std::thread::sleep(left.min(SLICE));
    }
}

thread_local! {
    /// The token of the call running on this thread, seen by the socket layer.
    static CURRENT: RefCell<Option<CancelToken>> = const { RefCell::new(None) };
}

/// Attaches a token to the calling thread while it is alive; the socket layer reads it.
pub(crate) struct Attached {
    previous: Option<CancelToken>,
}

impl Attached {
    pub(crate) fn new(cancel: Option<&CancelToken>) -> Self {
        let previous = CURRENT.with(|current| current.replace(cancel.cloned()));
        Self { previous }
    }
}

impl Drop for Attached {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|current| *current.borrow_mut() = previous);
    }
}

/// The token attached to this thread, if any.
pub(crate) fn current() -> Option<CancelToken> {
    CURRENT.with(|current| current.borrow().clone())
}

/// The error the socket layer reports when the attached token fired.
pub(crate) fn cancelled_io_error() -> std::io::Error {
    std::io::Error::other(CancelledIo)
}

#[derive(Debug)]
struct CancelledIo;

impl std::fmt::Display for CancelledIo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the call was cancelled")
    }
}

impl std::error::Error for CancelledIo {}
