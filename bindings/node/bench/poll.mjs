#!/usr/bin/env node
// What onPoll costs: a thousand concurrent waits of four polls each (4,000 requests)
// against the mock, with and without an onPoll on every wait, in turn, ROUNDS times; the
// medians of the wall time, of the process's CPU time and of the lateness of a 10 ms timer
// on the event loop. Each round has a mock server of its own (its rate-limit headers count
// 5,000 requests an hour).
//
//   node bindings/node/bench/poll.mjs [ROUNDS]     (default 5)
//
// The package is the one test/helpers.mjs loads (DROPLET_ACTION_NODE_PACKAGE, else this
// source tree, with DROPLET_ACTION_LIB naming the library); the mock is DROPLET_ACTION_MOCK,
// else target/release/droplet-action-mock.
import { da, startMock, TOKEN } from '../test/helpers.mjs';

const rounds = Number(process.argv[2] ?? 5);
const WAITS = 1000;

async function round(withOnPoll) {
  const mock = await startMock();
  const client = new da.Client({ token: TOKEN, baseUrl: mock.url });
  let events = 0;
  const refs = Array.from({ length: WAITS }, (_, i) => [1000 + i, 900103]);
  let worst = 0;
  let expected = performance.now() + 10;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - expected);
    expected = now + 10;
  }, 10);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await client.waitMany(refs, {
    pollInterval: 300,
    timeout: 30_000,
    onPoll: withOnPoll ? () => events++ : undefined,
  });
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  clearInterval(timer);
  client.close();
  await mock.stop();
  if (withOnPoll && events !== 4 * WAITS) throw new Error(`${events} events, not ${4 * WAITS}`);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, lateMs: worst, events };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const runs = { without: [], with: [] };
for (let i = 0; i < rounds; i++) {
  runs.without.push(await round(false));
  runs.with.push(await round(true));
}
const summary = {};
for (const [name, list] of Object.entries(runs)) {
  summary[name] = {
    wallMs: median(list.map((r) => r.wallMs)),
    cpuMs: median(list.map((r) => r.cpuMs)),
    lateMs: median(list.map((r) => r.lateMs)),
  };
  const s = summary[name];
  console.log(
    `${name} onPoll: wall ${s.wallMs.toFixed(0)} ms, CPU ${s.cpuMs.toFixed(0)} ms, ` +
      `timer at most ${s.lateMs.toFixed(1)} ms late (medians of ${rounds})`,
  );
}
const perEvent = ((summary.with.cpuMs - summary.without.cpuMs) * 1000) / (4 * WAITS);
console.log(
  `with / without: wall ${(summary.with.wallMs / summary.without.wallMs).toFixed(3)}, ` +
    `CPU ${(summary.with.cpuMs / summary.without.cpuMs).toFixed(3)}; ${perEvent.toFixed(0)} us of CPU an event`,
);
