// What the tests share: the package under test and the mock server.
//
// The package is the one in DROPLET_ACTION_NODE_PACKAGE (a folder, such as an installed
// node_modules/droplet-action), else this source tree. The mock is the droplet-action-mock
// binary named by DROPLET_ACTION_MOCK, else the workspace's target/release one.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = join(here, '..', '..', '..');
export const PACKAGE = process.env.DROPLET_ACTION_NODE_PACKAGE || join(here, '..');
export const TOKEN = 'mock-token';

/** The package, through its ECMAScript module entry point. */
export const da = await import(pathToFileURL(join(PACKAGE, 'index.mjs')).href);
/** The package's internals (the C declarations), for the tests of the boundary. */
export const internals = createRequire(join(PACKAGE, 'package.json'));

export function mockBinary() {
  const path = process.env.DROPLET_ACTION_MOCK || join(REPO, 'target', 'release', 'droplet-action-mock');
  if (!existsSync(path)) throw new Error(`build the mock: cargo build --release -p droplet-action-mock (${path})`);
  return path;
}

/** Starts a mock server with `flags`; `stop()` ends it. */
export async function startMock(...flags) {
  const child = spawn(mockBinary(), ['--port', '0', ...flags], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the mock exited with ${code}`)));
  });
  const match = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(first);
  if (match === null) throw new Error(`unexpected first line of the mock: ${first}`);
  const port = Number(match[2]);
  return {
    url: match[1],
    port,
    /** The x-request-id of this server's n-th answer. */
    requestId: (n) => `${port.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** Resolves to the error `promise` rejects with; fails when it resolves. */
export async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('the promise resolved');
}
