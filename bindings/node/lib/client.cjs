'use strict';
// Client: the blocking C calls made off the main thread (koffi's asynchronous calls, on
// libuv's thread pool), and waits driven on the event loop by the library's wait engine
// (droplet_waiter_*): a sleeping wait is a timer, and only a request in flight holds a
// thread.

const { koffi, c, constants, nowMs } = require('./ffi.cjs');
const { pollEventFromC } = require('./model.cjs');
const {
  CancelledError,
  InvalidArgumentError,
  TimeoutError,
  refusal,
  takeResult,
} = require('./errors.cjs');

const UINT32_MAX = 2 ** 32 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const OPTIONS_SIZE = koffi.sizeof('droplet_call_options');
const LOG_LEVELS = Object.freeze({ off: 0, error: 1, warn: 2, info: 3, debug: 4 });
const LOG_NAMES = ['off', 'error', 'warn', 'info', 'debug'];
/** The waits of a waitMany started in one turn of the event loop. */
const START_BATCH = 50;

/** The library's defaults (droplet_defaults_get), in milliseconds and counts. */
const defaults = (() => {
  const d = c.droplet_defaults_get();
  return Object.freeze({
    timeout: Number(d.timeout_ms),
    connectTimeout: Number(d.connect_timeout_ms),
    maxRetries: d.max_retries,
    backoff: Object.freeze([Number(d.backoff_base_ms), Number(d.backoff_max_ms)]),
    maxRetryAfter: Number(d.max_retry_after_ms),
    bodyLimit: Number(d.body_limit),
    waitTimeout: Number(d.wait_timeout_ms),
    pollInterval: Number(d.poll_interval_ms),
    requestsPerMinute: d.requests_per_minute,
    requestsPerHour: d.requests_per_hour,
  });
})();

// --- the threads ----------------------------------------------------------------------------

/**
 * The blocking calls in flight at once, for the whole process: as many as libuv's thread
 * pool has threads (UV_THREADPOOL_SIZE, default 4), so that a call never waits in libuv's
 * queue, where its time could not be counted, and koffi's queue of asynchronous calls never
 * overflows. Calls beyond wait here, in order; a call whose timeout passes or whose signal
 * aborts while it waits is taken off the queue, and nothing is sent.
 */
class Slots {
  constructor(size) {
    this.size = size;
    this.busy = 0;
    this.queue = [];
  }

  /** Resolves to true once a slot is held, false when `timeoutMs` passed or `cancel` fired. */
  acquire(timeoutMs, cancel) {
    if (cancel?.aborted) return Promise.resolve(false);
    if (this.busy < this.size && this.queue.length === 0) {
      this.busy++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      let timer = null;
      let unwatch = null;
      const leave = (granted) => {
        if (timer !== null) clearTimeout(timer);
        if (unwatch !== null) unwatch();
        resolve(granted);
      };
      const entry = () => leave(true);
      const drop = () => {
        const index = this.queue.indexOf(entry);
        if (index >= 0) this.queue.splice(index, 1);
        leave(false);
      };
      if (timeoutMs !== undefined) timer = setTimeout(drop, Math.max(0, timeoutMs));
      if (cancel !== null) unwatch = cancel.watch(drop);
      this.queue.push(entry);
    });
  }

  release() {
    const next = this.queue.shift();
    if (next !== undefined) next();
    else this.busy--;
  }
}

function poolSize() {
  const size = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10);
  return Number.isInteger(size) && size > 0 ? Math.min(size, 1024) : 4;
}

const slots = new Slots(poolSize());

/** A koffi asynchronous call as a promise. */
function callAsync(fn, ...args) {
  return new Promise((resolve, reject) => {
    fn.async(...args, (error, value) => (error ? reject(error) : resolve(value)));
  });
}

// --- cancellation -------------------------------------------------------------------------------

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

function cancelled(signal) {
  return new CancelledError('the call was aborted', { cause: signal.reason });
}

// --- arguments ----------------------------------------------------------------------------------

function checkId(value, name) {
  if (typeof value === 'bigint') {
    if (value < INT64_MIN || value > INT64_MAX) {
      throw new InvalidArgumentError(`${name} ${value} does not fit in 64 bits`);
    }
    return value;
  }
  if (!Number.isSafeInteger(value)) {
    throw new TypeError(`${name} must be a safe integer or a bigint, not ${describe(value)}`);
  }
  return value;
}

function describe(value) {
  return typeof value === 'number' ? String(value) : typeof value;
}

/** Milliseconds for the C library, rounded up; 0 (the library's default) for undefined. */
function milliseconds(value, name) {
  if (value === undefined) return 0;
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a number of milliseconds, not ${typeof value}`);
  }
  if (!Number.isFinite(value) || value <= 0 || value > UINT32_MAX) {
    throw new InvalidArgumentError(`${name} must be above 0 and at most ${UINT32_MAX} ms, not ${value}`);
  }
  return Math.ceil(value);
}

function count(value, name, maximum) {
  if (typeof value !== 'number' && typeof value !== 'bigint') {
    throw new TypeError(`${name} must be an integer, not ${typeof value}`);
  }
  if (typeof value === 'number' && !Number.isInteger(value)) {
    throw new InvalidArgumentError(`${name} must be an integer, not ${value}`);
  }
  if (value < 0 || value > maximum) {
    throw new InvalidArgumentError(`${name} must be between 0 and ${maximum}, not ${value}`);
  }
  return value;
}

function text(value, name) {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, not ${typeof value}`);
  if (value.includes('\0')) throw new InvalidArgumentError(`${name} holds a NUL character`);
  return value;
}

function checkSignal(signal) {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError('signal must be an AbortSignal');
  }
}

function checkFunction(value, name) {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${name} must be a function`);
  }
}

function logLevel(value) {
  if (!Object.hasOwn(LOG_LEVELS, value)) {
    throw new InvalidArgumentError(`logLevel must be one of ${Object.keys(LOG_LEVELS).join(', ')}, not ${value}`);
  }
  return LOG_LEVELS[value];
}

// --- the client -----------------------------------------------------------------------------------

/** Frees what a client that was never closed holds, once it is garbage. */
const finalizer = new FinalizationRegistry((native) => native.free());

/** What a client owns in the C library: its pointer and its log callback. */
class Native {
  constructor(pointer, logCallback) {
    this.pointer = pointer;
    this.logCallback = logCallback;
  }

  free() {
    if (this.pointer !== null) c.droplet_client_free(this.pointer);
    this.pointer = null;
    if (this.logCallback !== null) koffi.unregister(this.logCallback);
    this.logCallback = null;
  }
}

/** Marks the settings `fromEnv` hands to the constructor. */
const FROM_ENV = Symbol('fromEnv');

class Client {
  #native = null;
  #inFlight = 0;
  #closing = false;

  constructor(settings) {
    if (settings === null || typeof settings !== 'object') {
      throw new TypeError('Client takes an object of settings: new Client({ token, ... })');
    }
    const fromEnv = settings[FROM_ENV] === true;
    const {
      token,
      baseUrl,
      timeout,
      connectTimeout,
      maxRetries,
      backoff,
      bodyLimit,
      userAgent,
      proxy,
      proxyFromEnv = false,
      caFile,
      allowInsecureHttp = false,
      requestsPerMinute,
      log,
      logLevel: level = 'info',
    } = settings;
    if (typeof proxyFromEnv !== 'boolean') throw new TypeError('proxyFromEnv must be a boolean');
    if (typeof allowInsecureHttp !== 'boolean') throw new TypeError('allowInsecureHttp must be a boolean');
    if (proxy !== undefined && proxyFromEnv) {
      throw new InvalidArgumentError('proxy and proxyFromEnv: true exclude each other');
    }
    if (backoff !== undefined && (!Array.isArray(backoff) || backoff.length !== 2)) {
      throw new TypeError('backoff must be a pair [base, max] of milliseconds');
    }
    if (requestsPerMinute === 0) {
      throw new InvalidArgumentError(
        `requestsPerMinute must be at least 1 (undefined: the default pacing, ${UINT32_MAX}: none), not 0`,
      );
    }
    checkFunction(log, 'log');
    // From the environment, the token is the library's to read unless one is given.
    const settings_ = [];
    if (!fromEnv || token !== undefined) {
      settings_.push([c.droplet_client_builder_set_token, text(token, 'token')]);
    }
    settings_.push([c.droplet_client_builder_set_allow_insecure_http, allowInsecureHttp]);
    if (timeout !== undefined) {
      settings_.push([c.droplet_client_builder_set_timeout_ms, milliseconds(timeout, 'timeout')]);
    }
    if (connectTimeout !== undefined) {
      settings_.push([
        c.droplet_client_builder_set_connect_timeout_ms,
        milliseconds(connectTimeout, 'connectTimeout'),
      ]);
    }
    if (maxRetries !== undefined) {
      settings_.push([c.droplet_client_builder_set_max_retries, count(maxRetries, 'maxRetries', UINT32_MAX)]);
    }
    if (backoff !== undefined) {
      settings_.push([
        c.droplet_client_builder_set_backoff_ms,
        milliseconds(backoff[0], 'backoff[0]'),
        milliseconds(backoff[1], 'backoff[1]'),
      ]);
    }
    if (bodyLimit !== undefined) {
      settings_.push([c.droplet_client_builder_set_body_limit, count(bodyLimit, 'bodyLimit', 2n ** 64n - 1n)]);
    }
    if (baseUrl !== undefined) settings_.push([c.droplet_client_builder_set_base_url, text(baseUrl, 'baseUrl')]);
    if (userAgent !== undefined) {
      settings_.push([c.droplet_client_builder_set_user_agent, text(userAgent, 'userAgent')]);
    }
    if (proxy !== undefined) settings_.push([c.droplet_client_builder_set_proxy, text(proxy, 'proxy')]);
    if (proxyFromEnv) settings_.push([c.droplet_client_builder_set_proxy_from_env, true]);
    if (requestsPerMinute !== undefined) {
      settings_.push([
        c.droplet_client_builder_set_requests_per_minute,
        count(requestsPerMinute, 'requestsPerMinute', UINT32_MAX),
      ]);
    }
    if (caFile !== undefined) settings_.push([c.droplet_client_builder_set_ca_file, text(caFile, 'caFile')]);
    let logCallback = null;
    if (log !== undefined) {
      const maxLevel = logLevel(level);
      // koffi runs this function on the main thread, whichever thread the library logs
      // from: a call on a worker thread waits until it has run. An exception it throws is
      // dropped; it never reaches the library.
      logCallback = koffi.register((_userdata, cLevel, message) => {
        try {
          log(LOG_NAMES[cLevel] ?? 'debug', message);
        } catch {
          // dropped: a log function must not end the call that logged
        }
      }, 'droplet_log_callback');
      settings_.push([c.droplet_client_builder_set_log_callback, logCallback, null, maxLevel]);
    } else if (settings.logLevel !== undefined) {
      logLevel(level);
    }
    const builder = fromEnv ? c.droplet_client_builder_new_from_env() : c.droplet_client_builder_new();
    if (builder === null) throw new Error('droplet_client_builder_new: out of memory');
    for (const [setter, ...args] of settings_) {
      if (setter(builder, ...args) !== constants.DROPLET_STATUS_OK) {
        const error = refusal();
        c.droplet_client_builder_free(builder);
        if (logCallback !== null) koffi.unregister(logCallback);
        throw error;
      }
    }
    const out = Buffer.alloc(8);
    // The build frees the builder in every case.
    if (c.droplet_client_builder_build(builder, out) !== constants.DROPLET_STATUS_OK) {
      const error = refusal();
      if (logCallback !== null) koffi.unregister(logCallback);
      throw error;
    }
    this.#native = new Native(out.readBigUInt64LE(0), logCallback);
    finalizer.register(this, this.#native, this);
  }

  /**
   * A client configured from the environment by the library's builder
   * (droplet_client_builder_new_from_env): the token from DIGITALOCEAN_ACCESS_TOKEN, else
   * DIGITALOCEAN_TOKEN; the base URL from DIGITALOCEAN_API_URL when set. Settings given win
   * over the environment. InvalidArgumentError when no token is set.
   */
  static fromEnv(settings = {}) {
    if (settings === null || typeof settings !== 'object') throw new TypeError('settings must be an object');
    return new Client({ ...settings, [FROM_ENV]: true });
  }

  /** Whether `close` was called. */
  get closed() {
    return this.#closing;
  }

  /** Frees the client once the calls running on it end; later calls reject. */
  close() {
    this.#closing = true;
    if (this.#inFlight === 0) this.#free();
  }

  #free() {
    if (this.#native !== null) {
      finalizer.unregister(this);
      this.#native.free();
      this.#native = null;
    }
  }

  #enter() {
    if (this.#closing || this.#native === null) throw new InvalidArgumentError('the client is closed');
    this.#inFlight++;
    return this.#native.pointer;
  }

  #leave() {
    this.#inFlight--;
    if (this.#closing && this.#inFlight === 0) this.#free();
  }

  /**
   * Retrieves one action, with the client's retries. `timeout` bounds the whole call from
   * this moment, time queued for a thread included; `signal` aborts it.
   */
  async get(dropletId, actionId, options = {}) {
    const { timeout, signal } = options;
    checkId(dropletId, 'dropletId');
    checkId(actionId, 'actionId');
    const timeoutMs = milliseconds(timeout, 'timeout');
    checkSignal(signal);
    const started = nowMs();
    const pointer = this.#enter();
    let cancel = null;
    try {
      if (signal?.aborted) throw cancelled(signal);
      cancel = signal === undefined ? null : new Cancel(signal);
      if (!(await slots.acquire(timeoutMs === 0 ? undefined : timeoutMs, cancel))) {
        if (signal?.aborted) throw cancelled(signal);
        throw new TimeoutError("no thread was free to send the request within the call's timeout");
      }
      let result;
      try {
        const left = timeoutMs === 0 ? 0 : Math.max(1, started + timeoutMs - nowMs());
        const callOptions =
          cancel === null && timeoutMs === 0
            ? null
            : { size: OPTIONS_SIZE, cancel: cancel?.pointer ?? null, timeout_ms: left, poll_interval_ms: 0 };
        result = await callAsync(c.droplet_action_get_with_options, pointer, dropletId, actionId, callOptions);
      } finally {
        slots.release();
      }
      return unwrap(takeResult(result, signal?.reason));
    } finally {
      cancel?.free();
      this.#leave();
    }
  }

  /**
   * Polls an action every `pollInterval` ms until it completes, and returns it; rejects
   * with ActionErroredError, TimeoutError (with `last`) when `timeout` ms passed, or the
   * error that ended it. Runs on the event loop: sleeps are timers, and each request runs on
   * a thread of libuv's pool. `onPoll` gets a PollEvent after each request.
   */
  async wait(dropletId, actionId, options = {}) {
    const { timeout, pollInterval, signal, onPoll } = options;
    const args = waitArguments(dropletId, actionId, timeout, pollInterval, signal);
    checkFunction(onPoll, 'onPoll');
    return unwrap(await this.#wait(args, signal, onPoll));
  }

  /**
   * The same wait as `wait`, as an async iterator of its PollEvents, one per request. It
   * ends when the action completed, and throws what `wait` rejects with otherwise. Ending
   * the iteration early (`break`, `return()`) ends the wait.
   */
  watch(dropletId, actionId, options = {}) {
    const { timeout, pollInterval, signal } = options;
    const args = waitArguments(dropletId, actionId, timeout, pollInterval, signal);
    if (this.#closing) throw new InvalidArgumentError('the client is closed');
    const wait = (onPoll, stop) => this.#wait(args, stop, onPoll);
    return watchEvents(wait, signal);
  }

  /** One wait, with the client held while it runs: its outcome (an Action or an error). */
  async #wait([dropletId, actionId, timeoutMs, pollMs], signal, onPoll) {
    const pointer = this.#enter();
    const cancel = signal === undefined ? null : new Cancel(signal);
    try {
      return await waitOutcome(pointer, dropletId, actionId, timeoutMs, pollMs, cancel, onPoll);
    } finally {
      cancel?.free();
      this.#leave();
    }
  }

  /**
   * Waits for many actions, given as [dropletId, actionId] pairs, at once. Resolves to
   * their Actions in the order given; rejects with the first failure in that order once
   * all have ended, or, with `returnExceptions`, puts each error in place of its action.
   */
  async waitMany(refs, options = {}) {
    const { timeout, pollInterval, signal, onPoll, returnExceptions = false } = options;
    if (refs === null || typeof refs !== 'object' || typeof refs[Symbol.iterator] !== 'function') {
      throw new TypeError('refs must be an iterable of [dropletId, actionId] pairs');
    }
    const pairs = [...refs].map((ref) => {
      if (!Array.isArray(ref) || ref.length !== 2) {
        throw new TypeError('each ref must be a [dropletId, actionId] pair');
      }
      return [checkId(ref[0], 'dropletId'), checkId(ref[1], 'actionId')];
    });
    if (pairs.length === 0) throw new InvalidArgumentError('no actions to wait for');
    const timeoutMs = milliseconds(timeout, 'timeout');
    const pollMs = milliseconds(pollInterval, 'pollInterval');
    checkSignal(signal);
    checkFunction(onPoll, 'onPoll');
    if (typeof returnExceptions !== 'boolean') throw new TypeError('returnExceptions must be a boolean');
    const pointer = this.#enter();
    const cancel = signal === undefined ? null : new Cancel(signal);
    let settled;
    try {
      // The waits start a few at a time, the event loop turning in between, so that a
      // thousand of them never hold it for long. Every wait ends before the token and the
      // client are let go, whatever happens.
      const running = [];
      for (const [i, [d, a]] of pairs.entries()) {
        if (i > 0 && i % START_BATCH === 0) await new Promise(setImmediate);
        running.push(waitOutcome(pointer, d, a, timeoutMs, pollMs, cancel, onPoll));
      }
      settled = await Promise.allSettled(running);
    } finally {
      cancel?.free();
      this.#leave();
    }
    const broken = settled.find((result) => result.status === 'rejected');
    if (broken !== undefined) throw broken.reason;
    const outcomes = settled.map((result) => result.value);
    if (!returnExceptions) {
      const failure = outcomes.find((outcome) => outcome instanceof Error);
      if (failure !== undefined) throw failure;
    }
    return outcomes;
  }
}

/** The checked arguments of one wait: [dropletId, actionId, timeoutMs, pollMs]. */
function waitArguments(dropletId, actionId, timeout, pollInterval, signal) {
  const args = [
    checkId(dropletId, 'dropletId'),
    checkId(actionId, 'actionId'),
    milliseconds(timeout, 'timeout'),
    milliseconds(pollInterval, 'pollInterval'),
  ];
  checkSignal(signal);
  return args;
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

/** Hands the events of `sink` to `onPoll`; an exception it throws becomes a warning. */
function deliver(sink, onPoll) {
  const events = pollSinks.get(sink);
  for (const event of events.splice(0)) {
    try {
      onPoll(event);
    } catch (error) {
      const warning = new Error(`onPoll threw for action ${event.actionId}; the wait goes on`, { cause: error });
      warning.name = 'DropletActionWarning';
      process.emitWarning(warning);
    }
  }
}

/**
 * One wait on the event loop, driven by the library's wait engine: the Action, or the
 * error that ended the wait (returned, not thrown), a refused waiter's included.
 */
async function waitOutcome(client, dropletId, actionId, timeoutMs, pollMs, cancel, onPoll) {
  const sink = onPoll === undefined ? 0 : openSink();
  try {
    const options = {
      size: OPTIONS_SIZE,
      cancel: cancel?.pointer ?? null,
      timeout_ms: timeoutMs,
      poll_interval_ms: pollMs,
      on_poll: sink === 0 ? null : collect,
      on_poll_userdata: sink === 0 ? null : BigInt(sink),
    };
    const waiter = c.droplet_waiter_new(dropletId, actionId, options, nowMs());
    if (waiter === null) return refusal();
    try {
      const step = Buffer.alloc(STEP_SIZE);
      for (;;) {
        const now = nowMs();
        c.droplet_waiter_next(waiter, now, step);
        const kind = step.readUInt32LE(STEP_KIND);
        if (kind === constants.DROPLET_WAIT_DONE) {
          return takeResult(c.droplet_waiter_result(waiter, now), cancel?.signal.reason);
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

const STEP_SIZE = koffi.sizeof('droplet_wait_step');
const STEP_KIND = koffi.offsetof('droplet_wait_step', 'kind');
const STEP_TIMEOUT = koffi.offsetof('droplet_wait_step', 'timeout_ms');
const STEP_UNTIL = koffi.offsetof('droplet_wait_step', 'until_ms');

function unwrap(outcome) {
  if (outcome instanceof Error) throw outcome;
  return outcome;
}

/** The version of the C library in use (droplet_version()). */
function libraryVersion() {
  return c.droplet_version();
}

module.exports = { Client, defaults, libraryVersion, threads: slots.size };
