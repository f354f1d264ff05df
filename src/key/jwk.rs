//! Private JWKs (RFC 7517/7518) and JWK Sets, as the Okta Admin Console shows them.

use zeroize::Zeroizing;

use super::{Algorithm, Parsed, Secret, bit_length, check_rsa_bits};
use crate::base64url;
use crate::error::{Error, ErrorCode, Result};
use crate::json::Value;

/// Every member we look at, borrowed from the parsed document (which is wiped when dropped); unknown members
/// are ignored. A JWK Set is the same object with `keys`, so one reading covers either.
#[derive(Default)]
struct Jwk<'a> {
    kty: Option<&'a str>,
    crv: Option<&'a str>,
    alg: Option<&'a str>,
    use_: Option<&'a str>,
    kid: Option<&'a str>,
    n: Option<&'a str>,
    e: Option<&'a str>,
    d: Option<&'a str>,
    p: Option<&'a str>,
    q: Option<&'a str>,
    dp: Option<&'a str>,
    dq: Option<&'a str>,
    qi: Option<&'a str>,
    x: Option<&'a str>,
    y: Option<&'a str>,
    /// `oth` is present (multi-prime RSA).
    oth: bool,
    keys: Option<Vec<Jwk<'a>>>,
}

impl<'a> Jwk<'a> {
    /// An object whose known members are strings (or `null`), none repeated, and whose `keys` (if any) is an
    /// array of such objects; `None` for anything else.
    fn read(value: &'a Value) -> Option<Self> {
        let mut jwk = Self::default();
        let mut seen: Vec<&str> = Vec::new();
        for (name, member) in value.members()? {
            let name = name.as_str();
            let slot = match name {
                "kty" => Some(&mut jwk.kty),
                "crv" => Some(&mut jwk.crv),
                "alg" => Some(&mut jwk.alg),
                "use" => Some(&mut jwk.use_),
                "kid" => Some(&mut jwk.kid),
                "n" => Some(&mut jwk.n),
                "e" => Some(&mut jwk.e),
                "d" => Some(&mut jwk.d),
                "p" => Some(&mut jwk.p),
                "q" => Some(&mut jwk.q),
                "dp" => Some(&mut jwk.dp),
                "dq" => Some(&mut jwk.dq),
                "qi" => Some(&mut jwk.qi),
                "x" => Some(&mut jwk.x),
                "y" => Some(&mut jwk.y),
                "oth" | "keys" => None,
                _ => continue,
            };
            if seen.contains(&name) {
                return None;
            }
            seen.push(name);
            match (slot, member) {
                (Some(slot), Value::String(text)) => *slot = Some(text),
                (_, Value::Null) => {}
                (Some(_), _) => return None,
                (None, _) if name == "oth" => jwk.oth = true,
                (None, keys) => jwk.keys = Some(keys.as_array()?.iter().map(Jwk::read).collect::<Option<Vec<_>>>()?),
            }
        }
        Some(jwk)
    }
}

fn malformed(detail: &str) -> Error {
    Error::new(ErrorCode::KeyMalformed, format!("the JWK is malformed: {detail}"))
}

/// Parse a JWK or a JWKS (choosing by `key_id`, or the only private key).
#[inline(never)] // see key::text::parse
pub(super) fn parse(text: &str, key_id: Option<&str>) -> Result<Parsed> {
    let not_jwk = || malformed("it is not a JSON object with string members");
    let value = Zeroizing::new(Value::parse(text).map_err(|e| if e.eof { malformed("the JSON is cut off") } else { not_jwk() })?);
    let document = Jwk::read(&value).ok_or_else(not_jwk)?;
    match &document.keys {
        Some(keys) => import(select(keys, key_id)?),
        None => import(&document),
    }
}

fn select<'a, 'b>(keys: &'a [Jwk<'b>], key_id: Option<&str>) -> Result<&'a Jwk<'b>> {
    if let Some(key_id) = key_id {
        return keys.iter().find(|k| k.kid == Some(key_id)).ok_or_else(|| {
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
    if jwk.use_.is_some_and(|u| u != "sig") {
        return Err(Error::new(ErrorCode::KeyWrongUse, "the key is not marked for signatures (\"use\" is not \"sig\")"));
    }
    let kid = jwk.kid.map(str::to_owned);
    match jwk.kty {
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
fn member(value: Option<&str>, name: &str) -> Result<Zeroizing<Vec<u8>>> {
    let value = value.ok_or_else(|| malformed(&format!("the \"{name}\" member is missing")))?;
    base64url::decode(value.trim_end_matches('='))
        .map(Zeroizing::new)
        .ok_or_else(|| malformed(&format!("the \"{name}\" member is not base64url")))
}

fn import_rsa(jwk: &Jwk) -> Result<(Secret, Algorithm)> {
    let algorithm = match jwk.alg.map(|alg| (alg, Algorithm::from_name(alg))) {
        None => Algorithm::Rs256,
        Some((_, Some(alg @ (Algorithm::Rs256 | Algorithm::Rs384 | Algorithm::Rs512)))) => alg,
        Some((other, _)) => {
            return Err(Error::new(ErrorCode::KeyAlgMismatch, format!("\"alg\": \"{other}\" cannot be used with this RSA key for Okta")));
        }
    };
    if jwk.d.is_none() {
        return Err(Error::new(ErrorCode::KeyIsPublic, "the JWK has no private exponent \"d\": it is the public key"));
    }
    if jwk.oth {
        return Err(Error::new(ErrorCode::KeyUnsupportedType, "multi-prime RSA keys are not supported"));
    }
    let n = member(jwk.n, "n")?;
    check_rsa_bits(bit_length(&n))?;
    let e = member(jwk.e, "e")?;
    let d = member(jwk.d, "d")?;
    let primes = match (jwk.p.is_some(), jwk.q.is_some()) {
        (true, true) => Some((member(jwk.p, "p")?, member(jwk.q, "q")?)),
        (false, false) => None,
        _ => return Err(malformed("only one of the primes \"p\" and \"q\" is present")),
    };
    // The CRT values are used only when all three are there (and then checked); otherwise computed.
    let crt = match (jwk.dp, jwk.dq, jwk.qi) {
        (Some(_), Some(_), Some(_)) => Some((member(jwk.dp, "dp")?, member(jwk.dq, "dq")?, member(jwk.qi, "qi")?)),
        _ => None,
    };
    let components = super::rsa_key::Components {
        n: &n,
        e: &e,
        d: &d,
        primes: primes.as_ref().map(|(p, q)| (p.as_slice(), q.as_slice())),
        crt: crt.as_ref().map(|(dp, dq, qi)| (dp.as_slice(), dq.as_slice(), qi.as_slice())),
    };
    let key = super::rsa_key::RsaKey::new(&components).map_err(|_| {
        Error::new(ErrorCode::KeyMismatch, "the JWK's private members (d, p, q) do not match its public members (n, e)")
    })?;
    Ok((Secret::Rsa(Box::new(key)), algorithm))
}

fn import_ec(jwk: &Jwk) -> Result<Secret> {
    match jwk.crv {
        Some("P-256") => {}
        Some(other) => {
            return Err(Error::new(ErrorCode::KeyUnsupportedCurve, format!("curve \"{other}\" is not supported; use P-256")));
        }
        None => return Err(malformed("the \"crv\" member is missing")),
    }
    if let Some(alg) = jwk.alg.filter(|a| *a != "ES256") {
        return Err(Error::new(ErrorCode::KeyAlgMismatch, format!("\"alg\": \"{alg}\" does not fit a P-256 key (ES256)")));
    }
    if jwk.d.is_none() {
        return Err(Error::new(ErrorCode::KeyIsPublic, "the JWK has no private member \"d\": it is the public key"));
    }
    let d = member(jwk.d, "d")?;
    let key = p256::ecdsa::SigningKey::from_slice(&d).map_err(|_| malformed("\"d\" is not a P-256 private scalar"))?;
    let point = key.verifying_key().to_sec1_point(false);
    for (name, value, expected) in [("x", jwk.x, point.x()), ("y", jwk.y, point.y())] {
        if value.is_some() && member(value, name)?.as_slice() != expected.map(|a| a.as_slice()).unwrap_or_default() {
            return Err(Error::new(ErrorCode::KeyMismatch, "the JWK's private member \"d\" does not match its public point (x, y)"));
        }
    }
    Ok(Secret::P256(Box::new(key)))
}
