// Package size: okta-connect as published (pkg/: the wasm and every JS file, raw and gzip -9) against jose's
// signing subset as a bundler ships it (Vite/Rollup tree-shaking, esbuild minification), and what takes the
// space in the wasm. Node-only.
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { breakdown, sections } from './wasm-names.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PKG_DIR = join(ROOT, 'pkg');
/** The budget, "≤ 90 KB gzip", read strictly: 90,000 bytes (not 90 KiB = 92,160). */
export const GZIP_BUDGET_BYTES = 90_000;
/**
 * What `make test` holds the package to until that budget is reached: today's size plus a little headroom, so
 * the package cannot grow unnoticed. Lower it as the package shrinks; never raise it without saying why.
 */
export const GZIP_CEILING_BYTES = 155_000;
/** cargo's output before wasm-bindgen and wasm-opt: the same code, with its `name` section. */
export const NAMED_WASM = join(ROOT, 'target/wasm32-unknown-unknown/release/okta_connect.wasm');

/**
 * Bytes after `gzip -9` (GNU gzip, as scripts/build.sh reports the wasm; no file name stored). zlib's level 9
 * comes out ~1% larger on the wasm, so it is only the fallback where gzip is missing.
 */
export function gzip9(bytes) {
  try {
    return execFileSync('gzip', ['-9', '-n', '-c'], { input: bytes, maxBuffer: 1 << 26 }).byteLength;
  } catch {
    return gzipSync(bytes, { level: 9 }).byteLength;
  }
}

/** Every file the package ships that runs: the wasm and all JS of pkg/ (not README.md, not *.d.ts). */
export async function packageFiles(dir = PKG_DIR) {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.js') || name.endsWith('.wasm')).sort();
  return Promise.all(names.map(async (name) => {
    const bytes = await readFile(join(dir, name));
    return { name, raw: bytes.byteLength, gzip: gzip9(bytes) };
  }));
}

/** Total raw and gzip -9 bytes of the package's runtime files (each file compressed on its own, as served). */
export async function packageSize(dir = PKG_DIR) {
  const files = await packageFiles(dir);
  const sum = (key, filter = () => true) => files.filter(filter).reduce((n, f) => n + f[key], 0);
  const isWasm = (f) => f.name.endsWith('.wasm');
  return {
    files,
    raw: sum('raw'),
    gzip: sum('gzip'),
    wasm: { raw: sum('raw', isWasm), gzip: sum('gzip', isWasm) },
    js: { raw: sum('raw', (f) => !isWasm(f)), gzip: sum('gzip', (f) => !isWasm(f)) },
  };
}

/** Our JS minified with esbuild (what a bundler would make of it), for a like-for-like look at jose's bundle. */
async function minifiedJs(files) {
  const { transform } = await import('esbuild');
  let raw = 0;
  let gzip = 0;
  for (const f of files.filter((file) => file.name.endsWith('.js'))) {
    const { code } = await transform(await readFile(join(PKG_DIR, f.name), 'utf8'), { minify: true, format: 'esm' });
    raw += Buffer.byteLength(code);
    gzip += gzip9(Buffer.from(code));
  }
  return { raw, gzip };
}

/**
 * jose's subset bundled by Vite (Rollup tree-shaking) as one ES module, minified and not. `exportsList` names
 * what the bundle exports. Returns { exports, minified: { raw, gzip, code }, unminified: { raw, gzip } }.
 */
export async function bundleJose(exportsList, workDir) {
  const { build } = await import('vite');
  await mkdir(workDir, { recursive: true });
  const entry = join(workDir, `jose-entry-${exportsList.length}.mjs`);
  // jose's own entry by path, so the work directory may be anywhere.
  const jose = fileURLToPath(import.meta.resolve('jose'));
  await writeFile(entry, `export { ${exportsList.join(', ')} } from ${JSON.stringify(jose)};\n`);
  const bundle = async (minify) => {
    const out = await build({
      configFile: false,
      logLevel: 'silent',
      root: ROOT,
      build: { write: false, minify: minify ? 'esbuild' : false, target: 'es2022', lib: { entry, formats: ['es'], fileName: 'jose-subset' }, rollupOptions: { external: [] } },
    });
    const chunks = (Array.isArray(out) ? out : [out]).flatMap((o) => o.output).filter((o) => o.type === 'chunk');
    const code = chunks.map((c) => c.code).join('\n');
    return { raw: Buffer.byteLength(code), gzip: gzip9(Buffer.from(code)), code };
  };
  const minified = await bundle(true);
  const { code: _, ...unminified } = await bundle(false);
  return { exports: exportsList, minified, unminified };
}

/**
 * What takes space in the wasm. The released file has no names, so the code is attributed in cargo's output
 * before wasm-bindgen, which keeps its `name` section, twice:
 *   - optimised: run through the release's wasm-opt -Oz, with `-g` to keep the names. Its code section is
 *     within ~10% of the release's (wasm-bindgen later drops its describe functions and rewrites the exports),
 *     so the per-crate shares are close to the release's; but -Oz inlines much of okta_connect into the
 *     wasm-bindgen export shims, so per-module figures there say little.
 *   - unoptimised: nothing inlined yet, so the per-module shares of okta_connect are meaningful.
 */
export async function wasmBreakdown(outDir, { optimise = true } = {}) {
  const released = await readFile(join(PKG_DIR, 'okta_connect_bg.wasm'));
  const releasedSections = sections(released).map(({ name, size, start }) => ({
    name, size, gzip: gzip9(released.subarray(start, start + size)),
  }));
  let namedStat;
  try {
    namedStat = await stat(NAMED_WASM);
  } catch {
    return { releasedSections, note: `no ${relative(ROOT, NAMED_WASM)}: make build leaves one` };
  }
  const pkgTime = (await stat(join(PKG_DIR, 'okta_connect_bg.wasm'))).mtimeMs;
  const summarise = (bytes, variant, file) => {
    const b = breakdown(bytes);
    const counted = b.codeBytes - b.removedByBindgen;
    const share = (rows) => rows.filter((r) => r.name !== 'removed by wasm-bindgen').map((r) => ({ ...r, share: r.size / counted }));
    return {
      file,
      variant,
      codeBytes: b.codeBytes,
      removedByBindgen: b.removedByBindgen,
      byCrate: share(b.byCrate),
      byModule: share(b.byModule),
      topFunctions: share(b.functions.filter((f) => f.crate !== 'removed by wasm-bindgen').slice(0, 25)),
    };
  };
  const result = {
    releasedSections,
    // cargo's file is rewritten by every `make build`; minutes apart from pkg/ means it may be another build.
    namedIsFromThisBuild: Math.abs(pkgTime - namedStat.mtimeMs) < 10 * 60_000,
    unoptimised: summarise(await readFile(NAMED_WASM), 'before wasm-bindgen, unoptimised', relative(ROOT, NAMED_WASM)),
  };
  if (process.env.BENCH_NAMED_WASM) {
    // A names-bearing copy of the release itself (see bench/README.md): exact attribution, no second wasm-opt.
    const file = resolve(ROOT, process.env.BENCH_NAMED_WASM);
    result.optimised = summarise(await readFile(file), 'the release wasm with its names (BENCH_NAMED_WASM)', relative(ROOT, file));
  } else if (optimise) {
    const optimised = join(outDir, 'okta_connect.names-Oz.wasm');
    try {
      await promisify(execFile)(join(ROOT, 'node_modules/.bin/wasm-opt'), [
        '-Oz', '-g', '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext', '--enable-mutable-globals',
        '--enable-reference-types', '--enable-multivalue', NAMED_WASM, '-o', optimised,
      ], { maxBuffer: 1 << 24 });
      result.optimised = summarise(await readFile(optimised), 'before wasm-bindgen, wasm-opt -Oz -g (names kept)', relative(ROOT, optimised));
    } catch (error) {
      result.optimisedError = String(error.message).split('\n')[0];
    }
  }
  return result;
}

/** Everything the size figure needs; writes the jose bundles to `outDir` (the cold-start pages load one). */
export async function measureSize(outDir, { optimise = true } = {}) {
  await mkdir(outDir, { recursive: true });
  const ours = await packageSize();
  ours.jsMinified = await minifiedJs(ours.files);
  // What okta-connect does, done with jose: sign the assertion with an imported PKCS#8 key, and DPoP (a
  // generated P-256 key, its public JWK in the proof). The narrower SignJWT + importPKCS8 is shown too.
  const joseDpop = await bundleJose(['SignJWT', 'importPKCS8', 'generateKeyPair', 'exportJWK'], outDir);
  const joseSign = await bundleJose(['SignJWT', 'importPKCS8'], outDir);
  await writeFile(join(outDir, 'jose-subset.mjs'), joseDpop.minified.code);
  const strip = ({ minified: { code, ...minified }, ...rest }) => ({ ...rest, minified });
  return {
    budgetGzip: GZIP_BUDGET_BYTES,
    ours,
    jose: { assertionAndDpop: strip(joseDpop), signOnly: strip(joseSign), version: JSON.parse(await readFile(join(ROOT, 'node_modules/jose/package.json'), 'utf8')).version },
    wasm: await wasmBreakdown(outDir, { optimise }),
  };
}
