// Post-processes wasm-bindgen's JS glue so that misuse of the exported classes is caught in JS, before any
// call into wasm:
//  - every method checks that `this` (and every class-typed argument) is a live object this module created,
//    of the expected class: a freed, forged (`__wbg_ptr` set by hand), borrowed (`SigningKey.prototype.sign
//    .call(dpopKey)`) or unbound receiver gets an OktaConnectError `invalid_argument`;
//  - `free()` of anything but a live object is a no-op.
// Errors thrown from inside wasm frames would skip the code that restores the wasm stack pointer (and a forged
// pointer would read arbitrary memory), so these checks must happen on the JS side. The build fails if the glue
// no longer has the shapes relied on here, so an upgrade of wasm-bindgen cannot silently undo this.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
const source = readFileSync(file, 'utf8');

function replaceAll(text, pattern, replacement, what) {
  const count = (text.match(pattern) ?? []).length;
  if (count === 0) throw new Error(`patch-glue: no ${what} found; the wasm-bindgen glue changed shape`);
  return text.replace(pattern, replacement);
}

let glue = source;
glue = replaceAll(glue, /(\n(\s*)free\(\) \{\n)(\s*const ptr = this\.__destroy_into_raw\(\);)/g, '$1$2    if (!LIVE.has(this)) return;\n$3', 'free()');
glue = replaceAll(glue, /(__destroy_into_raw\(\) \{\n\s*const ptr = this\.__wbg_ptr;\n(\s*)this\.__wbg_ptr = 0;)/g, '$1\n$2LIVE.delete(this);', '__destroy_into_raw()');
glue = replaceAll(glue, /(\n(\s*)obj\.__wbg_ptr = ptr;)/g, '$1\n$2LIVE.set(obj, Object.getPrototypeOf(obj));', '__wrap()');
glue = replaceAll(glue, /(\n(\s*)this\.__wbg_ptr = ret\[0\];)/g, '$1\n$2LIVE.set(this, Object.getPrototypeOf(this));', 'constructor');
glue = replaceAll(
  glue,
  /(function _assertClass\(instance, klass\) \{\n\s*if \(!\(instance instanceof klass\)\) \{\n\s*)throw new Error\(`expected instance of \$\{klass\.name\}`\);/,
  '$1throw misuseError(`expected an instance of ${klass.name}`);',
  '_assertClass()',
);

// Receivers and class-typed arguments: `wasm.x(this.__wbg_ptr, …)` → `wasm.x(ptrOf(this, Class), …)`.
let currentClass = null;
const asserted = new Map();
const lines = glue.split('\n').map((line) => {
  const classStart = line.match(/^export class (\w+) \{/);
  if (classStart) currentClass = classStart[1];
  if (/^(export )?function /.test(line)) currentClass = null;
  if (/^\s*(static )?\w+\(.*\) \{$|^\s*(get|set) \w+\(.*\) \{$/.test(line)) asserted.clear();
  const assert = line.match(/_assertClass\((\w+), (\w+)\);/);
  if (assert) asserted.set(assert[1], assert[2]);
  return line.replace(/\b(this|\w+)\.__wbg_ptr(?=[,)])/g, (whole, name) => {
    if (!/wasm\.\w+\(/.test(line)) return whole;
    const klass = name === 'this' ? currentClass : asserted.get(name);
    if (!klass) throw new Error(`patch-glue: cannot tell the class of ${whole} in: ${line.trim()}`);
    return `ptrOf(${name}, ${klass})`;
  });
});
glue = lines.join('\n');
if (/wasm\.\w+\([^;]*\.__wbg_ptr/.test(glue)) throw new Error('patch-glue: an unchecked pointer is still passed to wasm');

glue += `
/** The live objects this module created, with the prototype each was created with. */
const LIVE = new WeakMap();

function ptrOf(object, klass) {
    if (object === null || (typeof object !== 'object' && typeof object !== 'function') || LIVE.get(object) !== klass.prototype) {
        throw misuseError(\`expected a live \${klass.name} (this one was freed, or is not an okta-connect object)\`);
    }
    return object.__wbg_ptr;
}

function misuseError(message) {
    const error = new Error(message);
    error.name = 'OktaConnectError';
    error.code = 'invalid_argument';
    error.retryable = false;
    return error;
}
`;
writeFileSync(file, glue);
