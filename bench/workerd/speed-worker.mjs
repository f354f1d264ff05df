// Runs inside workerd (miniflare): the speed cases of bench/lib/cases.mjs, one case per request
// (GET /speed?case=…), and a probe of the clock (GET /clock): does performance.now() advance while a request
// computes, and by what steps? (On Cloudflare's edge timers only move on I/O; miniflare's local workerd moves them.)
import * as okta from 'okta-connect';
import * as jose from 'jose';
import { runSpeed } from '../lib/cases.mjs';

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/clock') {
      const start = performance.now();
      const dateStart = Date.now();
      const steps = [];
      let last = start;
      let spins = 0;
      while (performance.now() - start < 30 && spins < 5e8) {
        spins++;
        const now = performance.now();
        if (now !== last) {
          if (steps.length < 20) steps.push(now - last);
          last = now;
        }
      }
      return Response.json({ elapsed: performance.now() - start, dateElapsed: Date.now() - dateStart, steps, spins });
    }
    if (url.pathname === '/speed') {
      const keys = { rsa: env.BENCH_RSA, p256: env.BENCH_P256 };
      const only = [url.searchParams.get('case')];
      const rounds = Number(url.searchParams.get('rounds') ?? 61);
      // workerd's clock ticks in whole milliseconds: 50 ms batches keep the tick at 2% of a sample.
      return Response.json(await runSpeed({ okta, jose, keys, only, sampleMs: 50, rounds, wasmRounds: 41, interleave: 'batch' }));
    }
    return new Response('not found', { status: 404 });
  },
};
