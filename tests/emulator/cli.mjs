#!/usr/bin/env node
// Runs a seeded emulator until SIGINT/SIGTERM:
//   node tests/emulator/cli.mjs [--port N] [--seed demo] [--out FILE]
// Prints the org URL and client ID and writes the private key (PEM and JWK) to FILE, never to the console.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmulator } from './okta-emulator.mjs';
import { demoCredentials, seedDemo } from './seed.mjs';

const DEFAULT_OUT = fileURLToPath(new URL('../../test-output/demo-credentials.json', import.meta.url));

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    seed: { type: 'string', default: 'demo' },
    out: { type: 'string' },
  },
});
if (values.seed !== 'demo') {
  console.error(`unknown seed "${values.seed}"; the only seed is "demo"`);
  process.exit(2);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port "${values.port}"`);
  process.exit(2);
}
const out = values.out ? resolve(values.out) : DEFAULT_OUT;

const emu = await startEmulator({ port });
const demo = await seedDemo(emu);
const credentials = demoCredentials(emu.orgUrl, demo);
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });

console.log(`Okta emulator listening at ${emu.orgUrl}`);
console.log(`client ID: ${demo.clientId}`);
console.log(`credentials written to ${out}`);

async function stop(signal) {
  await emu.close();
  console.log(`Okta emulator stopped (${signal})`);
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
