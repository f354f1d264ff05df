// Each line must be a type error: proves the declarations are precise, not `any`.
import { OktaClient, SigningKey, validateConfig } from 'okta-connect';
import type { Algorithm, ErrorCode } from 'okta-connect';

export const a: Algorithm = 'HS256';
export const b: ErrorCode = 'not_a_code';
export const c = validateConfig({ orgUrl: 1, clientId: 'c', privateKey: 'k' });
export const d: string = SigningKey.parse('k').bits;
export const e = OktaClient.connect({ orgUrl: 'o', clientId: 'c', privateKey: 'k' }, { signing: 'rsa' });
export const f = async (client: OktaClient) => client.resetPassword('u', {});
