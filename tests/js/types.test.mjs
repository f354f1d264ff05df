// The TypeScript declarations of the built package: precise enough that correct usage compiles under
// --strict and each wrong usage is rejected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = (...args) => spawnSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, ...args], { encoding: 'utf8' });

test('correct usage compiles with --strict', () => {
  const run = tsc('-p', `${root}/tests/types/tsconfig.json`);
  assert.equal(run.status, 0, run.stdout + run.stderr);
});

test('every wrong usage is a type error', () => {
  const run = tsc('-p', `${root}/tests/types/tsconfig.wrong.json`);
  const lines = new Set([...run.stdout.matchAll(/wrong-usage\.ts\((\d+),/g)].map((m) => Number(m[1])));
  assert.deepEqual([...lines].sort((x, y) => x - y), [5, 6, 7, 8, 9, 10], run.stdout);
});

test('the public declarations never fall back to any', async () => {
  for (const file of ['api.d.ts', 'client.d.ts']) {
    assert.doesNotMatch(await readFile(`${root}/pkg/${file}`, 'utf8'), /\bany\b/, file);
  }
  const glue = await readFile(`${root}/pkg/okta_connect.d.ts`, 'utf8');
  const exported = glue.slice(0, glue.indexOf('export type InitInput'));
  assert.doesNotMatch(exported, /:\s*any\b/);
});
