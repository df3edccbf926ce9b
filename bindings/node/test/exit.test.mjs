// The process exits while calls are in flight: process.exit() and an uncaught exception end
// node at once, whatever the calls were doing (a blocking request, a log function or an
// onPoll waiting to be called). Each case runs in a child process.
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
after(async () => {
  await mock.stop();
});

/**
 * Runs `body` in a child node, after `client` (a Client of the mock with `settings`) is
 * made. The child prints `exiting` when it ends itself; resolves to its exit code, its
 * signal, its stderr and the milliseconds from `exiting` to its exit. A child that lives
 * `killAfterMs` is killed.
 */
function child(settings, body, killAfterMs = 8000) {
  const source = `
    const { Client } = await import(${JSON.stringify(pathToFileURL(join(PACKAGE, 'index.mjs')).href)});
    const client = new Client({ token: ${JSON.stringify(TOKEN)}, baseUrl: ${JSON.stringify(mock.url)}, ${settings} });
    ${body}
  `;
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--input-type=module', '-e', source], { stdio: ['ignore', 'pipe', 'pipe'] });
    let exiting = null;
    let stderr = '';
    proc.stdout.on('data', (data) => {
      if (exiting === null && data.toString().includes('exiting')) exiting = performance.now();
    });
    proc.stderr.on('data', (data) => {
      stderr += data;
    });
    const killer = setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
    proc.once('error', reject);
    proc.once('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stderr, exitMs: exiting === null ? null : performance.now() - exiting });
    });
  });
}

const EXIT = `setTimeout(() => { console.log('exiting'); process.exit(0); }, 300);`;

/** Asserts the child ended itself with `code` within 2 s of saying so. */
function assertQuickExit(result, code) {
  assert.equal(result.signal, null, `killed, still running: ${result.stderr}`);
  assert.equal(result.code, code, result.stderr);
  assert.ok(result.exitMs !== null && result.exitMs < 2000, `exited ${result.exitMs} ms after exiting began`);
}

test('process.exit() during a call with a log function, an onPoll, or none exits at once', async () => {
  const [withLog, withOnPoll, plain, waitPlain] = await Promise.all([
    child(`logLevel: 'debug', log: () => {}`, `client.get(3000, 900800).catch(() => {}); ${EXIT}`),
    child('', `client.wait(3000, 900800, { onPoll: () => {} }).catch(() => {}); ${EXIT}`),
    child('', `client.get(60000, 900800).catch(() => {}); ${EXIT}`),
    child(`log: () => {}`, `client.waitMany([[60000, 900800]], { onPoll: () => {} }).catch(() => {}); ${EXIT}`),
  ]);
  assertQuickExit(withLog, 0);
  assertQuickExit(withOnPoll, 0);
  assertQuickExit(plain, 0);
  assertQuickExit(waitPlain, 0);
});

test('an uncaught exception during a call with a log function exits with code 1 at once', async () => {
  const result = await child(
    `logLevel: 'debug', log: () => {}`,
    `client.get(3000, 900800).catch(() => {});
     setTimeout(() => { console.log('exiting'); throw new Error('some unrelated bug'); }, 300);`,
  );
  assertQuickExit(result, 1);
  assert.match(result.stderr, /some unrelated bug/);
});
