// Memory stays flat over many calls, half of them with an AbortSignal (every other one a
// signal of its own, the others one long-lived signal): each result is freed, each cancel
// token too, and no listener is left on a signal.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'memory.mjs');

test('RSS, the JavaScript heap and malloc stay flat over 100,000 calls, half with an AbortSignal', async () => {
  // scripts/memory.mjs in a process of its own, whose young generation V8 holds at its
  // smallest size: it would otherwise grow on its own, up to 2 x 16 MiB, when many
  // signals of calls in flight survive its collections, and hide what is retained.
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--max-semi-space-size=1', SCRIPT, '--calls', '100000', '--signals', '0.5'],
    { env: process.env, maxBuffer: 1 << 20 },
  );
  const run = JSON.parse(stdout.trim().split('\n').at(-1));
  assert.deepEqual(
    run.samples.map((s) => s.calls),
    [0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000, 90_000, 100_000],
  );
  // From the state after 20,000 calls (the code compiled, the pools filled) to the end.
  const warm = run.samples[2];
  const end = run.samples.at(-1);
  const grew = (field) => end[field] - warm[field];
  console.log(
    `100,000 calls (half with a signal) in ${run.seconds} s; after 20,000, then 100,000: ` +
      `RSS ${warm.rssKiB}, ${end.rssKiB} KiB; heap ${warm.heapKiB}, ${end.heapKiB} KiB; ` +
      `malloc ${warm.mallocKiB}, ${end.mallocKiB} KiB`,
  );
  assert.ok(grew('rssKiB') < 8 * 1024, `RSS grew by ${grew('rssKiB')} KiB`);
  // 1 MiB over 80,000 calls is 13 bytes a call: a cancel token, a result or a listener
  // kept on each would be more.
  assert.ok(grew('heapKiB') < 1024, `the heap in use grew by ${grew('heapKiB')} KiB`);
  assert.ok(grew('mallocKiB') < 1024, `malloc's bytes in use grew by ${grew('mallocKiB')} KiB`);
});
