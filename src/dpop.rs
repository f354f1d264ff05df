//! DPoP proofs (RFC 9449) with an ephemeral P-256 key.
//!
//! A proof's header is `typ: dpop+jwt`, `alg: ES256` and the public `jwk`; its claims `jti` (fresh each call),
//! `htm`, `htu` (without query and fragment), `iat`, and `nonce` / `ath` when given.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::base64url;
use crate::error::{Error, ErrorCode, Result};
use crate::json::Object;
use crate::jwk::PublicJwk;
use crate::jws::{Header, Unsigned};
use crate::key::{Algorithm, SigningKey};
use crate::random;

/// What a proof is for.
#[derive(Clone, Debug)]
pub struct ProofOptions<'a> {
    /// HTTP method, e.g. `POST` (case-insensitive; sent upper-case).
    pub htm: &'a str,
    /// Target URL; its query and fragment are dropped.
    pub htu: &'a str,
    /// Server-provided `DPoP-Nonce`, if any.
    pub nonce: Option<&'a str>,
    /// Access token the request presents; its hash becomes `ath`.
    pub access_token: Option<&'a str>,
    /// Current time, seconds since the Unix epoch.
    pub now: u64,
}

/// `ath`: base64url(SHA-256(access token)).
#[must_use]
pub fn access_token_hash(access_token: &str) -> String {
    base64url::encode(&Sha256::digest(access_token.as_bytes()))
}

/// The target URI without query and fragment, validated.
fn target_uri(htu: &str) -> Result<&str> {
    let htu = htu.trim();
    let end = htu.find(['?', '#']).unwrap_or(htu.len());
    let htu = htu.get(..end).unwrap_or(htu);
    let rest = htu.strip_prefix("https://").or_else(|| htu.strip_prefix("http://"));
    match rest {
        Some(rest) if !rest.is_empty() && !htu.chars().any(|c| c.is_whitespace() || c.is_control()) => Ok(htu),
        _ => Err(Error::new(ErrorCode::DpopInvalid, "htu must be an absolute http(s) URL")),
    }
}

fn method(htm: &str) -> Result<String> {
    let htm = htm.trim();
    if htm.is_empty() || htm.len() > 16 || !htm.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(Error::new(ErrorCode::DpopInvalid, "htm must be an HTTP method such as GET or POST"));
    }
    Ok(htm.to_ascii_uppercase())
}

fn check_token_value(value: Option<&str>, what: &str) -> Result<()> {
    match value {
        Some(v) if v.is_empty() || v.len() > 16 * 1024 || !v.chars().all(|c| c.is_ascii_graphic()) => Err(
            Error::new(ErrorCode::DpopInvalid, format!("the {what} must be printable ASCII without spaces")),
        ),
        _ => Ok(()),
    }
}

/// The unsigned proof for the DPoP public key `jwk` (the host may hold the private half in WebCrypto).
///
/// # Errors
/// `dpop_invalid` for a bad method, URL, nonce or token; `random_unavailable` when no `jti` can be drawn.
pub fn unsigned(jwk: &PublicJwk, options: &ProofOptions<'_>) -> Result<Unsigned> {
    check_token_value(options.nonce, "nonce")?;
    check_token_value(options.access_token, "access token")?;
    if options.now > crate::MAX_TIMESTAMP {
        return Err(Error::new(ErrorCode::DpopInvalid, "the time is out of range"));
    }
    let header = Header { alg: Algorithm::Es256, typ: "dpop+jwt", kid: None, jwk: Some(jwk) };
    let claims = Object::new()
        .str("jti", &random::jti()?)
        .str("htm", &method(options.htm)?)
        .str("htu", target_uri(options.htu)?)
        .num("iat", options.now)
        .opt_str("nonce", options.nonce)
        .opt_str("ath", options.access_token.map(access_token_hash).as_deref())
        .finish();
    Ok(Unsigned::new(&header, &claims))
}

/// An ephemeral DPoP key pair, generated in memory and never exported.
#[derive(Debug)]
pub struct DpopKey {
    key: SigningKey,
}

impl DpopKey {
    /// A fresh P-256 key.
    ///
    /// # Errors
    /// `random_unavailable` when the platform has no CSPRNG here.
    pub fn generate() -> Result<Self> {
        Ok(Self { key: SigningKey::generate_p256()? })
    }

    /// The DPoP key every client of the same org, client ID and client key shares, so that a DPoP-bound token
    /// can be cached and used by all of them (e.g. a fleet of Worker isolates sharing a KV token cache).
    ///
    /// HKDF-SHA-256 (RFC 5869) of the client key's PKCS#8 encoding, salt `okta-connect DPoP key v1`, info
    /// `{org URL}\n{client ID}\n{counter}`; the first counter whose output is a valid P-256 scalar wins. The
    /// DPoP key is then exactly as secret, and as long-lived, as the client key it comes from.
    ///
    /// # Errors
    /// `key_malformed` if the client key cannot be encoded (never for a parsed key).
    pub fn derive(client_key: &SigningKey, org_url: &str, client_id: &str) -> Result<Self> {
        let ikm = client_key.to_pkcs8_der()?;
        let prk = hmac_sha256(b"okta-connect DPoP key v1", &ikm)?;
        for counter in 0u8..=255 {
            let info = format!("{org_url}\n{client_id}\n{counter}");
            let okm = hmac_sha256(prk.as_slice(), &[info.as_bytes(), &[1]].concat())?;
            if let Some(key) = SigningKey::p256_from_scalar(okm.as_slice()) {
                return Ok(Self { key });
            }
        }
        Err(Error::new(ErrorCode::KeyMalformed, "no DPoP key could be derived"))
    }

    /// The private key as PKCS#8, for a one-time import into a non-extractable WebCrypto key.
    ///
    /// # Errors
    /// As [`SigningKey::to_pkcs8_der`].
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        self.key.to_pkcs8_der()
    }

    /// The public JWK placed in every proof header.
    #[must_use]
    pub fn public_jwk(&self) -> &PublicJwk {
        self.key.public_jwk()
    }

    /// The RFC 7638 thumbprint: the `jkt` a DPoP-bound token is bound to.
    #[must_use]
    pub fn thumbprint(&self) -> String {
        self.key.thumbprint()
    }

    /// The raw ES256 signature (r‖s) of `data`, for a proof drafted elsewhere.
    ///
    /// # Errors
    /// As [`SigningKey::sign`].
    pub fn sign(&self, data: &[u8]) -> Result<Vec<u8>> {
        self.key.sign(data)
    }

    /// A signed proof.
    ///
    /// # Errors
    /// As [`unsigned`].
    pub fn create_proof(&self, options: &ProofOptions<'_>) -> Result<String> {
        unsigned(self.public_jwk(), options)?.sign(&self.key)
    }
}

/// HMAC-SHA-256, the building block of HKDF's extract and (single-block) expand steps.
fn hmac_sha256(key: &[u8], data: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).map_err(|_| Error::new(ErrorCode::KeyMalformed, "HMAC key rejected"))?;
    mac.update(data);
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(&mac.finalize().into_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test case 2.
    #[test]
    fn hmac_sha256_matches_rfc4231() -> Result<()> {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?")?;
        assert_eq!(base64url::encode(mac.as_slice()), "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");
        Ok(())
    }

    #[test]
    fn derived_keys_are_stable_and_separated() -> Result<()> {
        let client = SigningKey::parse(include_str!("../tests/fixtures/keys/p256.pkcs8.pem"), None)?;
        let a = DpopKey::derive(&client, "https://a.okta.com", "0oa1")?;
        assert_eq!(a.thumbprint(), DpopKey::derive(&client, "https://a.okta.com", "0oa1")?.thumbprint());
        assert_ne!(a.thumbprint(), DpopKey::derive(&client, "https://b.okta.com", "0oa1")?.thumbprint());
        assert_ne!(a.thumbprint(), DpopKey::derive(&client, "https://a.okta.com", "0oa2")?.thumbprint());
        assert_ne!(a.thumbprint(), client.thumbprint());
        Ok(())
    }

    #[test]
    fn rfc9449_section_7_1_ath() {
        assert_eq!(access_token_hash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"), "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
    }

    #[test]
    fn htu_drops_query_and_fragment() -> Result<()> {
        assert_eq!(target_uri("https://a.okta.com/api/v1/users/00u1?x=1#f")?, "https://a.okta.com/api/v1/users/00u1");
        assert_eq!(target_uri("https://a.okta.com#f")?, "https://a.okta.com");
        for bad in ["", "ftp://a", "https://", "/api/v1", "https://a b"] {
            assert_eq!(target_uri(bad).map_err(|e| e.code()), Err(ErrorCode::DpopInvalid), "{bad}");
        }
        Ok(())
    }

    #[test]
    fn htm_is_upper_cased_and_validated() -> Result<()> {
        assert_eq!(method("post")?, "POST");
        assert!(method("GE T").is_err() && method("").is_err());
        Ok(())
    }
}
