// Memory stays flat over many calls: each result is freed, each cancel token too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { da, startMock, TOKEN } from './helpers.mjs';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

/** The resident set after a full garbage collection, in KiB. */
function rssKiB() {
  gc();
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
}

test('RSS stays flat over 100,000 calls', async (t) => {
  const mock = await startMock();
  t.after(() => mock.stop());
  const client = new da.Client({ token: TOKEN, baseUrl: mock.url });
  let calls = 0;
  // As many calls at once as there are threads, each checked.
  const run = async (total) => {
    const worker = async () => {
      while (calls < total) {
        calls++;
        const action = await client.get(3164444, 36804636);
        assert.equal(action.id, 36804636);
      }
    };
    await Promise.all(Array.from({ length: da.threads }, worker));
  };
  const started = performance.now();
  await run(20_000);
  const warm = rssKiB();
  await run(100_000);
  const end = rssKiB();
  client.close();
  console.log(
    `100,000 calls in ${((performance.now() - started) / 1000).toFixed(1)} s; RSS ${warm} KiB after 20,000, ${end} KiB after 100,000`,
  );
  assert.ok(end - warm < 8 * 1024, `RSS grew by ${end - warm} KiB`);
});
