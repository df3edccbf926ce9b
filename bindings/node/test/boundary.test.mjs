// The C declarations mirror include/droplet_action.h; defaults, constants and the log
// callback come from the library.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { da, internals, REPO, rejection, startMock, TOKEN } from './helpers.mjs';

const HEADER = join(REPO, 'include', 'droplet_action.h');
const header = internals('./lib/header.cjs');
const { koffi, c } = internals('./lib/ffi.cjs');

test('lib/header.cjs is what the generator makes of include/droplet_action.h', async () => {
  const { generate } = await import(join(REPO, 'bindings', 'node', 'scripts', 'generate-header.mjs'));
  const generated = generate(readFileSync(HEADER, 'utf8'));
  assert.equal(readFileSync(internals.resolve('./lib/header.cjs'), 'utf8'), generated);
});

test('every current function of the header is declared, and no deprecated one', () => {
  const text = readFileSync(HEADER, 'utf8');
  const names = [...text.matchAll(/^(?!DROPLET_DEPRECATED\()[^/#\s].*?\b(droplet_\w+)\(.*\);$/gm)].map((m) => m[1]);
  const deprecated = [...text.matchAll(/^DROPLET_DEPRECATED\(.*?\b(droplet_\w+)\(.*\);$/gm)].map((m) => m[1]);
  assert.deepEqual(Object.keys(c).sort(), names.sort());
  // No prototype escapes the line pattern above: every name the header's code (comments and
  // deprecated declarations aside) calls like a function is one it found.
  const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$|^DROPLET_DEPRECATED\(.*$/gm, '');
  assert.deepEqual([...new Set([...code.matchAll(/\b(droplet_\w+)\(/g)].map((m) => m[1]))].sort(), names.sort());
  assert.deepEqual(deprecated.sort(), [
    'droplet_action_get_opts',
    'droplet_action_wait_opts',
    'droplet_actions_wait',
    'droplet_cancel_free',
    'droplet_cancel_is_triggered',
    'droplet_cancel_new',
    'droplet_cancel_trigger',
  ]);
  assert.ok(deprecated.every((name) => !Object.hasOwn(c, name)));
});

test('struct sizes and field offsets match the C compiler', () => {
  const lines = ['#include <droplet_action.h>', '#include <stddef.h>', '#include <stdio.h>', 'int main(void) {'];
  const expected = [];
  for (const [name, fields] of header.structs) {
    lines.push(`  printf("${name}=%zu\\n", sizeof(${name}));`);
    expected.push(`${name}=${koffi.sizeof(name)}`);
    for (const [field] of fields) {
      lines.push(`  printf("${name}.${field}=%zu\\n", offsetof(${name}, ${field}));`);
      expected.push(`${name}.${field}=${koffi.offsetof(name, field)}`);
    }
  }
  lines.push('  return 0;', '}');
  const folder = mkdtempSync(join(tmpdir(), 'layout-'));
  try {
    writeFileSync(join(folder, 'layout.c'), lines.join('\n'));
    execFileSync('gcc', ['-std=c11', '-Wall', '-Werror', `-I${join(REPO, 'include')}`, 'layout.c', '-o', 'layout'], {
      cwd: folder,
    });
    assert.deepEqual(execFileSync(join(folder, 'layout'), { encoding: 'utf8' }).trim().split('\n'), expected);
  } finally {
    rmSync(folder, { recursive: true });
  }
});

test('Status is the C library status numbers, and the defaults are droplet_defaults_get', () => {
  const text = readFileSync(HEADER, 'utf8');
  const fromHeader = Object.fromEntries(
    [...text.matchAll(/^ {2}DROPLET_STATUS_(\w+) = (\d+),$/gm)].map((m) => [m[1], Number(m[2])]),
  );
  assert.deepEqual({ ...da.Status }, fromHeader);
  assert.deepEqual(da.defaults, {
    timeout: 30000,
    connectTimeout: 10000,
    maxRetries: 2,
    backoff: [200, 5000],
    maxRetryAfter: 60000,
    bodyLimit: 4194304,
    waitTimeout: 600000,
    pollInterval: 3000,
    requestsPerMinute: 250,
    requestsPerHour: 5000,
  });
  assert.equal(da.libraryVersion(), '0.1.0');
});

test('the log function gets the library events in order, never the token', async (t) => {
  const mock = await startMock();
  t.after(() => mock.stop());
  const events = [];
  const secret = 'mock-token';
  const client = new da.Client({
    token: secret,
    baseUrl: mock.url,
    logLevel: 'debug',
    log: (level, message) => events.push([level, message]),
  });
  await client.get(3164444, 36804636);
  await rejection(client.get(1, 900401));
  assert.deepEqual(events, [
    ['debug', 'GET /v2/droplets/3164444/actions/36804636: attempt 1'],
    ['debug', `GET /v2/droplets/3164444/actions/36804636: 200 after 1 attempt(s) (request id ${mock.requestId(1)})`],
    ['debug', 'GET /v2/droplets/1/actions/900401: attempt 1'],
    [
      'warn',
      'GET /v2/droplets/1/actions/900401: failed after 1 attempt(s): HTTP 401 Unauthorized: unauthorized: ' +
        `Unable to authenticate you. (request id ${mock.requestId(2)})`,
    ],
  ]);
  assert.ok(events.every(([, message]) => !message.includes(secret)));
  client.close();
});

test('logLevel filters the events, and an exception in the log function is dropped', async (t) => {
  const mock = await startMock();
  t.after(() => mock.stop());
  const events = [];
  const warnings = new da.Client({
    token: TOKEN,
    baseUrl: mock.url,
    logLevel: 'warn',
    log: (level, message) => events.push(level) && message,
  });
  await warnings.get(3164444, 36804636);
  await rejection(warnings.get(1, 2));
  assert.deepEqual(events, ['warn']);
  const throwing = new da.Client({
    token: TOKEN,
    baseUrl: mock.url,
    log: () => {
      throw new Error('a broken log function');
    },
  });
  assert.equal((await throwing.get(3164444, 36804636)).id, 36804636);
  assert.throws(() => new da.Client({ token: TOKEN, log: () => {}, logLevel: 'loud' }), {
    name: 'InvalidArgumentError',
  });
  warnings.close();
  throwing.close();
});

test('a promise the log function returns that rejects is dropped', async (t) => {
  const mock = await startMock();
  t.after(() => mock.stop());
  const unhandled = [];
  const onUnhandled = (reason) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  let calls = 0;
  const client = new da.Client({
    token: TOKEN,
    baseUrl: mock.url,
    logLevel: 'debug',
    log: async () => {
      calls++;
      throw new Error('a log service that is down');
    },
  });
  try {
    assert.equal((await client.get(3164444, 36804636)).id, 36804636);
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.off('unhandledRejection', onUnhandled);
    client.close();
  }
  assert.ok(calls > 0);
  assert.deepEqual(unhandled, []);
});

test('the fields of an action: dates, an unknown status with its text, nulls, bigint ids', async (t) => {
  const mock = await startMock();
  t.after(() => mock.stop());
  const client = new da.Client({ token: TOKEN, baseUrl: mock.url });
  const dated = await client.get(1, 900607);
  assert.equal(dated.startedAt.toISOString(), '2020-11-14T16:29:21.123Z');
  assert.equal(dated.completedAt.toISOString(), '2020-11-14T16:30:06.500Z');
  const paused = await client.get(1, 900601);
  assert.deepEqual([paused.status, paused.statusText, paused.type], [da.ActionStatus.UNKNOWN, 'paused', 'teleport']);
  const running = await client.get(1, 900602);
  assert.deepEqual(
    [running.status, running.completedAt, running.resourceId, running.regionSlug, running.region],
    [da.ActionStatus.IN_PROGRESS, null, null, null, null],
  );
  const empty = await client.get(1, 900604);
  assert.deepEqual({ ...empty }, {
    id: null,
    status: null,
    statusText: null,
    type: null,
    startedAt: null,
    completedAt: null,
    resourceId: null,
    resourceType: null,
    regionSlug: null,
    region: null,
  });
  const documented = await client.get(3164444n, 36804636n);
  assert.deepEqual([documented.id, documented.resourceId], [36804636, 3164444]);
  assert.deepEqual(documented.region.features.slice(0, 2), ['private_networking', 'backups']);
  client.close();
});

test('fromEnv reads the token and the base URL through the library; settings given win', async (t) => {
  const mock = await startMock();
  t.after(() => mock.stop());
  const saved = { ...process.env };
  t.after(() => {
    for (const name of ['DIGITALOCEAN_ACCESS_TOKEN', 'DIGITALOCEAN_TOKEN', 'DIGITALOCEAN_API_URL']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });
  const get = async (client) => {
    try {
      return await client.get(3164444, 36804636);
    } finally {
      client.close();
    }
  };
  // The library reads the process's environment, which process.env writes to.
  delete process.env.DIGITALOCEAN_ACCESS_TOKEN;
  process.env.DIGITALOCEAN_TOKEN = TOKEN;
  process.env.DIGITALOCEAN_API_URL = mock.url;
  assert.equal((await get(da.Client.fromEnv())).id, 36804636);
  process.env.DIGITALOCEAN_ACCESS_TOKEN = '';
  assert.equal((await get(da.Client.fromEnv({ maxRetries: 0 }))).id, 36804636);
  process.env.DIGITALOCEAN_ACCESS_TOKEN = 'another-token';
  const refused = await rejection(get(da.Client.fromEnv()));
  assert.equal(refused.httpStatus, 401);
  assert.equal((await get(da.Client.fromEnv({ token: TOKEN }))).id, 36804636);
  const unreachable = await rejection(get(da.Client.fromEnv({ token: TOKEN, baseUrl: 'http://127.0.0.1:1', maxRetries: 0 })));
  assert.ok(unreachable instanceof da.TransportError);
  delete process.env.DIGITALOCEAN_ACCESS_TOKEN;
  delete process.env.DIGITALOCEAN_TOKEN;
  assert.throws(() => da.Client.fromEnv(), {
    name: 'InvalidArgumentError',
    message: 'build: invalid argument: no API token: set DIGITALOCEAN_ACCESS_TOKEN or DIGITALOCEAN_TOKEN',
  });
  assert.equal((await get(da.Client.fromEnv({ token: TOKEN }))).id, 36804636);
  assert.throws(() => da.Client.fromEnv(null), TypeError);
});

test('threads is UV_THREADPOOL_SIZE when set, else 4', () => {
  const threads = (size) =>
    execFileSync(process.execPath, ['--input-type=module', '-e', `import { threads } from ${JSON.stringify(
      new URL(`file://${internals.resolve('./index.mjs')}`).href,
    )}; console.log(threads)`], {
      encoding: 'utf8',
      env: { ...process.env, UV_THREADPOOL_SIZE: size },
    }).trim();
  assert.equal(threads('6'), '6');
  assert.equal(threads(''), '4');
});
