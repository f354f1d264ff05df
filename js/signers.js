// Signers for the JWS inputs the core asks for. WebCrypto where the runtime has it (the client key imported
// once as a non-extractable CryptoKey, the DPoP key generated non-extractable); the wasm signers otherwise.
import { DpopKey, importClientKey, importDpopKey, webCryptoParams } from './okta_connect.js';

const encoder = new TextEncoder();

/** The runtime's SubtleCrypto, or undefined (e.g. an insecure browser context). */
export function webCrypto() {
  return globalThis.crypto?.subtle;
}

function webCryptoSigner(subtle, cryptoKey, algorithm) {
  // The core names the algorithm's WebCrypto parameters (it imports the key with the same table).
  const params = webCryptoParams(algorithm).sign;
  return {
    async sign(input) {
      return new Uint8Array(await subtle.sign(params, cryptoKey, encoder.encode(input)));
    },
    free() {},
  };
}

/** Signs with a wasm key (`SigningKey` or `DpopKey`); `free()` zeroizes it. */
function wasmSigner(key) {
  return {
    async sign(input) {
      return key.sign(encoder.encode(input));
    },
    free: () => key.free(),
  };
}

/** The client key's signer. With WebCrypto the wasm copy of the key is freed (zeroized) right after import. */
export async function clientSigner(key, useWebCrypto) {
  const subtle = webCrypto();
  if (!useWebCrypto || !subtle) return wasmSigner(key);
  const algorithm = key.algorithm;
  try {
    return webCryptoSigner(subtle, await importClientKey(key, subtle), algorithm);
  } finally {
    key.free();
  }
}

/**
 * The DPoP key pair: `{ publicJwk, sign, free }`. Ephemeral and random, or — for clients that share tokens
 * through a cache — derived from the client key (`derive` = `{ key, orgUrl, clientId }`), so that every such
 * client holds the key the shared token is bound to. Either way non-extractable under WebCrypto.
 */
export async function dpopSigner(useWebCrypto, derive) {
  const subtle = webCrypto();
  if (derive) {
    const key = DpopKey.derive(derive.key, derive.orgUrl, derive.clientId);
    const publicJwk = key.publicJwk();
    if (!useWebCrypto || !subtle) return { ...wasmSigner(key), publicJwk };
    try {
      return { ...webCryptoSigner(subtle, await importDpopKey(key, subtle), 'ES256'), publicJwk };
    } finally {
      key.free();
    }
  }
  if (useWebCrypto && subtle) {
    const pair = await subtle.generateKey(webCryptoParams('ES256').key, false, ['sign', 'verify']);
    const { kty, crv, x, y } = await subtle.exportKey('jwk', pair.publicKey);
    return { ...webCryptoSigner(subtle, pair.privateKey, 'ES256'), publicJwk: { kty, crv, x, y } };
  }
  const key = new DpopKey();
  return { ...wasmSigner(key), publicJwk: key.publicJwk() };
}
