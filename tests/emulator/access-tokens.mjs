// Access tokens minted by the org authorization server: JWTs signed with the emulator's own key,
// tracked server-side so the resource server can look them up, expire and bind them.
import { generateKeyPair, SignJWT } from 'jose';
import { randomBase62 } from './ids.mjs';

export const TOKEN_LIFETIME_SECONDS = 3600;

export class AccessTokens {
  #records = new Map();
  #signingKey;
  #kid = randomBase62(43);

  static async create() {
    const tokens = new AccessTokens();
    tokens.#signingKey = (await generateKeyPair('RS256')).privateKey;
    return tokens;
  }

  /** Mints a token for `clientId`; `jkt` binds it to a DPoP key. */
  async issue({ issuer, clientId, scopes, jkt, now }) {
    const exp = now + TOKEN_LIFETIME_SECONDS;
    const token = await new SignJWT({ ver: 1, cid: clientId, scp: scopes, ...(jkt && { cnf: { jkt } }) })
      .setProtectedHeader({ alg: 'RS256', kid: this.#kid })
      .setJti(`AT.${randomBase62(43)}`)
      .setIssuer(issuer)
      .setAudience(issuer)
      .setSubject(clientId)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(this.#signingKey);
    this.#records.set(token, { clientId, scopes, jkt, exp });
    return token;
  }

  /** The live record of `token`, or undefined when unknown or expired at `now`. */
  find(token, now) {
    const record = this.#records.get(token);
    return record && now < record.exp ? record : undefined;
  }
}
