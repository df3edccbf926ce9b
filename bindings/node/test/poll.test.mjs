// Every request of a wait is observable: onPoll on wait and waitMany, and watch(), an async
// iterator of the same PollEvents.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { da, PACKAGE, rejection, startMock, TOKEN } from './helpers.mjs';

const { IN_PROGRESS, COMPLETED, ERRORED } = da.ActionStatus;

let mock;
let client;
before(async () => {
  mock = await startMock();
  client = new da.Client({ token: TOKEN, baseUrl: mock.url, backoff: [10, 40] });
});
after(async () => {
  client.close();
  await mock.stop();
});

/** An event without its times. */
function shape(event) {
  const { dropletId, actionId, status, statusText, httpStatus, polls, requests, nextPollInMs } = event;
  return [dropletId, actionId, status, statusText, httpStatus, polls, requests, nextPollInMs !== null];
}

async function requests() {
  return (await (await fetch(`${mock.url}/__mock/stats`)).json()).requests;
}

test('a wait reports a poll event after each request: status, HTTP status, polls, requests, the next poll', async () => {
  const events = [];
  const action = await client.wait(301, 900103, { pollInterval: 50, onPoll: (event) => events.push(event) });
  assert.equal(action.status, COMPLETED);
  assert.deepEqual(events.map(shape), [
    [301, 900103, IN_PROGRESS, 'in-progress', 200, 1, 1, true],
    [301, 900103, IN_PROGRESS, 'in-progress', 200, 2, 2, true],
    [301, 900103, IN_PROGRESS, 'in-progress', 200, 3, 3, true],
    [301, 900103, COMPLETED, 'completed', 200, 4, 4, false],
  ]);
  assert.deepEqual(
    events.map((event) => event.nextPollInMs),
    [50, 50, 50, null],
  );
  assert.ok(events.every((event, i) => i === 0 || event.elapsedMs > events[i - 1].elapsedMs));
  assert.ok(events[3].elapsedMs >= 150, `${events[3].elapsedMs}`);
  assert.ok(Object.isFrozen(events[0]));
});

test('a promise onPoll returns that rejects becomes a process warning and the wait goes on', async () => {
  const warnings = [];
  const unhandled = [];
  const onWarning = (warning) => warnings.push(warning);
  const onUnhandled = (reason) => unhandled.push(reason);
  process.on('warning', onWarning);
  process.on('unhandledRejection', onUnhandled);
  try {
    const action = await client.wait(308, 900102, {
      pollInterval: 10,
      onPoll: async () => {
        throw new Error('an async onPoll');
      },
    });
    assert.equal(action.status, COMPLETED);
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.off('warning', onWarning);
    process.off('unhandledRejection', onUnhandled);
  }
  assert.deepEqual(unhandled, []);
  assert.deepEqual(
    warnings.map((w) => [w.name, w.message, w.cause.message]),
    Array(3).fill(['DropletActionWarning', 'onPoll threw for action 900102; the wait goes on', 'an async onPoll']),
  );
});

test('a failed request is reported with its HTTP status and no action status', async () => {
  const events = [];
  await client.wait(302, 900500, { pollInterval: 20, onPoll: (event) => events.push(event) });
  assert.deepEqual(events.map(shape), [
    [302, 900500, null, null, 500, 1, 1, true],
    [302, 900500, null, null, 500, 1, 2, true],
    [302, 900500, COMPLETED, 'completed', 200, 1, 3, false],
  ]);
});

test('waitMany reports every action', async () => {
  const events = [];
  await client.waitMany(
    [
      [305, 900101],
      [306, 900102],
    ],
    { pollInterval: 10, onPoll: (event) => events.push(event) },
  );
  assert.deepEqual(
    events.map((e) => [e.dropletId, e.polls, e.status]).sort((a, b) => a[0] - b[0] || a[1] - b[1]),
    [
      [305, 1, IN_PROGRESS],
      [305, 2, COMPLETED],
      [306, 1, IN_PROGRESS],
      [306, 2, IN_PROGRESS],
      [306, 3, COMPLETED],
    ],
  );
});

test('an exception from onPoll becomes a process warning and the wait goes on', async () => {
  const warnings = [];
  const listener = (warning) => warnings.push(warning);
  process.on('warning', listener);
  const calls = [];
  try {
    const action = await client.wait(304, 900102, {
      pollInterval: 10,
      onPoll: (event) => {
        calls.push(event.polls);
        throw new Error('a broken onPoll');
      },
    });
    assert.equal(action.status, COMPLETED);
    // Warnings are emitted on the next turn of the event loop.
    await new Promise(setImmediate);
  } finally {
    process.off('warning', listener);
  }
  assert.deepEqual(calls, [1, 2, 3]);
  assert.deepEqual(
    warnings.map((w) => [w.name, w.message, w.cause.message]),
    Array(3).fill(['DropletActionWarning', 'onPoll threw for action 900102; the wait goes on', 'a broken onPoll']),
  );
  await assert.rejects(client.wait(307, 900101, { onPoll: 42 }), TypeError);
});

test('watch yields each poll event, then ends when the action completed', async () => {
  const events = [];
  for await (const event of client.watch(310, 900102, { pollInterval: 10 })) events.push(shape(event));
  assert.deepEqual(events, [
    [310, 900102, IN_PROGRESS, 'in-progress', 200, 1, 1, true],
    [310, 900102, IN_PROGRESS, 'in-progress', 200, 2, 2, true],
    [310, 900102, COMPLETED, 'completed', 200, 3, 3, false],
  ]);
});

test('watch throws what wait rejects with, after the last event', async () => {
  const seen = [];
  const error = await rejection(
    (async () => {
      for await (const event of client.watch(311, 900201, { pollInterval: 10 })) seen.push(event.status);
    })(),
  );
  assert.deepEqual(seen, [IN_PROGRESS, ERRORED]);
  assert.ok(error instanceof da.ActionErroredError);
  assert.equal(error.message, 'action 900201 ended with status errored');
  const refused = await rejection(client.watch(1, -5).next());
  assert.ok(refused instanceof da.InvalidArgumentError);
  assert.throws(() => client.watch('1', 2), TypeError);
});

test('leaving watch early ends the wait before the loop goes on', async () => {
  const before = await requests();
  for await (const event of client.watch(312, 900199, { pollInterval: 10 })) {
    if (event.polls === 3) break;
  }
  // The wait ended when the loop did: nothing more is sent.
  const sent = (await requests()) - before;
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual([sent, (await requests()) - before], [3, 3]);
  const events = client.watch(313, 900199, { pollInterval: 10 });
  assert.equal((await events.next()).value.polls, 1);
  assert.deepEqual(await events.return(), { done: true, value: undefined });
  assert.equal((await requests()) - before, 4);
});

test('return() while a next() is pending ends the wait at once, and that next() resolves done', async () => {
  const events = client.watch(316, 5000600, { pollInterval: 5000 });
  assert.equal((await events.next()).value.polls, 1);
  const pending = events.next();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const before = await requests();
  const started = performance.now();
  assert.deepEqual(await events.return(), { value: undefined, done: true });
  assert.ok(performance.now() - started < 200, `return() took ${performance.now() - started} ms`);
  assert.deepEqual(await pending, { value: undefined, done: true });
  assert.deepEqual(await events.next(), { value: undefined, done: true });
  assert.equal(await requests(), before);
});

test('an abandoned watch iterator, once garbage collected, ends its wait', async () => {
  // In a child process run with --expose-gc: the wait polls every 50 ms until its dropped
  // iterator is collected, then sends nothing more.
  const source = `
    const { Client } = await import(${JSON.stringify(pathToFileURL(join(PACKAGE, 'index.mjs')).href)});
    const url = ${JSON.stringify(mock.url)};
    const requests = async () => (await (await fetch(url + '/__mock/stats')).json()).requests;
    const client = new Client({ token: ${JSON.stringify(TOKEN)}, baseUrl: url });
    await (async () => { await client.watch(317, 5000600, { pollInterval: 50 }).next(); })();
    for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((resolve) => setTimeout(resolve, 20)); }
    const before = await requests();
    await new Promise((resolve) => setTimeout(resolve, 300));
    console.log(JSON.stringify({ sent: (await requests()) - before }));
    client.close();
  `;
  const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', source], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (data) => {
    out += data;
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 8000);
  const code = await new Promise((resolve) => child.once('exit', resolve));
  clearTimeout(killer);
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(out), { sent: 0 });
});

test('an aborted signal ends a watch with CancelledError, whose cause is the abort reason', async () => {
  const controller = new AbortController();
  const reason = new Error('enough');
  const seen = [];
  const error = await rejection(
    (async () => {
      for await (const event of client.watch(314, 900199, { pollInterval: 10, signal: controller.signal })) {
        seen.push(event.polls);
        if (event.polls === 2) controller.abort(reason);
      }
    })(),
  );
  assert.ok(error instanceof da.CancelledError);
  assert.equal(error.cause, reason);
  assert.deepEqual(seen, [1, 2]);
  const early = await rejection(client.watch(315, 900101, { signal: AbortSignal.abort() }).next());
  assert.ok(early instanceof da.CancelledError);
  assert.equal(early.attempts, 0);
});
