#!/usr/bin/env bash
# Builds pkg/, the npm package: one `--target web` wasm build, optimised with binaryen's wasm-opt (from npm),
# one module of JS code (the glue and the host layer from js/), and the entry points for Node, browsers/bundlers
# and workerd.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

rm -rf pkg  # no file of an earlier layout may linger in the package
wasm-pack build --release --target web --out-dir pkg --out-name okta_connect --no-pack >&2
wasm=pkg/okta_connect_bg.wasm
# -ocimfs=50: binaryen inlines a function with one caller only when it is small. Cold starts compile a wasm
# function on its first call, so large single-caller functions (one decoder per key format, error paths) stay
# apart and are compiled only when used; and the result is smaller after gzip.
node_modules/.bin/wasm-opt -Oz --one-caller-inline-max-function-size=50 --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  --enable-reference-types --enable-multivalue "$wasm" -o "$wasm.opt"
mv "$wasm.opt" "$wasm"

# wasm-bindgen's glue throws plain Errors for misuse it detects itself (a freed object, a wrong class passed
# where a SigningKey is expected). Make them OktaConnectErrors like every other failure, and fail the build if
# the generated code no longer has the shape this relies on.
node scripts/patch-glue.mjs pkg/okta_connect.js

# One module of code: the glue, client.js and signers.js bundled by rollup into pkg/okta_connect.js (scope
# hoisted, not minified: what ships stays readable). See js/bundle-entry.js.
staging=target/pkg-js
rm -rf "$staging" && mkdir -p "$staging"
mv pkg/okta_connect.js "$staging/"
cp js/bundle-entry.js js/client.js js/signers.js "$staging/"
node_modules/.bin/rollup "$staging/bundle-entry.js" --format es --file pkg/okta_connect.js --no-treeshake --silent
# The glue's Deno types hint would name okta_connect.d.ts, which declares the glue's exports only.
sed -i '1{/@ts-self-types/d}' pkg/okta_connect.js

version=$(awk -F'"' '/^version = / {print $2; exit}' Cargo.toml)
cp js/api.js js/index.*.js js/*.d.ts pkg/
sed "s/@VERSION@/$version/" js/package.json > pkg/package.json
cp README.md pkg/README.md
rm -f pkg/.gitignore

# Let the repository's own tests and examples import the package by name, exactly as customers do.
mkdir -p node_modules
ln -sfn ../pkg node_modules/okta-connect
printf '[build] pkg/ ready: %s bytes wasm, %s bytes gzip -9\n' "$(wc -c < "$wasm")" "$(gzip -9 -c "$wasm" | wc -c)" >&2
