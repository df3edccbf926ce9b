'use strict';
// The waits, on the event loop, driven by the library's sans-IO wait engine
// (droplet_waiter_*): a sleeping wait is a timer, and only a request in flight holds a
// thread. With them, the poll events handed to `onPoll`, the waits of a waitMany started a
// few at a time, and a wait's events as the async iterator of `watch`.

const { koffi, c, callOptions, constants, nowMs } = require('./ffi.cjs');
const { pollEventFromC } = require('./model.cjs');
const { refusal, takeResult } = require('./errors.cjs');
const { callAsync, slots } = require('./threads.cjs');

/** The waits of a waitMany started in one turn of the event loop. */
const START_BATCH = 50;

const STEP_SIZE = koffi.sizeof('droplet_wait_step');
const STEP_KIND = koffi.offsetof('droplet_wait_step', 'kind');
const STEP_TIMEOUT = koffi.offsetof('droplet_wait_step', 'timeout_ms');
const STEP_UNTIL = koffi.offsetof('droplet_wait_step', 'until_ms');

/** Sleeps `ms`, or less when `cancel` fires. */
function sleep(ms, cancel) {
  if (cancel?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    let unwatch = null;
    const done = () => {
      clearTimeout(timer);
      if (unwatch !== null) unwatch();
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (cancel !== null) unwatch = cancel.watch(done);
  });
}

// --- poll events --------------------------------------------------------------------------------

/**
 * The events of the waits with an `onPoll`, by the number each gave the library as its
 * `on_poll_userdata`. The library calls one registered function (`collect`) on the thread
 * that sends, after each request; koffi runs it on the main thread while that thread
 * waits, and it only copies the event here. The wait hands the events to `onPoll` once
 * the request's asynchronous call has resolved, on the event loop.
 */
const pollSinks = new Map();
let nextSink = 1;
let collect = null;

function openSink() {
  collect ??= koffi.register((userdata, event) => {
    try {
      pollSinks.get(Number(userdata))?.push(pollEventFromC(event));
    } catch {
      // nothing may unwind into the library; an event that cannot be copied is lost
    }
  }, 'droplet_poll_callback');
  const id = nextSink;
  nextSink = nextSink === Number.MAX_SAFE_INTEGER ? 1 : nextSink + 1;
  pollSinks.set(id, []);
  return id;
}

/**
 * Hands the events of `sink` to `onPoll`; an exception it throws, or the rejection of a
 * promise it returns, becomes a warning.
 */
function deliver(sink, onPoll) {
  const events = pollSinks.get(sink);
  for (const event of events.splice(0)) {
    try {
      const returned = onPoll(event);
      if ((typeof returned === 'object' || typeof returned === 'function') && returned !== null) {
        if (typeof returned.then === 'function') returned.then(undefined, (error) => warn(event, error));
      }
    } catch (error) {
      warn(event, error);
    }
  }
}

/** The process warning of an `onPoll` that failed on `event`. */
function warn(event, error) {
  const warning = new Error(`onPoll threw for action ${event.actionId}; the wait goes on`, { cause: error });
  warning.name = 'DropletActionWarning';
  process.emitWarning(warning);
}

// --- the waits ----------------------------------------------------------------------------------

/**
 * One wait on the event loop, driven by the library's wait engine: the Action, or the
 * error that ended the wait (returned, not thrown), a refused waiter's included.
 */
async function waitOutcome(client, dropletId, actionId, timeoutMs, pollMs, cancel, onPoll) {
  const sink = onPoll === undefined ? 0 : openSink();
  try {
    const options = callOptions({
      cancel: cancel.pointer,
      timeoutMs,
      pollMs,
      onPoll: sink === 0 ? null : collect,
      userdata: sink === 0 ? null : BigInt(sink),
    });
    const waiter = c.droplet_waiter_new(dropletId, actionId, options, nowMs());
    if (waiter === null) return refusal();
    try {
      const step = Buffer.alloc(STEP_SIZE);
      for (;;) {
        const now = nowMs();
        c.droplet_waiter_next(waiter, now, step);
        const kind = step.readUInt32LE(STEP_KIND);
        if (kind === constants.DROPLET_WAIT_DONE) {
          return takeResult(c.droplet_waiter_result(waiter, now), cancel.reason);
        }
        if (kind === constants.DROPLET_WAIT_SLEEP) {
          await sleep(Math.max(0, Number(step.readBigUInt64LE(STEP_UNTIL)) - now), cancel);
          continue;
        }
        // Still queued for a thread when the request's time is up: never sent, and the
        // waiter, asked again, says what comes next (the deadline passed, or send again).
        if (!(await slots.acquire(step.readUInt32LE(STEP_TIMEOUT), cancel))) continue;
        try {
          await callAsync(c.droplet_waiter_send, client, waiter, nowMs());
        } finally {
          slots.release();
        }
        if (sink !== 0) deliver(sink, onPoll);
      }
    } finally {
      c.droplet_waiter_free(waiter);
    }
  } finally {
    pollSinks.delete(sink);
  }
}

/**
 * The waits of `pairs` ([dropletId, actionId] each) at once, settled, in the order given.
 * They start a few at a time, the event loop turning in between, so that a thousand of
 * them never hold it for long; all have ended when this resolves.
 */
async function waitOutcomes(client, pairs, timeoutMs, pollMs, cancel, onPoll) {
  const running = [];
  for (const [i, [dropletId, actionId]] of pairs.entries()) {
    if (i > 0 && i % START_BATCH === 0) await new Promise(setImmediate);
    running.push(waitOutcome(client, dropletId, actionId, timeoutMs, pollMs, cancel, onPoll));
  }
  return Promise.allSettled(running);
}

/**
 * The abandoned watches: once a watch's iterator is garbage, its wait is aborted. The wait
 * holds its state, never the iterator.
 */
const abandoned = new FinalizationRegistry((stop) => stop.abort());

/**
 * The events of a wait as an async iterator. `wait(onPoll, stop)` runs the wait with the
 * signal `stop`, which aborts with the caller's signal, when the iteration ends early, or
 * when the iterator is garbage; the wait starts with the first `next()`. Unlike an async
 * generator's, `return()` does not queue behind a pending `next()`: it ends the wait at
 * once, and the pending `next()` resolves done.
 */
function watchEvents(wait, signal) {
  return new Watch(new WatchState(wait, signal));
}

/** What a watch's wait shares with its iterator: the events, the outcome, the callers. */
class WatchState {
  constructor(wait, signal) {
    this.wait = wait;
    this.signal = signal;
    this.stop = new AbortController();
    this.events = [];
    /** The pending next() calls: [resolve, reject] each, in order. */
    this.pending = [];
    this.running = null;
    this.ended = false;
    this.outcome = undefined;
    /** Whether the iteration is over: nothing more is handed out. */
    this.finished = false;
    this.forward = () => this.stop.abort(signal.reason);
  }

  start() {
    const { signal } = this;
    if (signal?.aborted) this.forward();
    else signal?.addEventListener('abort', this.forward, { once: true });
    const settle = (outcome) => {
      signal?.removeEventListener('abort', this.forward);
      this.outcome = outcome;
      this.ended = true;
      this.flush();
    };
    this.running = Promise.resolve()
      .then(() =>
        this.wait((event) => {
          this.events.push(event);
          this.flush();
        }, this.stop.signal),
      )
      .then(settle, settle);
  }

  /** Hands out what has come to the pending next() calls. */
  flush() {
    while (this.pending.length > 0 && this.events.length > 0) {
      this.pending.shift()[0]({ value: this.events.shift(), done: false });
    }
    if (this.pending.length > 0 && this.events.length === 0 && this.ended && !this.finished) {
      this.finished = true;
      const [resolve, reject] = this.pending.shift();
      if (this.outcome instanceof Error) reject(this.outcome);
      else resolve({ value: undefined, done: true });
    }
    if (this.finished) this.endPending();
  }

  endPending() {
    for (const [resolve] of this.pending.splice(0)) resolve({ value: undefined, done: true });
  }

  /** Ends the iteration: the wait ends (within about 20 ms), then this resolves. */
  async finish() {
    this.finished = true;
    this.endPending();
    if (this.running !== null && !this.ended) {
      this.stop.abort();
      await this.running;
    }
  }
}

class Watch {
  #state;

  constructor(state) {
    this.#state = state;
  }

  next() {
    const state = this.#state;
    if (state.finished) return Promise.resolve({ value: undefined, done: true });
    if (state.running === null) {
      abandoned.register(this, state.stop, this);
      state.start();
    }
    return new Promise((resolve, reject) => {
      state.pending.push([resolve, reject]);
      state.flush();
    });
  }

  async return(value) {
    abandoned.unregister(this);
    await this.#state.finish();
    return { value, done: true };
  }

  async throw(error) {
    abandoned.unregister(this);
    await this.#state.finish();
    throw error;
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

module.exports = { waitOutcome, waitOutcomes, watchEvents };
