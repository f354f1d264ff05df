// Runs inside workerd (miniflare), one fresh isolate per cold start: nothing of either library is imported
// at start-up; the first request imports it dynamically, parses the key, and makes the first assertion and
// proof (bench/lib/cases.mjs coldOurs / coldJose). `env.WHICH` says which library this isolate measures
// ('noop': neither, the baseline for the process-CPU figure).
import { coldJose, coldOurs } from '../lib/cases.mjs';

export default {
  async fetch(request, env) {
    if (env.WHICH === 'noop') return Response.json({ which: 'noop' });
    const keys = { rsa: env.BENCH_RSA, p256: env.BENCH_P256 };
    const result = env.WHICH === 'ours' ? await coldOurs(() => import('okta-connect'), keys) : await coldJose(() => import('./jose-subset.mjs'), keys);
    return Response.json({ which: env.WHICH, ...result });
  },
};
