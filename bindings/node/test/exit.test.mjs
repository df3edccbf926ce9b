// The process exits promptly whatever calls are in flight, and async log and onPoll
// functions that reject are handled like ones that throw. Each case runs in a process of
// its own, which must end within its time.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { PACKAGE, startMock, TOKEN } from './helpers.mjs';

let mock;
before(async () => {
  mock = await startMock();
});
after(() => mock.stop());

/** Runs `body` (an async function's body, with `da`, `client` and `url` in scope) in a
 * node process of its own; its exit code, signal, stderr and how long it ran. */
function run(body, { settings = '{}', limitMs = 10_000 } = {}) {
  const script = `
    const da = await import(${JSON.stringify(pathToFileURL(join(PACKAGE, 'index.mjs')).href)});
    const url = ${JSON.stringify(mock.url)};
    const client = new da.Client({ token: ${JSON.stringify(TOKEN)}, baseUrl: url, ...${settings} });
    ${body}
  `;
  const started = Date.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stderr, ms: Date.now() - started });
    });
  });
}

/** Exits 300 ms into `call` (not awaited); the process must end with 0 within 3 s. */
async function exitsDuring(call, settings) {
  const result = await run(`${call}.catch(() => {}); setTimeout(() => process.exit(0), 300);`, { settings });
  assert.equal(result.signal, null, result.stderr);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(result.ms < 3000, `${result.ms} ms`);
}

test('process.exit during a get with a log function exits at once', () =>
  exitsDuring('client.get(3000, 900800)', "{ log: () => {}, logLevel: 'debug' }"));

test('process.exit during a wait with onPoll exits at once', () =>
  exitsDuring('client.wait(3000, 900800, { onPoll: () => {} })'));

test('process.exit during a get on a 60 s answer exits at once', () => exitsDuring('client.get(60000, 900800)'));

test('an uncaught exception during a call with a log function exits with 1 at once', async () => {
  const result = await run(
    "client.get(3000, 900800).catch(() => {}); setTimeout(() => { throw new Error('boom'); }, 300);",
    { settings: "{ log: () => {}, logLevel: 'debug' }" },
  );
  assert.equal(result.signal, null, result.stderr);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /boom/);
  assert.ok(result.ms < 3000, `${result.ms} ms`);
});

test('an async log function that rejects is dropped like one that throws', async () => {
  const result = await run(
    "const action = await client.get(3164444, 36804636); console.error('status', action.status); client.close();",
    { settings: "{ log: async () => { throw new Error('from log'); }, logLevel: 'debug' }" },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, 'status completed\n');
});

test('an async onPoll that rejects becomes a DropletActionWarning and the wait goes on', async () => {
  const result = await run(
    "const action = await client.wait(3164444, 36804636, { onPoll: async () => { throw new Error('from onPoll'); } }); console.error('status', action.status); client.close();",
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /DropletActionWarning: onPoll threw for action 36804636; the wait goes on/);
  assert.match(result.stderr, /^status completed$/m);
});
