'use strict';
// The waits, on the event loop, driven by the library's sans-IO wait engine
// (droplet_waiter_*): a sleeping wait is a timer, and only a request in flight holds a
// thread. With them, the poll events handed to `onPoll`, the waits of a waitMany started a
// few at a time, and a wait's events as the async iterator of `watch`.

const { koffi, c, callOptions, constants, nowMs } = require('./ffi.cjs');
const { pollEventFromC } = require('./model.cjs');
const { refusal, takeResult, unwrap } = require('./errors.cjs');
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
 * The events of a wait as an async iterator. `wait(onPoll, stop)` runs the wait with the
 * signal `stop`, which aborts with the caller's signal, or when the iteration ends early.
 */
async function* watchEvents(wait, signal) {
  const stop = new AbortController();
  const forward = () => stop.abort(signal.reason);
  if (signal?.aborted) forward();
  else signal?.addEventListener('abort', forward, { once: true });
  const events = [];
  let wake = null;
  let outcome;
  let ended = false;
  const running = wait((event) => {
    events.push(event);
    wake?.();
  }, stop.signal).then(
    (value) => {
      outcome = value;
      ended = true;
      wake?.();
    },
    (error) => {
      outcome = error;
      ended = true;
      wake?.();
    },
  );
  try {
    for (;;) {
      if (events.length > 0) {
        yield events.shift();
      } else if (ended) {
        break;
      } else {
        await new Promise((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
    }
    unwrap(outcome);
  } finally {
    signal?.removeEventListener('abort', forward);
    if (!ended) {
      // Ended early: the wait ends within about 20 ms of its token, and only then are its
      // waiter and its hold on the client let go.
      stop.abort();
      await running;
    }
  }
}

module.exports = { waitOutcome, waitOutcomes, watchEvents };
