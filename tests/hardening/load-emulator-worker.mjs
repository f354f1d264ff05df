// The local Okta emulator in a worker thread, for load.test.mjs: the emulator's CPU (JWT and DPoP checks) runs on
// its own core while the client runs on the main thread. Messages: { id, method, args } → { id, result | error }.
import { parentPort } from 'node:worker_threads';
import { startEmulator } from '../emulator/okta-emulator.mjs';
import { seedDemo } from '../emulator/seed.mjs';

let emu;
let demo;

const methods = {
  /** Starts and seeds the org; `users` are addUser() fields. */
  async start({ users }) {
    emu = await startEmulator();
    demo = await seedDemo(emu);
    return { orgUrl: emu.orgUrl, clientId: demo.clientId, privateKeyPem: demo.privateKeyPem, kid: demo.kid };
  },

  addUsers({ users }) {
    return users.map((fields) => {
      const user = emu.addUser(fields);
      return { id: user.id, login: user.profile.login };
    });
  },

  /** Sets the rate limits and forgets earlier requests and rate-limit windows. */
  configure({ rateLimits }) {
    emu.rateLimits = rateLimits;
    emu.reset();
  },

  /** Changes the rate limits, keeping the current windows and the request log. */
  setRateLimits({ rateLimits }) {
    emu.rateLimits = rateLimits;
  },

  /** The users' state and the request log, without headers or bodies. */
  snapshot({ ids }) {
    const users = ids.map((id) => {
      const user = emu.users.get(id);
      return {
        id,
        status: user.status,
        password: user.password,
        passwordHistory: user.passwordHistory,
        passwordChangedCount: user.passwordChangedCount,
        resetEmailsSent: user.resetEmailsSent,
        sessions: user.sessions,
      };
    });
    const requests = emu.requests.map(({ method, path, query, status, at }) => ({ method, path, query, status, at }));
    return { users, requests };
  },

  async close() {
    await emu?.close();
  },
};

parentPort.on('message', async ({ id, method, args }) => {
  try {
    parentPort.postMessage({ id, result: await methods[method](args) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error?.stack ?? error) });
  }
});
