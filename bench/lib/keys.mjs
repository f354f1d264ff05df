// The test-only fixture keys every benchmark signs with (never real credentials): RSA-2048 for the client
// assertion, P-256 for jose's DPoP key. Node-side: runtimes without a file system get the PEM text passed in.
import { readFileSync } from 'node:fs';

const dir = new URL('../../tests/fixtures/keys/', import.meta.url);

export function fixtureKeys() {
  return {
    rsa: readFileSync(new URL('rsa2048.pkcs8.pem', dir), 'utf8'),
    p256: readFileSync(new URL('p256.pkcs8.pem', dir), 'utf8'),
  };
}
