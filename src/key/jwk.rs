//! Private JWKs (RFC 7517/7518) and JWK Sets, as the Okta Admin Console shows them.

use serde::Deserialize;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::{Algorithm, Parsed, Secret, bit_length, check_rsa_bits};
use crate::base64url;
use crate::error::{Error, ErrorCode, Result};

/// Every member we look at; unknown members are ignored. A JWK Set is the same object with `keys`, so one pass of
/// the parser reads either without buffering (serde's untagged enums would copy every string into a private,
/// never-wiped buffer). Strings are wiped on drop.
#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
struct Jwk {
    kty: Option<String>,
    crv: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    kid: Option<String>,
    n: Option<String>,
    e: Option<String>,
    d: Option<String>,
    p: Option<String>,
    q: Option<String>,
    x: Option<String>,
    y: Option<String>,
    #[zeroize(skip)]
    oth: Option<serde::de::IgnoredAny>,
    keys: Option<Vec<Jwk>>,
}

fn malformed(detail: &str) -> Error {
    Error::new(ErrorCode::KeyMalformed, format!("the JWK is malformed: {detail}"))
}

/// Parse a JWK or a JWKS (choosing by `key_id`, or the only private key).
pub(super) fn parse(text: &str, key_id: Option<&str>) -> Result<Parsed> {
    let document: Jwk = serde_json::from_str(text).map_err(|e| {
        let why = if e.is_eof() { "the JSON is cut off" } else { "it is not a JSON object with string members" };
        malformed(why)
    })?;
    match &document.keys {
        Some(keys) => import(select(keys, key_id)?),
        None => import(&document),
    }
}

fn select<'a>(keys: &'a [Jwk], key_id: Option<&str>) -> Result<&'a Jwk> {
    if let Some(key_id) = key_id {
        return keys.iter().find(|k| k.kid.as_deref() == Some(key_id)).ok_or_else(|| {
            Error::new(ErrorCode::KeyIdNotFound, format!("no key in the key set has kid \"{key_id}\""))
        });
    }
    let mut private = keys.iter().filter(|k| k.d.is_some());
    match (private.next(), private.next()) {
        (Some(only), None) => Ok(only),
        (Some(_), Some(_)) => Err(Error::new(ErrorCode::KeyAmbiguous, "the key set holds several private keys")),
        (None, _) if keys.is_empty() => Err(malformed("the key set is empty")),
        (None, _) => Err(Error::new(ErrorCode::KeyIsPublic, "the key set holds only public keys")),
    }
}

fn import(jwk: &Jwk) -> Result<Parsed> {
    if jwk.use_.as_deref().is_some_and(|u| u != "sig") {
        return Err(Error::new(ErrorCode::KeyWrongUse, "the key is not marked for signatures (\"use\" is not \"sig\")"));
    }
    let kid = jwk.kid.clone();
    match jwk.kty.as_deref() {
        Some("RSA") => import_rsa(jwk).map(|(secret, algorithm)| Parsed { secret, algorithm, kid }),
        Some("EC") => import_ec(jwk).map(|secret| Parsed { secret, algorithm: Algorithm::Es256, kid }),
        Some(other @ ("OKP" | "oct")) => Err(Error::new(
            ErrorCode::KeyUnsupportedType,
            format!("JWK key type \"{other}\" is not accepted; use an RSA or EC P-256 key"),
        )),
        Some(_) => Err(Error::new(ErrorCode::KeyUnsupportedType, "unknown JWK key type (\"kty\")")),
        None => Err(malformed("the \"kty\" member is missing")),
    }
}

/// Decode a base64url member (tolerating `=` padding, which some tools emit).
fn member(value: Option<&String>, name: &str) -> Result<Zeroizing<Vec<u8>>> {
    let value = value.ok_or_else(|| malformed(&format!("the \"{name}\" member is missing")))?;
    base64url::decode(value.trim_end_matches('='))
        .map(Zeroizing::new)
        .ok_or_else(|| malformed(&format!("the \"{name}\" member is not base64url")))
}

fn uint(bytes: &[u8]) -> rsa::BoxedUint {
    rsa::BoxedUint::from_be_slice_vartime(bytes)
}

fn import_rsa(jwk: &Jwk) -> Result<(Secret, Algorithm)> {
    let algorithm = match jwk.alg.as_deref().map(|alg| (alg, Algorithm::from_name(alg))) {
        None => Algorithm::Rs256,
        Some((_, Some(alg @ (Algorithm::Rs256 | Algorithm::Rs384 | Algorithm::Rs512)))) => alg,
        Some((other, _)) => {
            return Err(Error::new(ErrorCode::KeyAlgMismatch, format!("\"alg\": \"{other}\" cannot be used with this RSA key for Okta")));
        }
    };
    if jwk.d.is_none() {
        return Err(Error::new(ErrorCode::KeyIsPublic, "the JWK has no private exponent \"d\": it is the public key"));
    }
    if jwk.oth.is_some() {
        return Err(Error::new(ErrorCode::KeyUnsupportedType, "multi-prime RSA keys are not supported"));
    }
    let n = member(jwk.n.as_ref(), "n")?;
    check_rsa_bits(bit_length(&n))?;
    let e = member(jwk.e.as_ref(), "e")?;
    let d = member(jwk.d.as_ref(), "d")?;
    let primes = match (jwk.p.is_some(), jwk.q.is_some()) {
        (true, true) => vec![uint(&member(jwk.p.as_ref(), "p")?), uint(&member(jwk.q.as_ref(), "q")?)],
        (false, false) => Vec::new(),
        _ => return Err(malformed("only one of the primes \"p\" and \"q\" is present")),
    };
    let key = rsa::PrivateKey::from_components(uint(&n), uint(&e), uint(&d), primes).map_err(|_| {
        Error::new(ErrorCode::KeyMismatch, "the JWK's private members (d, p, q) do not match its public members (n, e)")
    })?;
    Ok((Secret::Rsa(Box::new(key)), algorithm))
}

fn import_ec(jwk: &Jwk) -> Result<Secret> {
    match jwk.crv.as_deref() {
        Some("P-256") => {}
        Some(other) => {
            return Err(Error::new(ErrorCode::KeyUnsupportedCurve, format!("curve \"{other}\" is not supported; use P-256")));
        }
        None => return Err(malformed("the \"crv\" member is missing")),
    }
    if let Some(alg) = jwk.alg.as_deref().filter(|a| *a != "ES256") {
        return Err(Error::new(ErrorCode::KeyAlgMismatch, format!("\"alg\": \"{alg}\" does not fit a P-256 key (ES256)")));
    }
    if jwk.d.is_none() {
        return Err(Error::new(ErrorCode::KeyIsPublic, "the JWK has no private member \"d\": it is the public key"));
    }
    let d = member(jwk.d.as_ref(), "d")?;
    let key = p256::ecdsa::SigningKey::from_slice(&d).map_err(|_| malformed("\"d\" is not a P-256 private scalar"))?;
    let point = key.verifying_key().to_sec1_point(false);
    for (name, value, expected) in [("x", jwk.x.as_ref(), point.x()), ("y", jwk.y.as_ref(), point.y())] {
        if value.is_some() && member(value, name)?.as_slice() != expected.map(|a| a.as_slice()).unwrap_or_default() {
            return Err(Error::new(ErrorCode::KeyMismatch, "the JWK's private member \"d\" does not match its public point (x, y)"));
        }
    }
    Ok(Secret::P256(Box::new(key)))
}
