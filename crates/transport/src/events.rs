//! What a client reports while it works: through the `log` facade (target
//! `droplet_action`), and to a hook set on its builder.
//!
//! A message is formatted only when someone listens at its level, so a client nobody
//! listens to pays one comparison per event. Messages never hold the token or proxy
//! credentials: they are built from ids, statuses, durations and redacted URLs only.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use log::Level;

/// The `log` target every event of this crate is logged under.
pub const LOG_TARGET: &str = "droplet_action";

/// A function that receives each event at or above its level: the level and the message.
/// It is called on the thread that makes the call, so it must be quick.
pub type LogHook = Arc<dyn Fn(Level, &str) + Send + Sync>;

/// Where a client's events go.
#[derive(Clone, Default)]
pub(crate) struct Events {
    /// The hook, and the most verbose level it gets (a [`Level`] as `usize`, 0: none),
    /// which the client may change while calls run.
    hook: Option<(LogHook, Arc<AtomicUsize>)>,
}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.hook_level() {
            Some(level) => write!(f, "Events(hook up to {level})"),
            None if self.hook.is_some() => f.write_str("Events(hook off)"),
            None => f.write_str("Events(log facade)"),
        }
    }
}

impl Events {
    pub(crate) fn with_hook(hook: LogHook, max_level: Level) -> Self {
        Self {
            hook: Some((hook, Arc::new(AtomicUsize::new(max_level as usize)))),
        }
    }

    /// A copy whose level changes apart from this one's: builders are cloned, and each
    /// client built has a level of its own.
    pub(crate) fn for_one_client(&self) -> Self {
        Self {
            hook: self.hook.as_ref().map(|(hook, max)| {
                let level = max.load(Ordering::Relaxed);
                (Arc::clone(hook), Arc::new(AtomicUsize::new(level)))
            }),
        }
    }

    /// Changes the level of the hook, if there is one, for the events that follow.
    pub(crate) fn set_hook_level(&self, max_level: Option<Level>) {
        if let Some((_, max)) = &self.hook {
            max.store(max_level.map_or(0, |l| l as usize), Ordering::Relaxed);
        }
    }

    /// The most verbose level the hook gets; `None` without a hook or with it off.
    pub(crate) fn hook_level(&self) -> Option<Level> {
        let (_, max) = self.hook.as_ref()?;
        let max = max.load(Ordering::Relaxed);
        [
            Level::Error,
            Level::Warn,
            Level::Info,
            Level::Debug,
            Level::Trace,
        ]
        .into_iter()
        .find(|l| *l as usize == max)
    }

    /// Whether the hook gets events at `level`.
    #[inline]
    fn hook_enabled(&self, level: Level) -> bool {
        self.hook
            .as_ref()
            .is_some_and(|(_, max)| level as usize <= max.load(Ordering::Relaxed))
    }

    /// Whether an event at `level` reaches anyone.
    #[inline]
    pub(crate) fn enabled(&self, level: Level) -> bool {
        self.hook_enabled(level) || log::log_enabled!(target: LOG_TARGET, level)
    }

    /// Sends one event; `message` is formatted only if someone listens.
    #[inline]
    pub(crate) fn emit(&self, level: Level, message: fmt::Arguments<'_>) {
        if !self.enabled(level) {
            return;
        }
        self.send(level, message);
    }

    #[cold]
    fn send(&self, level: Level, message: fmt::Arguments<'_>) {
        let text = message.to_string();
        log::log!(target: LOG_TARGET, level, "{text}");
        if let Some((hook, _)) = &self.hook
            && self.hook_enabled(level)
        {
            hook(level, &text);
        }
    }
}

/// ` (request id X)` when there is one, for the end of a message.
pub(crate) struct RequestIdSuffix<'a>(pub(crate) Option<&'a str>);

impl fmt::Display for RequestIdSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(id) => write!(f, " (request id {id})"),
            None => Ok(()),
        }
    }
}
