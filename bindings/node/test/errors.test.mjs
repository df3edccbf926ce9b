// Every error class, each against the mock scenario that produces it, with the exact
// values a real run gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { da, internals, rejection, startMock, TOKEN } from './helpers.mjs';

async function withMock(t, ...flags) {
  const mock = await startMock(...flags);
  t.after(() => mock.stop());
  return mock;
}

function client(mock, settings = {}) {
  return new da.Client({ token: TOKEN, baseUrl: mock.url, backoff: [1, 2], ...settings });
}

test('a 404 is an ApiError with the status, the error id, the request id and the rate limit', async (t) => {
  const mock = await withMock(t);
  const error = await rejection(client(mock).get(1, 2));
  assert.ok(error instanceof da.ApiError && error instanceof da.DropletActionError && error instanceof Error);
  assert.equal(error.name, 'ApiError');
  assert.equal(error.status, da.Status.API_ERROR);
  assert.equal(error.httpStatus, 404);
  assert.equal(error.errorId, 'not_found');
  assert.equal(error.requestId, mock.requestId(1));
  assert.equal(
    error.message,
    `HTTP 404 Not Found: not_found: The resource you requested could not be found. (request id ${mock.requestId(1)})`,
  );
  assert.equal(error.attempts, 1);
  assert.equal(error.rateLimit.limit, 5000);
  assert.equal(error.rateLimit.remaining, 4999);
  assert.equal(error.rateLimit.resetAt.getTime(), error.rateLimit.reset * 1000);
  assert.deepEqual(JSON.parse(error.rawBody.toString()), {
    id: 'not_found',
    message: 'The resource you requested could not be found.',
    request_id: mock.requestId(1),
  });
});

test('a 401 is an ApiError that is not retried', async (t) => {
  const mock = await withMock(t);
  const error = await rejection(client(mock).get(1, 900401));
  assert.ok(error instanceof da.ApiError);
  assert.deepEqual([error.httpStatus, error.errorId, error.attempts], [401, 'unauthorized', 1]);
});

test('a 500 every time is an ApiError after the retries', async (t) => {
  const mock = await withMock(t);
  const error = await rejection(client(mock).get(1, 900599));
  assert.ok(error instanceof da.ApiError);
  assert.deepEqual([error.httpStatus, error.errorId, error.attempts], [500, 'server_error', 3]);
  assert.equal(error.requestId, mock.requestId(3));
});

test('a 429 then a 200, and 500s then a 200, are retried to success', async (t) => {
  const mock = await withMock(t);
  const c = client(mock);
  assert.equal((await c.get(1, 900429)).status, da.ActionStatus.COMPLETED);
  assert.equal((await c.get(1, 900500)).status, da.ActionStatus.COMPLETED);
  assert.equal((await c.get(1, 900503)).id, 900503);
});

test('a 429 with no retry left is an ApiError carrying the spent rate limit', async (t) => {
  const mock = await withMock(t);
  const error = await rejection(client(mock, { maxRetries: 0 }).get(1, 900429));
  assert.ok(error instanceof da.ApiError);
  assert.deepEqual([error.httpStatus, error.errorId], [429, 'too_many_requests']);
  assert.deepEqual([error.rateLimit.limit, error.rateLimit.remaining], [5000, 0]);
});

test('a 502 HTML page is an ApiError with the page as its raw body', async (t) => {
  const mock = await withMock(t);
  const error = await rejection(client(mock, { maxRetries: 0 }).get(1, 900502));
  assert.ok(error instanceof da.ApiError);
  assert.equal(error.httpStatus, 502);
  assert.equal(error.errorId, null);
  assert.equal(
    error.message,
    `HTTP 502 Bad Gateway (the body is not a JSON error object) (request id ${mock.requestId(1)})`,
  );
  assert.match(error.rawBody.toString(), /^<html><head><title>502 Bad Gateway<\/title><\/head><body>/);
});

test('an HTML page with a 200, malformed JSON and an embedded NUL are DecodeErrors', async (t) => {
  const mock = await withMock(t);
  const c = client(mock);
  const html = await rejection(c.get(1, 900606));
  assert.ok(html instanceof da.DecodeError);
  assert.deepEqual([html.httpStatus, html.message], [200, 'invalid action answer: expected value at line 1, column 1']);
  const cut = await rejection(c.get(1, 900600));
  assert.ok(cut instanceof da.DecodeError);
  assert.equal(
    cut.message,
    'invalid action answer at `action.region.sizes`: EOF while parsing a value at line 1, column 292',
  );
  assert.equal(cut.rawBody.length, 292);
  const nul = await rejection(c.get(1, 900605));
  assert.ok(nul instanceof da.DecodeError);
  assert.equal(nul.message, 'the field action.type holds a NUL byte and cannot be passed as a C string');
});

test('an id beyond Number.MAX_SAFE_INTEGER is a DecodeError, never a rounded number', async (t) => {
  const mock = await withMock(t);
  const error = await rejection(client(mock).get(1, 900603));
  assert.ok(error instanceof da.DecodeError);
  assert.equal(
    error.message,
    'the action cannot be represented in JavaScript: id 9223372036854775807 is beyond ' +
      'Number.MAX_SAFE_INTEGER: it has no exact JavaScript number',
  );
  assert.equal(error.httpStatus, 200);
});

test('a 16 MiB body is a BodyTooLargeError, and so is one above a lower bodyLimit', async (t) => {
  const mock = await withMock(t);
  const huge = await rejection(client(mock).get(1, 900700));
  assert.ok(huge instanceof da.BodyTooLargeError);
  assert.equal(huge.message, 'the answer body is larger than the 4194304-byte limit');
  const small = await rejection(client(mock, { bodyLimit: 100 }).get(3164444, 36804636));
  assert.ok(small instanceof da.BodyTooLargeError);
  assert.equal(small.message, 'the answer body is larger than the 100-byte limit');
});

test('a truncated body, a hang-up and a refused connection are TransportErrors', async (t) => {
  const mock = await withMock(t);
  const c = client(mock, { maxRetries: 0 });
  for (const action of [900900, 900901]) {
    const error = await rejection(c.get(1, action));
    assert.ok(error instanceof da.TransportError);
    assert.equal(error.message, 'transport error after 1 attempt(s): connection failed: Peer disconnected');
    assert.deepEqual([error.httpStatus, error.attempts], [null, 1]);
  }
  const refused = await rejection(
    new da.Client({ token: TOKEN, baseUrl: 'http://127.0.0.1:1', maxRetries: 0 }).get(1, 2),
  );
  assert.ok(refused instanceof da.TransportError);
  assert.equal(refused.message, 'transport error after 1 attempt(s): connection failed: Connection refused (os error 111)');
});

test('a slow answer past the client timeout or the call timeout is a TimeoutError', async (t) => {
  const mock = await withMock(t);
  const perAttempt = await rejection(client(mock, { timeout: 200, maxRetries: 0 }).get(2000, 900800));
  assert.ok(perAttempt instanceof da.TimeoutError);
  assert.equal(perAttempt.message, 'no complete answer within 200ms (attempt 1)');
  const started = performance.now();
  const perCall = await rejection(client(mock).get(3000, 900800, { timeout: 300 }));
  assert.ok(perCall instanceof da.TimeoutError);
  assert.ok(performance.now() - started < 1000);
});

test('a wait whose deadline passes is a TimeoutError with the last action seen', async (t) => {
  const mock = await withMock(t);
  const error = await rejection(client(mock).wait(3, 5000100, { timeout: 300, pollInterval: 100 }));
  assert.ok(error instanceof da.TimeoutError);
  assert.match(error.message, /^the action did not finish within 3\d\dms \(last status: in-progress\)$/);
  assert.equal(error.last.status, da.ActionStatus.IN_PROGRESS);
  assert.equal(error.last.id, 5000100);
  assert.equal(error.attempts, 3);
});

test('a wait on an action that ends errored is an ActionErroredError holding the action', async (t) => {
  const mock = await withMock(t);
  const error = await rejection(client(mock).wait(8, 900202, { pollInterval: 10 }));
  assert.ok(error instanceof da.ActionErroredError);
  assert.equal(error.message, 'action 900202 ended with status errored');
  assert.equal(error.action.status, da.ActionStatus.ERRORED);
  assert.equal(error.action.completedAt.toISOString(), '2020-11-14T16:30:06.000Z');
});

test('a wait that sees the hourly limit spent is a RateLimitedError with the reset and the last action', async (t) => {
  const mock = await withMock(t, '--rate-limit=250/2');
  const error = await rejection(client(mock).wait(9, 900105, { pollInterval: 10, timeout: 5000 }));
  assert.ok(error instanceof da.RateLimitedError);
  assert.equal(error.status, da.Status.RATE_LIMITED);
  assert.equal(error.last.status, da.ActionStatus.IN_PROGRESS);
  assert.deepEqual([error.rateLimit.limit, error.rateLimit.remaining], [2, 0]);
  assert.ok(error.rateLimit.resetAt.getTime() > Date.now() + 3000_000);
  assert.equal(error.attempts, 2);
});

test('an id below 1 and a refused setting are InvalidArgumentErrors; nothing is sent', async (t) => {
  const mock = await withMock(t);
  const error = await rejection(client(mock).get(0, 2));
  assert.ok(error instanceof da.InvalidArgumentError);
  assert.equal(error.message, 'invalid argument: invalid droplet id: 0 (ids are integers >= 1)');
  assert.equal(error.attempts, 0);
  const waitError = await rejection(client(mock).wait(1, -5));
  assert.ok(waitError instanceof da.InvalidArgumentError);
  assert.throws(() => new da.Client({ token: TOKEN, baseUrl: 'ftp://x' }), {
    name: 'InvalidArgumentError',
    message: 'base_url: invalid base URL "ftp://x": the scheme must be http or https',
  });
  assert.throws(() => new da.Client({ token: TOKEN, baseUrl: 'http://example.com' }), {
    name: 'InvalidArgumentError',
    message:
      'build: invalid argument: refusing plain http to example.com: the token would travel ' +
      'unencrypted (use https, or allow insecure http explicitly)',
  });
  assert.throws(() => new da.Client({ token: 'a b' }), { name: 'InvalidArgumentError' });
  assert.throws(() => new da.Client({ token: TOKEN, timeout: 0 }), { name: 'InvalidArgumentError' });
  await assert.rejects(client(mock).get(1, 2, { timeout: 0 }), {
    name: 'InvalidArgumentError',
    message: 'timeout must be above 0 and at most 4294967295 ms, not 0',
  });
  await assert.rejects(client(mock).wait(1, 2, { pollInterval: -1 }), { name: 'InvalidArgumentError' });
  assert.throws(() => client(mock).watch(1, 2, { timeout: -1 }), { name: 'InvalidArgumentError' });
  assert.throws(() => new da.Client({ token: TOKEN, requestsPerMinute: 0 }), { name: 'InvalidArgumentError' });
  assert.throws(() => new da.Client({ token: TOKEN, requestsPerMinute: 0n }), { name: 'InvalidArgumentError' });
  assert.throws(() => new da.Client({ token: 42 }), TypeError);
  await assert.rejects(client(mock).get('1', 2), TypeError);
  await assert.rejects(client(mock).get(1, 2 ** 53), TypeError);
  await assert.rejects(client(mock).get(2n ** 63n, 2), { name: 'InvalidArgumentError' });
  const mockStats = await (await fetch(`${mock.url}/__mock/stats`)).json();
  assert.equal(mockStats.requests, 0);
});

test('an unknown setting is a TypeError naming it and the settings', () => {
  for (const name of ['baseURL', 'tokn']) {
    assert.throws(() => new da.Client({ token: TOKEN, [name]: 'x' }), {
      name: 'TypeError',
      message: new RegExp(`^unknown setting ${name}; the settings are token, baseUrl, .*, logLevel$`),
    });
  }
  assert.throws(() => da.Client.fromEnv({ token: TOKEN, tokn: 'x' }), TypeError);
});

test('a closed client rejects every call with an InvalidArgumentError', async (t) => {
  const mock = await withMock(t);
  const c = client(mock);
  c.close();
  c.close();
  assert.equal(c.closed, true);
  await assert.rejects(c.get(1, 2), { name: 'InvalidArgumentError', message: 'the client is closed' });
  await assert.rejects(c.wait(1, 2), { name: 'InvalidArgumentError', message: 'the client is closed' });
  await assert.rejects(c.waitMany([[1, 2]]), { name: 'InvalidArgumentError', message: 'the client is closed' });
  const events = c.watch(1, 2);
  await assert.rejects(events.next(), { name: 'InvalidArgumentError', message: 'the client is closed' });
  assert.deepEqual(await events.next(), { value: undefined, done: true });
});

test('every failure status has its class, an unknown one the base class, and PANIC is InternalError', () => {
  const { takeResult } = internals('./lib/errors.cjs');
  const classes = {
    INVALID_ARGUMENT: da.InvalidArgumentError,
    TRANSPORT: da.TransportError,
    TIMEOUT: da.TimeoutError,
    API_ERROR: da.ApiError,
    DECODE: da.DecodeError,
    BODY_TOO_LARGE: da.BodyTooLargeError,
    ACTION_ERRORED: da.ActionErroredError,
    PANIC: da.InternalError,
    CANCELLED: da.CancelledError,
    RATE_LIMITED: da.RateLimitedError,
  };
  assert.deepEqual(Object.keys(da.Status), ['OK', ...Object.keys(classes)]);
  const empty = {
    http_status: 0,
    attempts: 0,
    action: null,
    error_message: null,
    error_id: null,
    request_id: null,
    rate_limit: { limit: 0, remaining: 0, reset: 0, present: false },
    raw_body: null,
    raw_body_len: 0,
    internal: null,
  };
  for (const [name, cls] of Object.entries(classes)) {
    const error = takeResult({ ...empty, status: da.Status[name] });
    assert.equal(error.constructor, cls);
    assert.equal(cls.status, da.Status[name]);
    assert.equal(error.status, da.Status[name]);
  }
  assert.equal(takeResult({ ...empty, status: da.Status.PANIC }).message, 'internal panic');
  const unknown = takeResult({ ...empty, status: 99 });
  assert.equal(unknown.constructor, da.DropletActionError);
  assert.deepEqual([unknown.status, unknown.message], [99, 'unknown status']);
  assert.equal(new da.CancelledError('x').name, 'AbortError');
});
