// Interleaved side-by-side timing, runtime-agnostic (Node, Chromium, workerd), so that whatever else the
// machine is doing lands on all variants alike. Two ways, by the clock's resolution:
//   'op'    (fine clocks: Node; a cross-origin isolated Chromium page, 5 µs): in each round the variants take
//           turns (ours, jose, native, ours, jose, …, the order rotating); a turn is one operation (Node) or
//           the few consecutive operations that last `turnMs` (so a 5 µs clock is 1% of a turn), and every
//           turn is timed. A burst of other load then hits all variants within a fraction of a millisecond of
//           each other, and the figure is the median of all of one side's turns over the other side's: a
//           preempted turn lands in the tail, not in the median. In Node, literally the median of all signings.
//   'batch' (coarse clocks: workerd ticks in whole milliseconds): each round times one batch of each variant
//           back to back, in an order that rotates from round to round; a sample is a batch's time divided
//           by its size, batches long enough (`sampleMs`) for the tick to be small next to them.
import { median, pooledRatioOfMedians, ratioOfMedians, summary } from './stats.mjs';

const now = () => performance.now();

async function timeBatch(fn, batch) {
  const start = now();
  for (let i = 0; i < batch; i++) await fn();
  return (now() - start) / batch;
}

/** Milliseconds per operation of `fn`: the least disturbed of three timings of a batch of at least `sampleMs / 4`. */
async function perOperation(fn, sampleMs) {
  let batch = 1;
  let perOp = await timeBatch(fn, batch);
  while (perOp * batch < sampleMs / 4 && batch < 4096) {
    batch *= 2;
    perOp = await timeBatch(fn, batch);
  }
  for (let i = 0; i < 2; i++) perOp = Math.min(perOp, await timeBatch(fn, batch));
  return Math.max(perOp, 1e-4);
}

/** Median over rounds of the ratio of two variants' samples taken in the same round (adjacent in time). */
function pairedMedianRatio(a, b) {
  return median(a.map((value, i) => value / b[i]));
}

/** 'op' rounds: `turns` turns per round, each variant's turn `size[v]` operations; returns per-turn ms per op. */
async function turnRounds(variants, names, rounds, turns, size) {
  const ops = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    const times = names.map(() => []);
    for (let t = 0; t < turns; t++) {
      for (let k = 0; k < names.length; k++) {
        const v = (round + t + k) % names.length;
        const fn = variants[names[v]];
        const start = now();
        for (let i = 0; i < size[v]; i++) await fn();
        times[v].push((now() - start) / size[v]);
      }
    }
    names.forEach((name, v) => ops[name].push(times[v]));
  }
  return ops;
}

/**
 * Measures `variants` ({ name: async () => void }) side by side over `rounds` rounds, at least `minOps`
 * operations per variant, each round lasting about `sampleMs` per variant.
 * Returns { interleave, rounds, batch: { name: operations per sample }, opsPerVariant, stats: { name: summary },
 * ratios: { "a/b": { ratio, low, high, paired, minRatio } }, samples: { name: [per-round ms per op] } } and in
 * 'op' mode `ops` (every turn's ms per operation, by round). `ratio` is median(a) / median(b) — of turns in 'op'
 * mode, of batch means in 'batch' mode — with a 95% bootstrap interval [low, high] over rounds; `paired` is the
 * median of per-round ratios of means, `minRatio` the ratio of the fastest turns or batches (least disturbed).
 */
export async function sideBySide(variants, { rounds = 41, warmup = 20, sampleMs = 5, turnMs = 0, minOps = 200, compare = [], interleave = 'batch' } = {}) {
  const names = Object.keys(variants);
  for (const name of names) for (let i = 0; i < warmup; i++) await variants[name]();
  const perOp = [];
  for (const name of names) perOp.push(await perOperation(variants[name], sampleMs));
  const batch = {};
  let samples;
  let ops;
  let opsPerVariant;
  if (interleave === 'op') {
    const size = perOp.map((p) => (turnMs > 0 ? Math.max(1, Math.ceil(turnMs / p)) : 1));
    const longestTurn = Math.max(...perOp.map((p, v) => p * size[v]));
    const turns = Math.max(1, Math.ceil(sampleMs / longestTurn), Math.ceil(minOps / (rounds * Math.min(...size))));
    names.forEach((name, v) => { batch[name] = size[v]; });
    ops = await turnRounds(variants, names, rounds, turns, size);
    samples = Object.fromEntries(names.map((name) => [name, ops[name].map((times) => times.reduce((x, y) => x + y, 0) / times.length)]));
    opsPerVariant = Object.fromEntries(names.map((name, v) => [name, size[v] * turns * rounds]));
  } else {
    names.forEach((name, v) => {
      batch[name] = Math.min(4096, Math.max(Math.ceil(sampleMs / perOp[v]), Math.ceil(minOps / rounds)));
    });
    samples = Object.fromEntries(names.map((name) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(round + k) % names.length];
        samples[name].push(await timeBatch(variants[name], batch[name]));
      }
    }
    opsPerVariant = Object.fromEntries(names.map((name) => [name, batch[name] * rounds]));
  }
  const stats = Object.fromEntries(names.map((name) => [name, summary(ops ? ops[name].flat() : samples[name])]));
  const ratios = {};
  for (const [a, b] of compare) {
    const headline = ops ? pooledRatioOfMedians(ops[a], ops[b]) : ratioOfMedians(samples[a], samples[b]);
    ratios[`${a}/${b}`] = { ...headline, paired: pairedMedianRatio(samples[a], samples[b]), minRatio: stats[a].min / stats[b].min };
  }
  const round4 = (v) => Math.round(v * 10000) / 10000; // 0.1 µs
  return { interleave, rounds, batch, opsPerVariant, stats, ratios, samples, ...(ops ? { ops: Object.fromEntries(names.map((n) => [n, ops[n].map((t) => t.map(round4))])) } : {}) };
}
