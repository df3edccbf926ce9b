'use strict';
// Cancellation: an AbortSignal as the library's cancel token.

const { c } = require('./ffi.cjs');

/**
 * A `droplet_cancel_token` cancelled by an AbortSignal: one atomic store in the library,
 * which ends the C call within about 20 ms. It holds the one listener of the call on the
 * signal (a thousand waits of one waitMany add one), and tells its watchers (sleeps,
 * calls queued for a thread). Freed once no call holds it.
 */
class Cancel {
  constructor(signal) {
    this.signal = signal;
    this.watchers = new Set();
    this.pointer = c.droplet_cancel_token_new();
    if (this.pointer === null) throw new Error('droplet_cancel_token_new: out of memory');
    this.onAbort = () => {
      c.droplet_cancel_token_cancel(this.pointer);
      for (const watcher of [...this.watchers]) watcher();
    };
    if (signal.aborted) c.droplet_cancel_token_cancel(this.pointer);
    else signal.addEventListener('abort', this.onAbort, { once: true });
  }

  get aborted() {
    return this.signal.aborted;
  }

  /** Calls `fn` on abort, until the returned function is called. */
  watch(fn) {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  free() {
    this.signal.removeEventListener('abort', this.onAbort);
    c.droplet_cancel_token_free(this.pointer);
    this.pointer = null;
  }
}

module.exports = { Cancel };
