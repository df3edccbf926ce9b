'use strict';
// Cancellation: an AbortSignal as the library's cancel token, and every call's token ended
// when the process exits.

const { c } = require('./ffi.cjs');

/** The tokens of the calls in flight, and the live clients' exits (see `onExit`). */
const inFlight = new Set();
const exits = new Set();
let exiting = false;

/**
 * When the process exits (`process.exit`, an uncaught exception, a signal handler that
 * exits), every call in flight is cancelled and every client stops logging: the library
 * ends each blocking call within about 20 ms, and no thread of libuv's pool then waits for
 * the main thread, which is exiting, to run a log function or an onPoll.
 */
process.on('exit', () => {
  exiting = true;
  for (const exit of exits) exit();
  for (const cancel of inFlight) c.droplet_cancel_token_cancel(cancel.pointer);
});

/** Runs `fn` when the process exits, until the returned function is called. */
function onExit(fn) {
  exits.add(fn);
  return () => exits.delete(fn);
}

/**
 * A call's `droplet_cancel_token`, cancelled by its AbortSignal (when it has one) or by the
 * process's exit: one atomic store in the library, which ends the C call within about
 * 20 ms. It holds the one listener of the call on the signal (a thousand waits of one
 * waitMany add one), and tells its watchers (sleeps, calls queued for a thread). Freed
 * once no call holds it.
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
    if (exiting || this.signal?.aborted) c.droplet_cancel_token_cancel(this.pointer);
    else this.signal?.addEventListener('abort', this.onAbort, { once: true });
    inFlight.add(this);
  }

  get aborted() {
    return this.signal?.aborted ?? false;
  }

  /** The signal's reason, when it was aborted. */
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

module.exports = { Cancel, onExit };
