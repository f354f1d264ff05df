// One cold start in a fresh Node process: `node bench/node/cold.mjs ours|jose`. Prints JSON: the in-process
// phases (import, key, first signatures; from this script's first line) and `sinceProcessStart` (the same end
// point measured from the process's time origin, so it includes Node's own start-up, alike for both).
import { coldJose, coldOurs } from '../lib/cases.mjs';
import { fixtureKeys } from '../lib/keys.mjs';

const keys = fixtureKeys();
const which = process.argv[2];
const result = which === 'ours' ? await coldOurs(() => import('okta-connect'), keys) : await coldJose(() => import('jose'), keys);
process.stdout.write(JSON.stringify({ which, ...result, sinceProcessStart: performance.now() }));
