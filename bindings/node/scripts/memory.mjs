#!/usr/bin/env node
// Measures the memory of many calls against the mock (no rate limit): after every tenth of
// them, a full garbage collection, then the process's RSS, the JavaScript heap in use, the
// heap V8 holds (in use or not: its young generation included) and the bytes malloc holds
// in use (the C library's, koffi's and Node's native memory).
// Prints one line per sample and, last, one line of JSON with every sample.
//
//   node --expose-gc bindings/node/scripts/memory.mjs [--calls N] [--signals FRACTION] [--what WHAT]
//
// WHAT is what each of the N steps does:
//   get       client.get(3164444, 36804636), as many at once as the package has threads
//             (default); FRACTION of them (default 0.5) with an AbortSignal: every other one
//             a signal of its own, the others one signal that lives as long as the process
//   token     droplet_cancel_token_new, then droplet_cancel_token_free; no call
//   listener  an AbortController, and a listener added to its signal and removed; no call
//   options   droplet_waiter_new with a droplet_call_options (koffi copies the struct),
//             then droplet_waiter_free; no call
//   timeout   client.get with { timeout } (a koffi asynchronous call given the options
//             struct), no signal
// V8's young generation grows on its own (up to 2 x 16 MiB) when much survives its
// collections, as the signals of calls in flight do; run node with --max-semi-space-size=1
// to hold it at its smallest size, so that RSS shows what is retained. The package is the
// one test/helpers.mjs loads (DROPLET_ACTION_NODE_PACKAGE, else this source tree).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { da, internals, startMock, TOKEN } from '../test/helpers.mjs';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '100000' },
    signals: { type: 'string', default: '0.5' },
    what: { type: 'string', default: 'get' },
  },
});
const calls = Number(values.calls);
const signals = Number(values.signals);
if (!Number.isSafeInteger(calls) || calls < 10 || !(signals >= 0 && signals <= 1)) {
  console.error('--calls must be an integer of at least 10, --signals between 0 and 1');
  process.exit(2);
}
if (typeof globalThis.gc !== 'function') {
  console.error('run node with --expose-gc');
  process.exit(2);
}

const { koffi, c } = internals('./lib/ffi.cjs');
koffi.struct('memory_mallinfo2', {
  arena: 'size_t',
  ordblks: 'size_t',
  smblks: 'size_t',
  hblks: 'size_t',
  hblkhd: 'size_t',
  usmblks: 'size_t',
  fsmblks: 'size_t',
  uordblks: 'size_t',
  fordblks: 'size_t',
  keepcost: 'size_t',
});
// glibc's count of the bytes malloc handed out and not taken back: small blocks
// (uordblks) and those mapped on their own (hblkhd).
const mallinfo2 = koffi.load('libc.so.6').func('memory_mallinfo2 mallinfo2(void)');

/** RSS, the JavaScript heap (in use, held) and malloc's bytes in use, in KiB, after a full collection. */
function sample(done) {
  globalThis.gc();
  const malloc = mallinfo2();
  const heap = process.memoryUsage();
  return {
    calls: done,
    rssKiB: Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]),
    heapKiB: Math.round(heap.heapUsed / 1024),
    heapHeldKiB: Math.round(heap.heapTotal / 1024),
    mallocKiB: Math.round((Number(malloc.uordblks) + Number(malloc.hblkhd)) / 1024),
  };
}

const mock = await startMock();
const client = new da.Client({ token: TOKEN, baseUrl: mock.url });
const OPTIONS_SIZE = koffi.sizeof('droplet_call_options');
// A step carries a signal when n * signals crosses an integer (spread evenly); the k-th
// such step has a signal of its own when k is even, else the long-lived one.
const signalOf = (n) => Math.floor((n + 1) * signals) - 1;
const withSignal = (n) => Math.floor((n + 1) * signals) > Math.floor(n * signals);
const longLived = new AbortController().signal;

const steps = {
  async get(n) {
    let options = {};
    if (withSignal(n)) options = { signal: signalOf(n) % 2 === 0 ? new AbortController().signal : longLived };
    const action = await client.get(3164444, 36804636, options);
    if (action.id !== 36804636) throw new Error(`unexpected action ${action.id}`);
  },
  token() {
    c.droplet_cancel_token_free(c.droplet_cancel_token_new());
  },
  listener() {
    const { signal } = new AbortController();
    const listener = () => {};
    signal.addEventListener('abort', listener, { once: true });
    signal.removeEventListener('abort', listener);
  },
  options() {
    const options = { size: OPTIONS_SIZE, cancel: null, timeout_ms: 1000, poll_interval_ms: 0 };
    c.droplet_waiter_free(c.droplet_waiter_new(1, 2, options, 1));
  },
  async timeout() {
    const action = await client.get(3164444, 36804636, { timeout: 5000 });
    if (action.id !== 36804636) throw new Error(`unexpected action ${action.id}`);
  },
};
const step = steps[values.what];
if (step === undefined) {
  console.error(`--what is one of ${Object.keys(steps).join(', ')}`);
  process.exit(2);
}
const concurrent = values.what === 'get' || values.what === 'timeout' ? da.threads : 1;

const started = performance.now();
const samples = [sample(0)];
let next = 0;
for (let tenth = 1; tenth <= 10; tenth++) {
  const end = Math.round((calls * tenth) / 10);
  await Promise.all(
    Array.from({ length: concurrent }, async () => {
      while (next < end) await step(next++);
    }),
  );
  // Let the event loop turn: the listeners and timers of the calls end.
  await new Promise(setImmediate);
  samples.push(sample(end));
  const s = samples.at(-1);
  console.log(
    `${s.calls} ${values.what}: RSS ${s.rssKiB} KiB, heap ${s.heapKiB} KiB in use of ${s.heapHeldKiB} KiB, ` +
      `malloc ${s.mallocKiB} KiB`,
  );
}
client.close();
await mock.stop();
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ what: values.what, calls, signals, seconds: Number(seconds.toFixed(1)), samples }));
