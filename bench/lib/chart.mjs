// One PNG chart per runtime, drawn as SVG and photographed by headless Chromium (no plotting dependency).
// Each row is a figure's ratio okta-connect ÷ jose on a log scale: a bar with its 95% interval, the target as a
// red tick, and for the WebCrypto cases the native floor (bare crypto.subtle.sign ÷ jose) as a grey diamond.
import { TARGETS, coldSummary } from './report.mjs';

const ROWS = [
  ['RS256 assertion', 'RS256 assertion (WebCrypto)', TARGETS.speed],
  ['ES256 DPoP proof', 'ES256 DPoP proof (WebCrypto)', TARGETS.speed],
  ['RS256 assertion, wasm signer', 'RS256 assertion (wasm signer)', null],
  ['ES256 DPoP proof, wasm signer', 'ES256 DPoP proof (wasm signer)', null],
];

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Chart rows of one runtime: { label, ratio, low, high, target, native }. */
export function chartRows(key, run) {
  const rows = [];
  for (const [name, label, target] of ROWS) {
    const c = run.cases?.[name];
    if (!c) continue;
    const r = c.ratios['ours/jose'];
    rows.push({ label, ratio: r.ratio, low: r.low, high: r.high, target, native: c.ratios['jose/native'] ? 1 / c.ratios['jose/native'].ratio : undefined });
  }
  if (run.cold) {
    const cold = coldSummary(key, run.cold);
    rows.push({ label: 'cold start', ratio: cold.ratio, low: cold.low, high: cold.high, target: TARGETS.cold });
  }
  return rows;
}

export function chartSvg(title, subtitles, rows) {
  const width = 1000;
  const left = 250;
  const right = 200;
  const top = 60 + subtitles.length * 20;
  const rowHeight = 46;
  const height = top + rows.length * rowHeight + 56;
  const values = rows.flatMap((r) => [r.low, r.high, r.ratio, r.target ?? 1, r.native ?? 1]).filter((v) => Number.isFinite(v) && v > 0);
  const minLog = Math.floor(Math.log2(Math.min(0.5, ...values)));
  const maxLog = Math.ceil(Math.log2(Math.max(2, ...values)));
  const px = (v) => left + ((Math.log2(v) - minLog) / (maxLog - minLog)) * (width - left - right);
  const parts = [];
  parts.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  parts.push(`<text x="20" y="30" font-size="20" font-weight="600">${escape(title)}</text>`);
  subtitles.forEach((line, i) => parts.push(`<text x="20" y="${54 + i * 19}" font-size="13" fill="#555">${escape(line)}</text>`));
  for (let e = minLog; e <= maxLog; e++) {
    const v = 2 ** e;
    const xx = px(v);
    parts.push(`<line x1="${xx}" x2="${xx}" y1="${top - 8}" y2="${height - 44}" stroke="${v === 1 ? '#333' : '#e3e3e3'}" stroke-width="${v === 1 ? 1.5 : 1}"/>`);
    parts.push(`<text x="${xx}" y="${height - 26}" font-size="12" text-anchor="middle" fill="#444">${v >= 1 ? v : `1/${1 / v}`}×</text>`);
  }
  parts.push(`<text x="${px(1)}" y="${height - 8}" font-size="12" text-anchor="middle" fill="#333">= jose (okta-connect ÷ jose, log scale; lower is better)</text>`);
  rows.forEach((r, i) => {
    const y = top + i * rowHeight;
    const mid = y + rowHeight / 2 - 4;
    const met = r.target ? r.ratio <= r.target : null;
    const color = met === null ? '#7a8ea8' : met ? '#2e7d32' : '#c62828';
    parts.push(`<text x="${left - 12}" y="${mid + 5}" font-size="14" text-anchor="end">${escape(r.label)}</text>`);
    const x0 = px(Math.min(1, r.ratio));
    const x1 = px(Math.max(1, r.ratio));
    parts.push(`<rect x="${x0}" y="${mid - 12}" width="${Math.max(1, x1 - x0)}" height="24" fill="${color}" opacity="0.85"/>`);
    if (Number.isFinite(r.low) && Number.isFinite(r.high)) {
      parts.push(`<line x1="${px(r.low)}" x2="${px(r.high)}" y1="${mid}" y2="${mid}" stroke="#111" stroke-width="1.5"/>`);
      for (const v of [r.low, r.high]) parts.push(`<line x1="${px(v)}" x2="${px(v)}" y1="${mid - 6}" y2="${mid + 6}" stroke="#111" stroke-width="1.5"/>`);
    }
    if (r.target) parts.push(`<line x1="${px(r.target)}" x2="${px(r.target)}" y1="${mid - 17}" y2="${mid + 17}" stroke="#d32f2f" stroke-width="3"/>`);
    if (r.native) {
      const xn = px(r.native);
      parts.push(`<path d="M ${xn} ${mid - 7} L ${xn + 7} ${mid} L ${xn} ${mid + 7} L ${xn - 7} ${mid} Z" fill="#9e9e9e" stroke="#555"/>`);
    }
    const label = `${r.ratio.toFixed(2)}×${r.target ? ` (target ≤ ${r.target}×)` : ' (reported)'}`;
    parts.push(`<text x="${width - right + 16}" y="${mid + 5}" font-size="13" font-weight="600" fill="${color}">${escape(label)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, Arial, sans-serif">${parts.join('')}</svg>`;
}

/** Renders `svg` to a PNG file with an open Chromium (playwright-core Browser). */
export async function renderPng(browser, svg, path) {
  const context = await browser.newContext({ deviceScaleFactor: 1 });
  try {
    const page = await context.newPage();
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    await page.locator('svg').screenshot({ path });
  } finally {
    await context.close();
  }
}
