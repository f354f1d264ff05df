// A small WebAssembly binary reader for the size breakdown: section sizes, each function body's size, and the
// function names of the `name` custom section (Rust's legacy `_ZN…E` mangling, demangled), grouped by crate.
// The released pkg/okta_connect_bg.wasm has no names (wasm-opt --strip-debug); cargo's output before
// wasm-bindgen, target/wasm32-unknown-unknown/release/okta_connect.wasm, still has them.

const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount', 'tag'];

class Reader {
  constructor(bytes, at = 0, end = bytes.length) {
    this.bytes = bytes;
    this.at = at;
    this.end = end;
  }
  u8() {
    return this.bytes[this.at++];
  }
  u32() {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.u8();
      result += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return result;
      shift += 7;
    }
  }
  name() {
    const length = this.u32();
    const text = new TextDecoder().decode(this.bytes.subarray(this.at, this.at + length));
    this.at += length;
    return text;
  }
  skip(n) {
    this.at += n;
  }
}

/** Sections in order: { id, name, size } (custom sections named by their own name, e.g. `custom:name`). */
export function sections(bytes) {
  const r = new Reader(bytes, 8);
  const out = [];
  while (r.at < bytes.length) {
    const id = r.u8();
    const size = r.u32();
    const start = r.at;
    let name = SECTION_NAMES[id] ?? `unknown-${id}`;
    if (id === 0) name = `custom:${new Reader(bytes, start).name()}`;
    out.push({ id, name, size, start });
    r.at = start + size;
  }
  return out;
}

/** Number of imported functions (they come first in the function index space and have no body). */
function importedFunctions(bytes, section) {
  const r = new Reader(bytes, section.start);
  let functions = 0;
  for (let count = r.u32(), i = 0; i < count; i++) {
    r.name();
    r.name();
    const kind = r.u8();
    if (kind === 0) {
      r.u32();
      functions++;
    } else if (kind === 1) {
      r.u8();
      const flags = r.u8();
      r.u32();
      if (flags & 1) r.u32();
    } else if (kind === 2) {
      const flags = r.u8();
      r.u32();
      if (flags & 1) r.u32();
    } else if (kind === 3) {
      r.u8();
      r.u8();
    } else if (kind === 4) {
      r.u8();
      r.u32();
    } else {
      throw new Error(`unknown import kind ${kind}`);
    }
  }
  return functions;
}

/** Function index → name, from the `name` section's function-names subsection. */
function functionNames(bytes, section) {
  const names = new Map();
  const r = new Reader(bytes, section.start, section.start + section.size);
  r.name(); // "name"
  while (r.at < r.end) {
    const id = r.u8();
    const size = r.u32();
    const next = r.at + size;
    if (id === 1) {
      for (let count = r.u32(), i = 0; i < count; i++) {
        const index = r.u32();
        names.set(index, r.name());
      }
    }
    r.at = next;
  }
  return names;
}

const ESCAPES = { SP: '@', BP: '*', RF: '&', LT: '<', GT: '>', LP: '(', RP: ')', C: ',' };

/** Rust legacy symbol demangling (enough for grouping): `_ZN4core3fmt5write17h…E` → `core::fmt::write`. */
function demangleLegacy(symbol) {
  const parts = [];
  let i = 3;
  while (i < symbol.length && symbol[i] !== 'E') {
    let digits = '';
    while (/[0-9]/.test(symbol[i])) digits += symbol[i++];
    if (!digits) break;
    parts.push(symbol.slice(i, i + Number(digits)));
    i += Number(digits);
  }
  if (parts.length > 1 && /^h[0-9a-f]{16}$/.test(parts.at(-1))) parts.pop();
  return parts
    .map((part) => part
      .replace(/^_\$/, '$')
      .replace(/\$([A-Z]{1,2})\$/g, (m, code) => ESCAPES[code] ?? m)
      .replace(/\$u([0-9a-f]+)\$/g, (m, hex) => String.fromCodePoint(parseInt(hex, 16)))
      .replace(/\.\./g, '::'))
    .join('::');
}

/**
 * Rust v0 symbols (`_R…`, used by the precompiled standard library), approximately: the crate and the path's
 * identifiers, generic arguments left out. `_RNvNtCs…_4core3fmt5write` → `core::fmt::write`.
 */
function demangleV0(symbol) {
  const parts = [];
  let depth = 0;
  let i = symbol.startsWith('_RI') ? 3 : 2; // a generic instantiation: its path first, then its arguments
  const skipDisambiguator = () => {
    if (symbol[i] === 's') {
      while (i < symbol.length && symbol[i] !== '_') i++;
      i++;
    }
  };
  while (i < symbol.length) {
    const c = symbol[i];
    if (c === 'N') {
      i += 2; // namespace tag and its kind
      skipDisambiguator();
    } else if (c === 'C' || c === 'M' || c === 'X' || c === 'Y') {
      i++;
      skipDisambiguator();
    } else if (c === 'B') {
      while (i < symbol.length && symbol[i] !== '_') i++;
      i++;
    } else if (c === 'I') {
      depth++;
      i++;
    } else if (c === 'E') {
      depth = Math.max(0, depth - 1);
      i++;
    } else if (/[0-9]/.test(c)) {
      let digits = '';
      while (/[0-9]/.test(symbol[i])) digits += symbol[i++];
      if (symbol[i] === '_') i++;
      const ident = symbol.slice(i, i + Number(digits));
      i += Number(digits);
      if (depth === 0) parts.push(ident);
    } else {
      i++;
    }
  }
  return parts.join('::') || symbol;
}

export function demangle(symbol) {
  if (symbol.startsWith('_ZN')) return demangleLegacy(symbol);
  if (symbol.startsWith('_R')) return demangleV0(symbol);
  return symbol;
}

/** The crate a (demangled) function belongs to: its path's first segment (`<T as Trait>` → T's crate). */
export function crateOf(name) {
  if (/^__wbindgen_describe/.test(name)) return 'removed by wasm-bindgen';
  // `<T as crate::Trait>::f`, `<f64 as …>`, `<[u8] as …>`: a generic or primitive self type, so the trait's crate.
  const blanket = /^<&?(?:mut )?([A-Za-z0-9_[\]; ]+) as ([A-Za-z_][A-Za-z0-9_]*)::/.exec(name);
  if (blanket && !blanket[1].includes('::')) return blanket[2];
  const path = name.replace(/^[<&*\s]+/, '').replace(/^(mut|const|dyn)\s+/, '');
  const match = /^([A-Za-z_][A-Za-z0-9_]*)::/.exec(path);
  if (match) return match[1];
  if (/^__wbindgen|^__wbg_|^__externref/.test(name)) return 'wasm-bindgen glue';
  // wasm-bindgen's export shims (`operation_next_<hash>`): okta_connect::wasm, with whatever -Oz inlined into them.
  if (/^[a-zA-Z][a-zA-Z0-9]*(_[a-zA-Z0-9]+)*_[0-9a-f]{16}$/.test(name)) return 'okta_connect';
  if (/^(memcpy|memmove|memset|memcmp|bcmp|__[a-z0-9_]+[0-9]$|__mul|__div|__ashl|__lshr|__udiv|__umod)/.test(name)) return 'compiler_builtins';
  if (/^(__rust|__rdl|__rg|rust_)/.test(name)) return 'std';
  return '(other)';
}

/**
 * The code section broken down: { codeBytes, functions: [{ name, crate, module, size }], byCrate, byModule }
 * (`module` = the okta_connect module path, e.g. okta_connect::key::pem). Sizes are function body bytes.
 */
export function breakdown(bytes) {
  const list = sections(bytes);
  const importSection = list.find((s) => s.name === 'import');
  const codeSection = list.find((s) => s.name === 'code');
  const nameSection = list.find((s) => s.name === 'custom:name');
  const imported = importSection ? importedFunctions(bytes, importSection) : 0;
  const names = nameSection ? functionNames(bytes, nameSection) : new Map();
  const r = new Reader(bytes, codeSection.start);
  const functions = [];
  for (let count = r.u32(), i = 0; i < count; i++) {
    const bodyStart = r.at;
    const size = r.u32();
    const total = r.at - bodyStart + size;
    r.skip(size);
    const raw = names.get(imported + i);
    const name = raw === undefined ? `func[${imported + i}]` : demangle(raw);
    const crate = raw === undefined ? '(no name)' : crateOf(name);
    const module = crate !== 'okta_connect' ? undefined : name.includes('::') ? name.split('::').slice(0, 2).join('::').replace(/[<{].*$/, '') : 'okta_connect::wasm exports (inlined code)';
    functions.push({ name, crate, module, size: total });
  }
  const sum = (key) => {
    const totals = new Map();
    for (const f of functions) if (f[key]) totals.set(f[key], (totals.get(f[key]) ?? 0) + f.size);
    return [...totals].map(([name, size]) => ({ name, size })).sort((a, b) => b.size - a.size);
  };
  functions.sort((a, b) => b.size - a.size);
  const removed = functions.filter((f) => f.crate === 'removed by wasm-bindgen').reduce((n, f) => n + f.size, 0);
  return { hasNames: names.size > 0, removedByBindgen: removed, codeBytes: codeSection.size, sections: list.map(({ name, size }) => ({ name, size })), functions, byCrate: sum('crate'), byModule: sum('module') };
}
