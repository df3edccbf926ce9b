// The package's README says what is true: its vocabulary table names only what the package
// and the C header have.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { da, PACKAGE, REPO } from './helpers.mjs';

/** The rows of the table under `## Vocabulary`, each as its cells. */
function vocabulary(readme) {
  const section = readme.split('## Vocabulary\n')[1];
  assert.ok(section, 'a ## Vocabulary section');
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| concept'))
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
}

test('the vocabulary table names what the package and the header have', () => {
  const readme = readFileSync(join(REPO, 'bindings', 'node', 'README.md'), 'utf8');
  const header = readFileSync(join(REPO, 'include', 'droplet_action.h'), 'utf8');
  const types = readFileSync(join(PACKAGE, 'index.d.ts'), 'utf8');
  const rows = vocabulary(readme);
  assert.equal(rows.length, 8);
  const checked = [];
  for (const [concept, node, c] of rows) {
    for (const [, name] of node.matchAll(/`([A-Za-z.]+)`/g)) {
      const [owner, member] = name.split('.');
      if (member !== undefined) {
        assert.equal(owner, 'Client', `${concept}: ${name}`);
        const found = typeof da.Client[member] === 'function' || typeof da.Client.prototype[member] === 'function';
        assert.ok(found, `${concept}: ${name} is a method of Client`);
      } else if (name in da) {
        assert.notEqual(da[name], undefined, `${concept}: ${name}`);
      } else {
        // an option's name, or a type only TypeScript sees
        assert.match(types, new RegExp(`\\b${name}\\b`), `${concept}: ${name} is in index.d.ts`);
      }
      checked.push(name);
    }
    for (const [, name] of c.matchAll(/`(droplet_[a-z_]+)`/g)) {
      assert.match(header, new RegExp(`\\b${name}\\b`), `${concept}: ${name} is in the header`);
    }
  }
  assert.deepEqual(checked, [
    'Client.get', 'Client.wait', 'Client.waitMany', 'timeout', 'pollInterval', 'signal', 'onPoll',
    'AbortSignal', 'signal', 'PollEvent', 'onPoll', 'Client.watch', 'Client.wait', 'defaults',
  ]);
});
