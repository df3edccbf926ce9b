// Types of the droplet-action package (written by hand beside the JavaScript, which ships
// as it is written: no build step). `tsc --strict` checks them on consumer files in CI.

/** The status of an action; the text the API sent is `Action.statusText`. */
export declare const ActionStatus: {
  readonly IN_PROGRESS: 'in-progress';
  readonly COMPLETED: 'completed';
  readonly ERRORED: 'errored';
  readonly UNKNOWN: 'unknown';
};
export type ActionStatus = (typeof ActionStatus)[keyof typeof ActionStatus];

/** What a call ended with: the C library's `droplet_status` numbers. */
export declare const Status: {
  readonly OK: 0;
  readonly INVALID_ARGUMENT: 1;
  readonly TRANSPORT: 2;
  readonly TIMEOUT: 3;
  readonly API_ERROR: 4;
  readonly DECODE: 5;
  readonly BODY_TOO_LARGE: 6;
  readonly ACTION_ERRORED: 7;
  readonly PANIC: 8;
  readonly CANCELLED: 9;
  readonly RATE_LIMITED: 10;
};
export type Status = (typeof Status)[keyof typeof Status];

/** A region, as embedded in an action. */
export interface Region {
  readonly slug: string | null;
  readonly name: string | null;
  readonly sizes: readonly string[];
  readonly features: readonly string[];
  /** Whether new droplets can be created there; null when absent. */
  readonly available: boolean | null;
}

/** A droplet action. Every field is optional in the API: null when absent or null. */
export interface Action {
  readonly id: number | null;
  /** null when absent; `ActionStatus.UNKNOWN` for a status this package does not know. */
  readonly status: ActionStatus | null;
  /** The status exactly as sent ("in-progress", "paused", ...). */
  readonly statusText: string | null;
  readonly type: string | null;
  readonly startedAt: Date | null;
  /** null while the action runs. */
  readonly completedAt: Date | null;
  readonly resourceId: number | null;
  readonly resourceType: string | null;
  readonly regionSlug: string | null;
  readonly region: Region | null;
}

/** The account's rate limit, from the ratelimit-* headers of the last answer. */
export interface RateLimit {
  readonly limit: number;
  readonly remaining: number;
  /** Unix seconds at which the oldest request in the window expires. */
  readonly reset: number;
  /** `reset` as a Date. */
  readonly resetAt: Date;
}

/**
 * What a wait reports after each request (`droplet_poll_event`): the response's action
 * status, or the failure a retry answers. Python's `PollEvent` in camelCase; times are
 * milliseconds.
 */
export interface PollEvent {
  readonly dropletId: number | bigint;
  readonly actionId: number | bigint;
  /** The action's status in the response; null when no action came. */
  readonly status: ActionStatus | null;
  /** The status exactly as sent, or null. */
  readonly statusText: string | null;
  /** The response's HTTP status; null when no response came. */
  readonly httpStatus: number | null;
  /** Milliseconds since the wait started. */
  readonly elapsedMs: number;
  /** Polls so far, this one included. */
  readonly polls: number;
  /** Requests so far, retries included. */
  readonly requests: number;
  /** Milliseconds until the next poll; null once the wait is over. */
  readonly nextPollInMs: number | null;
}

export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug';
export type Id = number | bigint;

/** The settings of a Client. Durations are milliseconds; unset means the library's default. */
export interface Settings {
  /** The API base URL (default https://api.digitalocean.com; plain http for loopback only). */
  baseUrl?: string;
  /** The longest one attempt may take. */
  timeout?: number;
  /** The longest connecting may take. */
  connectTimeout?: number;
  /** How many times a failed request (connection, 408, 429, 5xx) is sent again. */
  maxRetries?: number;
  /** The backoff between retries: [base, max], doubling from base. */
  backoff?: readonly [number, number];
  /** The largest answer body accepted, in bytes. */
  bodyLimit?: number | bigint;
  userAgent?: string;
  /** An http://, socks4://, socks4a://, socks5:// or socks5h:// proxy URL. */
  proxy?: string;
  /** Take the proxy from the environment, as curl does. */
  proxyFromEnv?: boolean;
  /** A PEM bundle trusted beside the system's and the bundled roots. */
  caFile?: string;
  /** Allow plain http to a host that is not loopback. */
  allowInsecureHttp?: boolean;
  /**
   * Requests a minute for the whole client (default: 250 for DigitalOcean's API, none
   * elsewhere); at least 1.
   */
  requestsPerMinute?: number;
  /**
   * Receives the library's events, on the main thread, in order; never the token. An
   * exception it throws, or a promise it returns that rejects, is dropped.
   */
  log?: (level: Exclude<LogLevel, 'off'>, message: string) => unknown;
  /** The most verbose level `log` gets (default 'info'). */
  logLevel?: LogLevel;
}

export interface ClientOptions extends Settings {
  token: string;
}

export interface GetOptions {
  /** The longest the whole call may take, time queued for a thread and retries included. */
  timeout?: number;
  signal?: AbortSignal;
}

export interface WaitOptions {
  /** The wait's deadline (default: the library's, ten minutes). */
  timeout?: number;
  /** The pause between polls (default: the library's, 3000). */
  pollInterval?: number;
  signal?: AbortSignal;
  /**
   * Called with each PollEvent, on the event loop, after each request. An exception it
   * throws, or a promise it returns that rejects, becomes a `DropletActionWarning` process
   * warning, and the wait goes on.
   */
  onPoll?: (event: PollEvent) => unknown;
}

export interface WatchOptions {
  /** The wait's deadline (default: the library's, ten minutes). */
  timeout?: number;
  /** The pause between polls (default: the library's, 3000). */
  pollInterval?: number;
  signal?: AbortSignal;
}

export interface WaitManyOptions extends WaitOptions {
  /** Put each error in the list in place of its action, rather than rejecting. */
  returnExceptions?: boolean;
}

/** The iterator `watch` returns. */
export interface PollEvents extends AsyncIterableIterator<PollEvent> {
  next(): Promise<IteratorResult<PollEvent, undefined>>;
  /** Ends the wait (within about 20 ms) and resolves once it has ended. */
  return<T = undefined>(value?: T): Promise<IteratorReturnResult<T>>;
  /** Ends the wait as `return()` does, then rejects with `error`. */
  throw(error?: unknown): Promise<never>;
}

export type ActionRef = readonly [dropletId: Id, actionId: Id];

export declare class Client {
  constructor(options: ClientOptions);
  /**
   * The token from DIGITALOCEAN_ACCESS_TOKEN (else DIGITALOCEAN_TOKEN), the base URL from
   * DIGITALOCEAN_API_URL, read by the library; settings given win.
   */
  static fromEnv(settings?: Settings & { token?: string }): Client;
  get(dropletId: Id, actionId: Id, options?: GetOptions): Promise<Action>;
  wait(dropletId: Id, actionId: Id, options?: WaitOptions): Promise<Action>;
  /**
   * `wait` as an async iterator of its PollEvents, started by the first `next()`: it ends
   * when the action completed and throws what `wait` rejects with otherwise (a closed
   * client's `InvalidArgumentError` included); leaving it early (`break`, `return()`) ends
   * the wait at once, a pending `next()` resolving done, and so does its garbage collection.
   */
  watch(dropletId: Id, actionId: Id, options?: WatchOptions): PollEvents;
  waitMany(refs: Iterable<ActionRef>, options?: WaitManyOptions & { returnExceptions?: false }): Promise<Action[]>;
  waitMany(refs: Iterable<ActionRef>, options: WaitManyOptions & { returnExceptions: true }): Promise<(Action | DropletActionError)[]>;
  waitMany(refs: Iterable<ActionRef>, options?: WaitManyOptions): Promise<(Action | DropletActionError)[]>;
  /** Frees the client once the calls running on it end; later calls reject. */
  close(): void;
  readonly closed: boolean;
}

/** The base of every error a call rejects with. */
export declare class DropletActionError extends Error {
  constructor(message: string);
  static readonly status: number;
  /** The C library's status for this kind of error. */
  readonly status: number;
  /** The HTTP status of the last answer, or null when no answer came. */
  readonly httpStatus: number | null;
  /** The API's error id ("not_found", ...), or null. */
  readonly errorId: string | null;
  readonly requestId: string | null;
  readonly rateLimit: RateLimit | null;
  /** Requests sent (0 when refused before sending). */
  readonly attempts: number;
  /** The last body received, exactly as received, or null. */
  readonly rawBody: Buffer | null;
}
export declare class InvalidArgumentError extends DropletActionError {}
export declare class TransportError extends DropletActionError {}
export declare class TimeoutError extends DropletActionError {
  /** The last action a wait saw, or null. */
  readonly last: Action | null;
}
export declare class ApiError extends DropletActionError {}
export declare class DecodeError extends DropletActionError {}
export declare class BodyTooLargeError extends DropletActionError {}
export declare class ActionErroredError extends DropletActionError {
  readonly action: Action;
}
export declare class InternalError extends DropletActionError {}
/** Its `name` is "AbortError"; `cause` is the signal's reason. */
export declare class CancelledError extends DropletActionError {
  readonly name: 'AbortError';
  readonly last: Action | null;
}
export declare class RateLimitedError extends DropletActionError {
  readonly last: Action | null;
}

/** The library's defaults (droplet_defaults_get), in milliseconds and counts. */
export declare const defaults: {
  readonly timeout: number;
  readonly connectTimeout: number;
  readonly maxRetries: number;
  readonly backoff: readonly [number, number];
  readonly maxRetryAfter: number;
  readonly bodyLimit: number;
  readonly waitTimeout: number;
  readonly pollInterval: number;
  readonly requestsPerMinute: number;
  readonly requestsPerHour: number;
};

/**
 * The blocking calls in flight at once from this JavaScript thread (the main thread or a
 * worker, each counting its own): libuv's thread pool size. Calls from several workers share
 * the process's one pool of that size.
 */
export declare const threads: number;

/** The version of the C library in use. */
export declare function libraryVersion(): string;
