//! DER private keys: PKCS#8 (RFC 5958), PKCS#1 (RFC 8017) and SEC1 (RFC 5915).

use base64ct::{Base64, Encoding};
use pkcs8::ObjectIdentifier;
use zeroize::Zeroizing;

use super::{Algorithm, Parsed, Secret, bit_length, check_rsa_bits};
use crate::error::{Error, ErrorCode, Result};

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");
const DSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10040.4.1");

fn malformed(what: &str) -> Error {
    Error::new(ErrorCode::KeyMalformed, format!("the {what} structure is malformed or truncated"))
}

/// PKCS#8 `PrivateKeyInfo`: dispatch on the algorithm OID.
pub(super) fn parse_pkcs8(der: &[u8]) -> Result<Parsed> {
    let info = pkcs8::PrivateKeyInfoRef::try_from(der).map_err(|_| malformed("PKCS#8"))?;
    let oid = info.algorithm.oid;
    if oid == RSA_ENCRYPTION {
        return parse_pkcs1(info.private_key.as_bytes());
    }
    if oid == EC_PUBLIC_KEY {
        check_curve(info.algorithm.parameters_oid().ok())?;
        let key = p256::SecretKey::try_from(info).map_err(|_| malformed("PKCS#8 EC"))?;
        return Ok(ec(key));
    }
    let what = match oid {
        o if o == RSASSA_PSS => "RSA-PSS-only keys are",
        o if o == ED25519 || o == ED448 => "EdDSA (Ed25519/Ed448) keys are",
        o if o == DSA => "DSA keys are",
        _ => "this key type is",
    };
    Err(Error::new(ErrorCode::KeyUnsupportedType, format!("{what} not accepted for Okta client authentication")))
}

/// PKCS#1 `RSAPrivateKey`.
pub(super) fn parse_pkcs1(der: &[u8]) -> Result<Parsed> {
    let key = pkcs1::RsaPrivateKeyRef::try_from(der).map_err(|_| malformed("PKCS#1 RSA"))?;
    check_rsa_bits(bit_length(key.modulus.as_bytes()))?;
    if key.version() != pkcs1::Version::TwoPrime {
        return Err(Error::new(ErrorCode::KeyUnsupportedType, "multi-prime RSA keys are not supported"));
    }
    let components = super::rsa_key::Components {
        n: key.modulus.as_bytes(),
        e: key.public_exponent.as_bytes(),
        d: key.private_exponent.as_bytes(),
        primes: Some((key.prime1.as_bytes(), key.prime2.as_bytes())),
        crt: Some((key.exponent1.as_bytes(), key.exponent2.as_bytes(), key.coefficient.as_bytes())),
    };
    let key = super::rsa_key::RsaKey::new(&components)?;
    Ok(Parsed { secret: Secret::Rsa(Box::new(key)), algorithm: Algorithm::Rs256, kid: None })
}

/// SEC1 `ECPrivateKey`.
pub(super) fn parse_sec1(der: &[u8]) -> Result<Parsed> {
    let parsed = sec1::EcPrivateKey::try_from(der).map_err(|_| malformed("SEC1 EC"))?;
    check_curve(parsed.parameters.map(|sec1::EcParameters::NamedCurve(oid)| oid))?;
    let key = p256::SecretKey::try_from(parsed).map_err(|_| malformed("SEC1 EC"))?;
    Ok(ec(key))
}

/// Base64 DER without PEM armour: try each structure in turn.
pub(super) fn parse_unlabelled(text: &str) -> Result<Parsed> {
    let compact: Zeroizing<String> = Zeroizing::new(
        text.chars().filter(|c| !c.is_whitespace()).map(|c| match c { '-' => '+', '_' => '/', c => c }).collect(),
    );
    let unpadded = compact.trim_end_matches('=');
    let padded = Zeroizing::new(format!("{unpadded}{}", "=".repeat((4 - unpadded.len() % 4) % 4)));
    let der = Base64::decode_vec(&padded)
        .map(Zeroizing::new)
        .map_err(|_| Error::new(ErrorCode::KeyUnrecognized, "the text is neither a JWK, a JWKS nor a PEM private key"))?;
    let outcome = parse_pkcs8(&der).or_else(|first| match first.code() {
        ErrorCode::KeyMalformed => parse_pkcs1(&der).or_else(|_| parse_sec1(&der)),
        _ => Err(first),
    });
    outcome.map_err(|e| match e.code() {
        ErrorCode::KeyMalformed => {
            Error::new(ErrorCode::KeyUnrecognized, "the text is base64 but not a private key in a known format")
        }
        _ => e,
    })
}

fn check_curve(curve: Option<ObjectIdentifier>) -> Result<()> {
    match curve {
        Some(oid) if oid != P256 => Err(Error::new(
            ErrorCode::KeyUnsupportedCurve,
            format!("the EC key is on curve {oid}; only P-256 is supported"),
        )),
        _ => Ok(()),
    }
}

fn ec(key: p256::SecretKey) -> Parsed {
    Parsed { secret: Secret::P256(Box::new(p256::ecdsa::SigningKey::from(key))), algorithm: Algorithm::Es256, kid: None }
}
