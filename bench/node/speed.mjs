// Steady-state signing speed in Node: okta-connect vs jose vs bare WebCrypto, side by side in this one process.
// Prints the results as JSON on stdout (progress on stderr). Run by bench/run.mjs in a fresh process.
import * as okta from 'okta-connect';
import * as jose from 'jose';
import { runSpeed } from '../lib/cases.mjs';
import { fixtureKeys } from '../lib/keys.mjs';

const result = await runSpeed({ okta, jose, keys: fixtureKeys(), sampleMs: 5, log: (line) => process.stderr.write(`  node: ${line}\n`) });
process.stdout.write(JSON.stringify({ runtime: `Node ${process.version}`, ...result }));
