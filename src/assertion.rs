//! RFC 7523 client assertions, as Okta's `private_key_jwt` wants them.
//!
//! Header `alg`, `kid` (when known), `typ: JWT`; claims `iss = sub = client_id`, `aud` = the token URL,
//! `iat`, `exp` (default 300 s later, at most 3600 s), and a fresh 128-bit `jti`. No `nbf`: Okta does not
//! document it, and a skewed clock would make it fail.

use crate::error::{Error, ErrorCode, Result};
use crate::json::Object;
use crate::jws::{Header, Unsigned};
use crate::key::{Algorithm, SigningKey};
use crate::random;

/// Default assertion lifetime, in seconds (as Okta's Node SDK).
pub const DEFAULT_LIFETIME: u64 = 300;
/// Longest lifetime Okta accepts: `exp` at most one hour ahead.
pub const MAX_LIFETIME: u64 = 3600;

/// What an assertion is for.
#[derive(Clone, Debug)]
pub struct AssertionOptions<'a> {
    /// The API Services app's client ID (`iss` and `sub`).
    pub client_id: &'a str,
    /// The token endpoint URL (`aud`), e.g. `https://acme.okta.com/oauth2/v1/token`.
    pub audience: &'a str,
    /// Current time, seconds since the Unix epoch.
    pub now: u64,
    /// Lifetime in seconds, 1..=3600; `None` for the default 300.
    pub lifetime_seconds: Option<u64>,
}

/// The unsigned assertion for a key with this algorithm and kid (the host may sign it with WebCrypto).
///
/// # Errors
/// `assertion_invalid` for an empty client ID or audience, a non-http(s) audience, or a lifetime outside
/// 1..=3600 s; `random_unavailable` when no `jti` can be drawn.
pub fn unsigned(algorithm: Algorithm, key_id: Option<&str>, options: &AssertionOptions<'_>) -> Result<Unsigned> {
    let invalid = |message: &str| Error::new(ErrorCode::AssertionInvalid, message);
    let client_id = options.client_id.trim();
    if client_id.is_empty() || client_id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("the client ID is empty or has spaces or control characters"));
    }
    let audience = options.audience.trim();
    if !(audience.starts_with("https://") || audience.starts_with("http://"))
        || audience.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(invalid("the audience must be the token endpoint's URL, e.g. https://acme.okta.com/oauth2/v1/token"));
    }
    let lifetime = options.lifetime_seconds.unwrap_or(DEFAULT_LIFETIME);
    if lifetime == 0 || lifetime > MAX_LIFETIME {
        return Err(invalid("the lifetime must be between 1 and 3600 seconds: Okta rejects an exp more than one hour ahead"));
    }
    if options.now > crate::MAX_TIMESTAMP - MAX_LIFETIME {
        return Err(invalid("the time is out of range"));
    }
    let header = Header { alg: algorithm, typ: "JWT", kid: key_id, jwk: None };
    let claims = Object::new()
        .str("iss", client_id)
        .str("sub", client_id)
        .str("aud", audience)
        .num("iat", options.now)
        .num("exp", options.now + lifetime)
        .str("jti", &random::jti()?)
        .finish();
    Ok(Unsigned::new(&header, &claims))
}

/// A signed client assertion.
///
/// # Errors
/// As [`unsigned`], and as [`SigningKey::sign`].
pub fn create(key: &SigningKey, options: &AssertionOptions<'_>) -> Result<String> {
    unsigned(key.algorithm(), key.key_id(), options)?.sign(key)
}
