// Waits on the event loop, cancellation through AbortSignal, and the thread pool.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { da, rejection, startMock, TOKEN } from './helpers.mjs';

let mock;
let client;
before(async () => {
  mock = await startMock();
  client = new da.Client({ token: TOKEN, baseUrl: mock.url });
});
after(async () => {
  client.close();
  await mock.stop();
});

test('waitMany resolves in the order given, and rejects with the first failure in that order', async () => {
  const done = await client.waitMany(
    [
      [102, 900102],
      [3164444, 36804636],
      [103, 900101],
    ],
    { pollInterval: 20 },
  );
  assert.deepEqual(
    done.map((a) => a.id),
    [900102, 36804636, 900101],
  );
  const refs = [
    [104, 900101],
    [105, 900201],
    [106, 2],
  ];
  const error = await rejection(client.waitMany(refs, { pollInterval: 20 }));
  assert.ok(error instanceof da.ActionErroredError);
  assert.equal(error.action.id, 900201);
  const outcomes = await client.waitMany(
    [
      [107, 900101],
      [108, 900201],
      [109, 2],
    ],
    { pollInterval: 20, returnExceptions: true },
  );
  assert.equal(outcomes[0].status, da.ActionStatus.COMPLETED);
  assert.ok(outcomes[1] instanceof da.ActionErroredError);
  assert.ok(outcomes[2] instanceof da.ApiError && outcomes[2].httpStatus === 404);
  // A refused wait takes its place too; the others run to their end first.
  const before = (await (await fetch(`${mock.url}/__mock/stats`)).json()).requests;
  const refused = await rejection(
    client.waitMany(
      [
        [110, 900101],
        [111, -5],
      ],
      { pollInterval: 20, signal: new AbortController().signal },
    ),
  );
  assert.ok(refused instanceof da.InvalidArgumentError);
  assert.equal(refused.message, 'waiter_new: invalid argument: invalid action id: -5 (ids are integers >= 1)');
  assert.equal((await (await fetch(`${mock.url}/__mock/stats`)).json()).requests - before, 2);
  await assert.rejects(client.waitMany([]), { name: 'InvalidArgumentError', message: 'no actions to wait for' });
  await assert.rejects(client.waitMany([[1, 2, 3]]), TypeError);
});

test('an abort ends a get waiting for a slow answer within 100 ms, and the client stays usable', async () => {
  const controller = new AbortController();
  const reason = new Error('stop');
  const aborted = performance.now();
  setTimeout(() => controller.abort(reason), 200);
  const error = await rejection(client.get(1500, 900800, { signal: controller.signal }));
  const late = performance.now() - aborted - 200;
  assert.ok(error instanceof da.CancelledError);
  assert.equal(error.name, 'AbortError');
  assert.equal(error.cause, reason);
  assert.equal(error.status, da.Status.CANCELLED);
  assert.ok(late < 100, `ended ${late} ms after the abort`);
  assert.equal((await client.get(3164444, 36804636)).id, 36804636);
});

test('an abort ends a sleeping wait within 100 ms with the last action seen', async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 150);
  const started = performance.now();
  const error = await rejection(client.wait(110, 5000100, { pollInterval: 1000, signal: controller.signal }));
  const late = performance.now() - started - 150;
  assert.ok(error instanceof da.CancelledError);
  assert.equal(error.last.status, da.ActionStatus.IN_PROGRESS);
  assert.equal(error.attempts, 1);
  assert.ok(late < 100, `ended ${late} ms after the abort`);
});

test('an abort ends a wait whose request is in flight within 100 ms', async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 150);
  const started = performance.now();
  const error = await rejection(client.wait(1501, 900800, { signal: controller.signal }));
  assert.ok(error instanceof da.CancelledError);
  assert.ok(performance.now() - started - 150 < 100);
});

test('an aborted signal rejects at once and sends nothing; AbortSignal.timeout works too', async () => {
  const before = (await (await fetch(`${mock.url}/__mock/stats`)).json()).requests;
  const error = await rejection(client.get(1, 2, { signal: AbortSignal.abort() }));
  assert.ok(error instanceof da.CancelledError);
  const waitError = await rejection(client.wait(1, 900101, { signal: AbortSignal.abort() }));
  assert.ok(waitError instanceof da.CancelledError);
  assert.equal(waitError.attempts, 0);
  assert.equal((await (await fetch(`${mock.url}/__mock/stats`)).json()).requests, before);
  const timed = await rejection(client.get(1502, 900800, { signal: AbortSignal.timeout(100) }));
  assert.ok(timed instanceof da.CancelledError);
  assert.equal(timed.cause.name, 'TimeoutError');
});

test('a get queued behind busy threads counts the queue in its timeout and sends nothing', async () => {
  // Every thread of the pool holds a slow answer; the next call times out in the queue.
  const slow = Array.from({ length: da.threads }, (_, i) => client.get(400 + i, 900800));
  const started = performance.now();
  const error = await rejection(client.get(3164444, 36804636, { timeout: 100 }));
  assert.ok(error instanceof da.TimeoutError);
  assert.equal(error.message, "no thread was free to send the request within the call's timeout");
  assert.equal(error.attempts, 0);
  assert.ok(performance.now() - started < 1000);
  const queued = new AbortController();
  const pending = client.get(3164444, 36804636, { signal: queued.signal });
  queued.abort();
  assert.ok((await rejection(pending)) instanceof da.CancelledError);
  await Promise.all(slow);
});

/** The CPU time the main thread has used, in ms (the kernel's count). */
function mainThreadCpuMs() {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
}

function threadCount() {
  return Number(/^Threads:\s+(\d+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
}

test('a thousand concurrent waits finish while a timer on the event loop fires within 50 ms of schedule', async (t) => {
  // A server of their own: its rate-limit headers count 5,000 requests an hour.
  const own = await startMock();
  t.after(() => own.stop());
  const waits = new da.Client({ token: TOKEN, baseUrl: own.url });
  t.after(() => waits.close());
  const threadsBefore = threadCount();
  let threadsMost = threadsBefore;
  const refs = Array.from({ length: 1000 }, (_, i) => [1000 + i, 900103]);
  // How late each tick comes, but no more than the CPU time the main thread used since the
  // last one: on a busy machine (the pool's threads, the server and other processes share
  // the cores) a tick can also be late for want of a CPU, which is no work of the event
  // loop's. What is left is the time the event loop was held.
  let worst = 0;
  let worstSeen = 0;
  let ticks = 0;
  let expected = performance.now() + 10;
  let cpu = mainThreadCpuMs();
  const timer = setInterval(() => {
    const now = performance.now();
    const cpuNow = mainThreadCpuMs();
    worstSeen = Math.max(worstSeen, now - expected);
    worst = Math.max(worst, Math.min(now - expected, cpuNow - cpu));
    threadsMost = Math.max(threadsMost, threadCount());
    expected = now + 10;
    cpu = cpuNow;
    ticks++;
  }, 10);
  const started = performance.now();
  let actions;
  const events = [];
  try {
    // Each reports its poll events: each event is brought to the event loop while the
    // thread that sent waits for it.
    actions = await waits.waitMany(refs, { pollInterval: 300, timeout: 30_000, onPoll: (event) => events.push(event) });
  } finally {
    clearInterval(timer);
  }
  assert.equal(actions.length, 1000);
  assert.ok(actions.every((a, i) => a.status === 'completed' && a.resourceId === 1000 + i));
  // Four requests each, the last one completed.
  assert.equal(events.length, 4000);
  assert.equal(events.filter((event) => event.status === 'completed' && event.polls === 4).length, 1000);
  assert.ok(ticks > 50, `${ticks} ticks`);
  assert.ok(worst < 50, `a timer fired ${worst.toFixed(1)} ms late`);
  // No thread per wait: at most the pool's threads come on top of those already there.
  assert.ok(threadsMost <= threadsBefore + da.threads, `${threadsBefore} threads, then ${threadsMost}`);
  console.log(
    `1000 waits with onPoll: ${(performance.now() - started).toFixed(0)} ms, timer at most ` +
      `${worst.toFixed(1)} ms late (${worstSeen.toFixed(1)} ms counting the waits for a CPU), ` +
      `${threadsMost} threads at most`,
  );
});
