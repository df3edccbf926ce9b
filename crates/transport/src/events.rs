//! What a client reports while it works: through the `log` facade (target
//! `droplet_action`), and to a hook set on its builder.
//!
//! A message is formatted only when someone listens at its level, so a client nobody
//! listens to pays one comparison per event. Messages never hold the token or proxy
//! credentials: they are built from ids, statuses, durations and redacted URLs only.

use std::fmt;
use std::sync::Arc;

pub use log::Level;

/// The `log` target every event of this crate is logged under.
pub const LOG_TARGET: &str = "droplet_action";

/// A function that receives each event at or above its level: the level and the message.
/// It is called on the thread that makes the call, so it must be quick.
pub type LogHook = Arc<dyn Fn(Level, &str) + Send + Sync>;

/// Where a client's events go.
#[derive(Clone, Default)]
pub(crate) struct Events {
    hook: Option<(LogHook, Level)>,
}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.hook {
            Some((_, level)) => write!(f, "Events(hook up to {level})"),
            None => f.write_str("Events(log facade)"),
        }
    }
}

impl Events {
    pub(crate) fn with_hook(hook: LogHook, max_level: Level) -> Self {
        Self {
            hook: Some((hook, max_level)),
        }
    }

    /// Whether an event at `level` reaches anyone.
    #[inline]
    pub(crate) fn enabled(&self, level: Level) -> bool {
        self.hook.as_ref().is_some_and(|(_, max)| level <= *max)
            || log::log_enabled!(target: LOG_TARGET, level)
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
        if let Some((hook, max)) = &self.hook
            && level <= *max
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
