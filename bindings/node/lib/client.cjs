'use strict';
// The Client class and its settings: the library's builder, the client it builds and frees,
// and the calls on it, each holding the client while it runs. The calls themselves are the
// get (get.cjs) and the waits (wait.cjs).

const { koffi, c, constants, nowMs } = require('./ffi.cjs');
const { InvalidArgumentError, refusal, unwrap } = require('./errors.cjs');
const {
  UINT32_MAX,
  checkFunction,
  checkIds,
  checkSignal,
  count,
  milliseconds,
  text,
  waitTiming,
} = require('./arguments.cjs');
const { Cancel, onExit } = require('./cancel.cjs');
const { getOutcome } = require('./get.cjs');
const { slots } = require('./threads.cjs');
const { waitOutcome, waitOutcomes, watchEvents } = require('./wait.cjs');

/** The levels of `logLevel`, as the library numbers them (droplet_client_builder_set_log_callback). */
const LOG_LEVELS = Object.freeze({ off: 0, error: 1, warn: 2, info: 3, debug: 4 });
const LOG_NAMES = new Map(Object.entries(LOG_LEVELS).map(([name, level]) => [level, name]));

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

function logLevel(value) {
  if (!Object.hasOwn(LOG_LEVELS, value)) {
    throw new InvalidArgumentError(`logLevel must be one of ${Object.keys(LOG_LEVELS).join(', ')}, not ${value}`);
  }
  return LOG_LEVELS[value];
}

/** Whether `value` is a promise, or looks like one. */
function isThenable(value) {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof value.then === 'function';
}

function ignore() {}

/** Frees what a client that was never closed holds, once it is garbage. */
const finalizer = new FinalizationRegistry((native) => native.free());

/** The clients not yet freed that have a log function. */
const logging = new Set();

// Once the process exits, the library logs no more: a pool thread would wait forever for
// an exiting main thread to run the log function.
onExit(() => {
  for (const native of logging) {
    if (native.pointer !== null) c.droplet_client_set_log_level(native.pointer, LOG_LEVELS.off);
  }
});

/** What a client owns in the C library: its pointer and its log callback. */
class Native {
  constructor(pointer, logCallback) {
    this.pointer = pointer;
    this.logCallback = logCallback;
    if (logCallback !== null) logging.add(this);
  }

  free() {
    logging.delete(this);
    if (this.pointer !== null) c.droplet_client_free(this.pointer);
    this.pointer = null;
    if (this.logCallback !== null) koffi.unregister(this.logCallback);
    this.logCallback = null;
  }
}

/**
 * The names of the settings, for the message of an unknown one: those the constructor
 * reads (it takes any other name for a mistake).
 */
const SETTINGS = Object.freeze([
  'token', 'baseUrl', 'timeout', 'connectTimeout', 'maxRetries', 'backoff', 'bodyLimit', 'userAgent',
  'proxy', 'proxyFromEnv', 'caFile', 'allowInsecureHttp', 'requestsPerMinute', 'log', 'logLevel',
]);

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
      ...unknown
    } = settings;
    // A name not read above is a mistake (a misspelling, another package's setting).
    const [stray] = Object.keys(unknown);
    if (stray !== undefined) {
      throw new TypeError(`unknown setting ${stray}; the settings are ${SETTINGS.join(', ')}`);
    }
    if (typeof proxyFromEnv !== 'boolean') throw new TypeError('proxyFromEnv must be a boolean');
    if (typeof allowInsecureHttp !== 'boolean') throw new TypeError('allowInsecureHttp must be a boolean');
    if (proxy !== undefined && proxyFromEnv) {
      throw new InvalidArgumentError('proxy and proxyFromEnv: true exclude each other');
    }
    if (backoff !== undefined && (!Array.isArray(backoff) || backoff.length !== 2)) {
      throw new TypeError('backoff must be a pair [base, max] of milliseconds');
    }
    if (requestsPerMinute === 0 || requestsPerMinute === 0n) {
      const none = constants.DROPLET_NO_PACING;
      throw new InvalidArgumentError(
        `requestsPerMinute must be at least 1 (undefined: the default pacing, ${none}: none), not 0`,
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
      // from: a call on a worker thread waits until it has run. An exception it throws, or
      // the rejection of a promise it returns, is dropped; it never reaches the library.
      logCallback = koffi.register((_userdata, cLevel, message) => {
        try {
          const returned = log(LOG_NAMES.get(cLevel) ?? 'debug', message);
          if (isThenable(returned)) returned.then(undefined, ignore);
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

  /**
   * Runs `call(pointer, cancel)` with the client held, and a Cancel of its own (with
   * `signal`, when given, or none), which the process's exit cancels too: both are let go
   * once it has ended, the token first.
   */
  async #hold(signal, call) {
    if (this.#closing || this.#native === null) throw new InvalidArgumentError('the client is closed');
    this.#inFlight++;
    let cancel = null;
    try {
      cancel = new Cancel(signal);
      return await call(this.#native.pointer, cancel);
    } finally {
      cancel?.free();
      this.#inFlight--;
      if (this.#closing && this.#inFlight === 0) this.#free();
    }
  }

  /**
   * Retrieves one action, with the client's retries. `timeout` bounds the whole call from
   * this moment, time queued for a thread included; `signal` aborts it.
   */
  async get(dropletId, actionId, options = {}) {
    const { timeout, signal } = options;
    checkIds(dropletId, actionId);
    const timeoutMs = milliseconds(timeout, 'timeout');
    checkSignal(signal);
    const started = nowMs();
    return unwrap(
      await this.#hold(signal, (pointer, cancel) =>
        getOutcome(pointer, dropletId, actionId, started, timeoutMs, cancel),
      ),
    );
  }

  /**
   * Polls an action every `pollInterval` ms until it completes, and returns it; rejects
   * with ActionErroredError, TimeoutError (with `last`) when `timeout` ms passed, or the
   * error that ended it. Runs on the event loop: sleeps are timers, and each request runs on
   * a thread of libuv's pool. `onPoll` gets a PollEvent after each request.
   */
  async wait(dropletId, actionId, options = {}) {
    const { timeout, pollInterval, signal, onPoll } = options;
    const args = [...checkIds(dropletId, actionId), ...waitTiming(timeout, pollInterval, signal)];
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
    const args = [...checkIds(dropletId, actionId), ...waitTiming(timeout, pollInterval, signal)];
    // A closed client rejects from the first next(), as the wait starts.
    const wait = (onPoll, stop) => this.#wait(args, stop, onPoll);
    return watchEvents(wait, signal);
  }

  /** One wait, with the client held while it runs: its outcome (an Action or an error). */
  #wait([dropletId, actionId, timeoutMs, pollMs], signal, onPoll) {
    return this.#hold(signal, (pointer, cancel) =>
      waitOutcome(pointer, dropletId, actionId, timeoutMs, pollMs, cancel, onPoll),
    );
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
      return checkIds(ref[0], ref[1]);
    });
    if (pairs.length === 0) throw new InvalidArgumentError('no actions to wait for');
    const [timeoutMs, pollMs] = waitTiming(timeout, pollInterval, signal);
    checkFunction(onPoll, 'onPoll');
    if (typeof returnExceptions !== 'boolean') throw new TypeError('returnExceptions must be a boolean');
    const settled = await this.#hold(signal, (pointer, cancel) =>
      waitOutcomes(pointer, pairs, timeoutMs, pollMs, cancel, onPoll),
    );
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

/** The version of the C library in use (droplet_version()). */
function libraryVersion() {
  return c.droplet_version();
}

module.exports = { Client, defaults, libraryVersion, threads: slots.size };
