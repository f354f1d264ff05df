// Small statistics for side-by-side figures: medians, a paired bootstrap of the ratio of medians, and a
// seeded PRNG so that a run's confidence intervals are reproducible from its samples. Runtime-agnostic.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** mulberry32: a tiny deterministic PRNG (the bootstrap needs reproducibility, not cryptographic quality). */
export function prng(seed = 0x5eed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Ratio of medians median(a) / median(b) with a paired bootstrap 95% interval: rounds are resampled with
 * replacement, keeping a round's a and b together (they were measured side by side, so they share its noise).
 */
export function ratioOfMedians(a, b, { resamples = 2000, seed = 0x5eed } = {}) {
  const n = Math.min(a.length, b.length);
  const point = median(a) / median(b);
  const random = prng(seed);
  const ratios = new Array(resamples);
  const ra = new Array(n);
  const rb = new Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const j = Math.floor(random() * n);
      ra[i] = a[j];
      rb[i] = b[j];
    }
    ratios[r] = median(ra) / median(rb);
  }
  return { ratio: point, low: quantile(ratios, 0.025), high: quantile(ratios, 0.975) };
}

/** Summary of one series of per-operation times (ms). */
export function summary(values) {
  return { median: median(values), min: Math.min(...values), p25: quantile(values, 0.25), p75: quantile(values, 0.75), n: values.length };
}

/**
 * For per-operation times grouped by round (`a[round] = [ms, …]`): median of all of a's operations over median
 * of all of b's, with a 95% interval from a bootstrap that resamples rounds (keeping a round's a and b
 * together, since they ran interleaved and share that round's noise).
 */
export function pooledRatioOfMedians(a, b, { resamples = 1000, seed = 0x5eed } = {}) {
  const n = Math.min(a.length, b.length);
  const point = median(a.flat()) / median(b.flat());
  const random = prng(seed);
  const ratios = new Array(resamples);
  for (let r = 0; r < resamples; r++) {
    const pa = [];
    const pb = [];
    for (let i = 0; i < n; i++) {
      const j = Math.floor(random() * n);
      for (const v of a[j]) pa.push(v);
      for (const v of b[j]) pb.push(v);
    }
    ratios[r] = median(pa) / median(pb);
  }
  return { ratio: point, low: quantile(ratios, 0.025), high: quantile(ratios, 0.975) };
}
