// The package size budget: the wasm plus every JS file of pkg/, each compressed with gzip -9, must stay within
// the 90 KB (read strictly as 90,000 bytes). A node:test file, so `node bench/size-budget.mjs` exits
// 1 over budget and `node --test --test-reporter=tap bench/size-budget.mjs` reports like the other suites.
// Usage: node bench/size-budget.mjs   (BENCH_GZIP_BUDGET=bytes overrides the budget, e.g. for a stepwise goal)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GZIP_BUDGET_BYTES, PKG_DIR, packageSize } from './lib/size.mjs';

const budget = Number(process.env.BENCH_GZIP_BUDGET ?? GZIP_BUDGET_BYTES);

test(`okta-connect's wasm + JS stay within ${budget} bytes gzip -9`, async (t) => {
  const size = await packageSize(PKG_DIR);
  for (const f of size.files) t.diagnostic(`${f.name}: ${f.raw} bytes, ${f.gzip} gzip`);
  t.diagnostic(`total: ${size.raw} bytes raw, ${size.gzip} bytes gzip -9 (wasm ${size.wasm.gzip}, JS ${size.js.gzip}); budget ${budget}`);
  assert.ok(size.files.some((f) => f.name.endsWith('.wasm')), 'pkg/ holds the wasm (run make build)');
  assert.ok(size.gzip <= budget, `the package is ${size.gzip} bytes gzip -9, ${size.gzip - budget} over the ${budget}-byte budget`);
});
