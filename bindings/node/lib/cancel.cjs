'use strict';
// Cancellation: the library's cancel token of each call, cancelled by the call's
// AbortSignal, and by the process's exit.

const { c } = require('./ffi.cjs');

/** The tokens of the calls in flight, cancelled when the process exits. */
const inFlight = new Set();

/**
 * A `droplet_cancel_token`, one per call, with or without an AbortSignal: one atomic store
 * in the library, which ends the C call within about 20 ms. With a signal, it holds the one
 * listener of the call on it (a thousand waits of one waitMany add one), and tells its
 * watchers (sleeps, calls queued for a thread) when it aborts. Freed once no call holds it.
 */
class Cancel {
  constructor(signal) {
    this.signal = signal ?? null;
    this.watchers = new Set();
    this.pointer = c.droplet_cancel_token_new();
    if (this.pointer === null) throw new Error('droplet_cancel_token_new: out of memory');
    this.onAbort = () => {
      c.droplet_cancel_token_cancel(this.pointer);
      for (const watcher of [...this.watchers]) watcher();
    };
    if (this.signal?.aborted) c.droplet_cancel_token_cancel(this.pointer);
    else this.signal?.addEventListener('abort', this.onAbort, { once: true });
    inFlight.add(this);
  }

  get aborted() {
    return this.signal?.aborted ?? false;
  }

  /** The signal's reason, when it aborted. */
  get reason() {
    return this.signal?.reason;
  }

  /** Calls `fn` on abort, until the returned function is called. */
  watch(fn) {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  free() {
    inFlight.delete(this);
    this.signal?.removeEventListener('abort', this.onAbort);
    c.droplet_cancel_token_free(this.pointer);
    this.pointer = null;
  }
}

/**
 * Once the process (or this worker) exits, no call may go on: a pool thread that calls
 * back into JavaScript (a log function, an onPoll) would wait forever for a main thread
 * that is exiting, and one that is blocked on an answer would hold the exit up until the
 * answer comes. The exit cancels every call's token (the library ends the call within
 * about 20 ms and, for a cancelled wait request, calls no on_poll), and `onExit` hooks
 * turn the clients' logging off.
 */
const exitHooks = [];
process.on('exit', () => {
  for (const hook of exitHooks) {
    try {
      hook();
    } catch {
      // the exit goes on
    }
  }
  for (const cancel of inFlight) {
    if (cancel.pointer !== null) c.droplet_cancel_token_cancel(cancel.pointer);
  }
});

/** Runs `hook` when the process exits, before the calls in flight are cancelled. */
function onExit(hook) {
  exitHooks.push(hook);
}

module.exports = { Cancel, onExit };
