// Post-processes wasm-bindgen's JS glue so that the errors it raises itself are OktaConnectErrors
// (code `invalid_argument`): `null pointer passed to rust` (a freed or forged object) and
// `expected instance of X` (a wrong argument where a class instance is expected). Fails loudly if the glue
// changed shape, so an upgrade of wasm-bindgen cannot silently undo it.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
let glue = readFileSync(file, 'utf8');
const replacements = [
  [/(__wbindgen_throw_[0-9a-f]+: function\(arg0, arg1\) \{\n\s*)throw new Error\(getStringFromWasm0\(arg0, arg1\)\);/, '$1throw misuseError(getStringFromWasm0(arg0, arg1));'],
  [/(function _assertClass\(instance, klass\) \{\n\s*if \(!\(instance instanceof klass\)\) \{\n\s*)throw new Error\(`expected instance of \$\{klass\.name\}`\);/, '$1throw misuseError(`expected an instance of ${klass.name}`);'],
];
for (const [pattern, replacement] of replacements) {
  if (!pattern.test(glue)) {
    console.error(`patch-glue: the wasm-bindgen glue no longer matches ${pattern}`);
    process.exit(1);
  }
  glue = glue.replace(pattern, replacement);
}
glue += `
function misuseError(message) {
    const error = new Error(message === 'null pointer passed to rust' ? 'this object was freed (or is not a live okta-connect object)' : message);
    error.name = 'OktaConnectError';
    error.code = 'invalid_argument';
    error.retryable = false;
    return error;
}
`;
writeFileSync(file, glue);
