// Compiled with `tsc --strict` by tests/js/types.test.mjs: the package's declarations must type every export
// precisely enough for this file to compile, and for each line of wrong-usage.ts to fail.
import { OktaClient, SigningKey, DpopKey, createClientAssertion, validateConfig } from 'okta-connect';
import type { Algorithm, Check, ErrorCode, OktaConnectError, OktaUser, ValidationResult } from 'okta-connect';

const report: ValidationResult = validateConfig({ orgUrl: 'acme.okta.com', clientId: '0oa1', privateKey: '{}' }, { allowedHosts: ['login.example.com'] });
const field: 'orgUrl' | 'clientId' | 'privateKey' | 'keyId' | undefined = report.problems[0]?.field;
const severity: 'error' | 'warning' | 'notice' | undefined = report.problems[0]?.severity;

const key = SigningKey.parse('{}', 'kid');
const algorithm: Algorithm = key.algorithm;
const bits: number = key.bits;
const signature: Uint8Array = key.sign(new Uint8Array([1]));
const jwt: string = createClientAssertion(key, { clientId: 'c', audience: 'https://a.okta.com/oauth2/v1/token', lifetimeSeconds: 60 });
const proof: string = new DpopKey().createProof({ htm: 'GET', htu: 'https://a.okta.com/api/v1/users', accessToken: 't' });

async function flow(): Promise<void> {
  const client = await OktaClient.connect({ orgUrl: 'https://acme.okta.com', clientId: 'c', privateKey: 'k' }, { timeoutMs: 5000, signing: 'wasm' });
  const result = await client.verify({ onProgress: (check: Check) => void check.status });
  const ok: boolean = result.ok;
  const user: OktaUser = await client.getUser('alice@example.com');
  const reset: { resetPasswordUrl?: string } = await client.resetPassword(user.id, { sendEmail: false });
  const temp: { tempPassword?: string } = await client.expirePassword(user.id, { tempPassword: true });
  await client.setPassword(user.id, 'pw', { revokeSessions: true });
  await client.revokeSessions(user.id);
  const token: string = await client.accessToken();
  void [ok, reset, temp, token];
  client.close();
}

function describe(error: OktaConnectError): string {
  const code: ErrorCode = error.code;
  return `${code} ${error.fix ?? ''} ${error.errorCauses?.join(', ') ?? ''} ${error.retryable}`;
}

void [field, severity, algorithm, bits, signature, jwt, proof, flow, describe];
