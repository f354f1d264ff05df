//! DER private keys: PKCS#8 (RFC 5958), PKCS#1 (RFC 8017) and SEC1 (RFC 5915), read and written here.
//!
//! A small strict DER reader and writer covering exactly these three structures, in place of the `der`,
//! `pkcs1`, `pkcs8` and `sec1` crates' generic machinery: that was a ninth of the wasm. Lengths must be
//! definite and minimal, INTEGERs minimal and non-negative, nothing may trail a structure, and nesting is
//! bounded by the structures themselves (no recursion on input).

use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

use super::rsa_key::{Components, RsaKey};
use super::{Algorithm, Parsed, Secret, bit_length, check_rsa_bits};
use crate::error::{Error, ErrorCode, Result};

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const NULL: u8 = 0x05;
const OID: u8 = 0x06;
/// `[0]` constructed: PKCS#8 attributes, SEC1 parameters.
const CONTEXT_0: u8 = 0xA0;
/// `[1]` constructed: SEC1 public key.
const CONTEXT_1: u8 = 0xA1;
/// `[1]` primitive: the public key of a PKCS#8 v2 (OneAsymmetricKey).
const CONTEXT_1_PRIMITIVE: u8 = 0x81;

// Object identifiers, as their DER contents.
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]; // 1.2.840.113549.1.1.1
const RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a]; // 1.2.840.113549.1.1.10
const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]; // 1.2.840.10045.2.1
const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]; // 1.2.840.10045.3.1.7
const ED25519: &[u8] = &[0x2b, 0x65, 0x70]; // 1.3.101.112
const ED448: &[u8] = &[0x2b, 0x65, 0x71]; // 1.3.101.113
const DSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01]; // 1.2.840.10040.4.1

fn malformed(what: &str) -> Error {
    Error::new(ErrorCode::KeyMalformed, format!("the {what} structure is malformed or truncated"))
}

/// Reads DER elements in order from a byte slice.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next element: its tag and contents. DER only: definite, minimal lengths of at most 4 bytes.
    fn element(&mut self) -> Option<(u8, &'a [u8])> {
        let (&tag, rest) = self.rest.split_first()?;
        let (&first, mut rest) = rest.split_first()?;
        let length = match first {
            0..=0x7f => usize::from(first),
            0x81..=0x84 => {
                let count = usize::from(first & 0x7f);
                let bytes = rest.get(..count)?;
                rest = rest.get(count..)?;
                if bytes.first() == Some(&0) {
                    return None;
                }
                let length = bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
                if length < 0x80 {
                    return None;
                }
                length
            }
            _ => return None,
        };
        let contents = rest.get(..length)?;
        self.rest = rest.get(length..)?;
        Some((tag, contents))
    }

    /// The next element, which must have `tag`.
    fn take(&mut self, tag: u8) -> Option<&'a [u8]> {
        match self.element()? {
            (found, contents) if found == tag => Some(contents),
            _ => None,
        }
    }

    /// The next element if it has `tag`.
    fn optional(&mut self, tag: u8) -> Option<Option<&'a [u8]>> {
        if self.peek_tag() == Some(tag) { self.take(tag).map(Some) } else { Some(None) }
    }

    /// A non-negative INTEGER, minimally encoded: its magnitude without the sign byte.
    fn uint(&mut self) -> Option<&'a [u8]> {
        let contents = self.take(INTEGER)?;
        match contents {
            [] => None,
            [first, ..] if *first >= 0x80 => None,
            [0, second, ..] if *second < 0x80 => None,
            [0, rest @ ..] if !rest.is_empty() => Some(rest),
            _ => Some(contents),
        }
    }

    /// A small non-negative INTEGER (a version).
    fn small(&mut self) -> Option<u8> {
        match self.uint()? {
            [value] => Some(*value),
            _ => None,
        }
    }

    /// Nothing may follow.
    fn end(&self) -> Option<()> {
        self.rest.is_empty().then_some(())
    }
}

/// The contents of the one SEQUENCE `der` consists of.
fn sequence(der: &[u8]) -> Option<Reader<'_>> {
    let mut outer = Reader::new(der);
    let contents = outer.take(SEQUENCE)?;
    outer.end()?;
    Some(Reader::new(contents))
}

/// Dotted notation of an OID's contents, for messages.
fn oid_text(contents: &[u8]) -> String {
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    for &byte in contents {
        value = (value << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (value / 40).min(2);
                arcs.extend([first, value - first * 40]);
            } else {
                arcs.push(value);
            }
            value = 0;
        }
        if arcs.len() > 32 {
            break;
        }
    }
    arcs.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
}

/// PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey`: dispatch on the algorithm OID.
pub(super) fn parse_pkcs8(der: &[u8]) -> Result<Parsed> {
    let bad = || malformed("PKCS#8");
    let mut info = sequence(der).ok_or_else(bad)?;
    let version = info.small().filter(|v| *v <= 1).ok_or_else(bad)?;
    let mut algorithm = Reader::new(info.take(SEQUENCE).ok_or_else(bad)?);
    let oid = algorithm.take(OID).ok_or_else(bad)?;
    let parameters = algorithm.element();
    algorithm.end().ok_or_else(bad)?;
    let private_key = info.take(OCTET_STRING).ok_or_else(bad)?;
    info.optional(CONTEXT_0).ok_or_else(bad)?;
    let public_key = info.optional(CONTEXT_1_PRIMITIVE).ok_or_else(bad)?;
    info.end().ok_or_else(bad)?;
    if public_key.is_some() && version == 0 {
        return Err(bad());
    }
    if oid == RSA_ENCRYPTION {
        if !matches!(parameters, None | Some((NULL, []))) {
            return Err(bad());
        }
        return parse_pkcs1(private_key);
    }
    if oid == EC_PUBLIC_KEY {
        match parameters {
            Some((OID, curve)) => check_curve(curve)?,
            _ => return Err(malformed("PKCS#8 EC")),
        }
        return ec_private_key(private_key, "PKCS#8 EC");
    }
    let what = match oid {
        RSASSA_PSS => "RSA-PSS-only keys are",
        ED25519 | ED448 => "EdDSA (Ed25519/Ed448) keys are",
        DSA => "DSA keys are",
        _ => "this key type is",
    };
    Err(Error::new(ErrorCode::KeyUnsupportedType, format!("{what} not accepted for Okta client authentication")))
}

/// PKCS#1 `RSAPrivateKey`.
pub(super) fn parse_pkcs1(der: &[u8]) -> Result<Parsed> {
    let bad = || malformed("PKCS#1 RSA");
    let mut key = sequence(der).ok_or_else(bad)?;
    let version = key.small().filter(|v| *v <= 1).ok_or_else(bad)?;
    let mut next = || key.uint().ok_or_else(bad);
    let (n, e, d, p, q, dp, dq, qi) = (next()?, next()?, next()?, next()?, next()?, next()?, next()?, next()?);
    if version == 1 {
        // Multi-prime: `otherPrimeInfos` follows.
        return Err(Error::new(ErrorCode::KeyUnsupportedType, "multi-prime RSA keys are not supported"));
    }
    key.end().ok_or_else(bad)?;
    check_rsa_bits(bit_length(n))?;
    let key = RsaKey::new(&Components { n, e, d, primes: Some((p, q)), crt: Some((dp, dq, qi)) })?;
    Ok(Parsed { secret: Secret::Rsa(Box::new(key)), algorithm: Algorithm::Rs256, kid: None })
}

/// SEC1 `ECPrivateKey`.
pub(super) fn parse_sec1(der: &[u8]) -> Result<Parsed> {
    ec_private_key(der, "SEC1 EC")
}

/// `ECPrivateKey` (alone, or inside PKCS#8): version 1, the scalar, optionally the curve and the public key
/// (which must then be the scalar's).
fn ec_private_key(der: &[u8], what: &str) -> Result<Parsed> {
    let bad = || malformed(what);
    let mut key = sequence(der).ok_or_else(bad)?;
    if key.small() != Some(1) {
        return Err(bad());
    }
    let scalar = key.take(OCTET_STRING).ok_or_else(bad)?;
    if let Some(parameters) = key.optional(CONTEXT_0).ok_or_else(bad)? {
        let mut parameters = Reader::new(parameters);
        let curve = parameters.take(OID).ok_or_else(bad)?;
        parameters.end().ok_or_else(bad)?;
        check_curve(curve)?;
    }
    let public_key = match key.optional(CONTEXT_1).ok_or_else(bad)? {
        Some(wrapped) => {
            let mut wrapped = Reader::new(wrapped);
            let bits = wrapped.take(BIT_STRING).ok_or_else(bad)?;
            wrapped.end().ok_or_else(bad)?;
            match bits {
                [0, point @ ..] => Some(point),
                _ => return Err(bad()),
            }
        }
        None => None,
    };
    key.end().ok_or_else(bad)?;
    let secret = p256::SecretKey::from_slice(scalar).map_err(|_| bad())?;
    if let Some(point) = public_key {
        // The embedded public key must be this scalar's, in either SEC1 form. Comparing encodings (instead of
        // decoding the point) keeps the square root that decompression needs out of the wasm.
        let compressed = match point.first() {
            Some(4) => false,
            Some(2 | 3) => true,
            _ => return Err(bad()),
        };
        let ours = p256::elliptic_curve::sec1::ToSec1Point::to_sec1_point(&secret.public_key(), compressed);
        if ours.as_bytes() != point {
            return Err(bad());
        }
    }
    Ok(Parsed { secret: Secret::P256(Box::new(p256::ecdsa::SigningKey::from(secret))), algorithm: Algorithm::Es256, kid: None })
}

/// Base64 DER without PEM armour: try each structure in turn.
#[inline(never)] // see key::text::parse
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

fn check_curve(curve: &[u8]) -> Result<()> {
    if curve == P256 {
        return Ok(());
    }
    Err(Error::new(ErrorCode::KeyUnsupportedCurve, format!("the EC key is on curve {}; only P-256 is supported", oid_text(curve))))
}

// ---------------------------------------------------------------------------------------------------------
// Writing

/// Append one element. Every buffer here is sized up front, so key material is never copied by a growing
/// vector (and each one zeroizes itself).
fn element(out: &mut Vec<u8>, tag: u8, contents: &[u8]) {
    out.push(tag);
    let length = contents.len();
    if length < 0x80 {
        out.push(length as u8);
    } else {
        let bytes = length.to_be_bytes();
        let significant = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len() - 1);
        let bytes = bytes.get(significant..).unwrap_or_default();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(bytes);
    }
    out.extend_from_slice(contents);
}

/// An element whose contents are the concatenation of `parts` (already encoded elements).
fn constructed(tag: u8, parts: &[&[u8]]) -> Zeroizing<Vec<u8>> {
    let length: usize = parts.iter().map(|p| p.len()).sum();
    let mut contents = Zeroizing::new(Vec::with_capacity(length));
    parts.iter().for_each(|p| contents.extend_from_slice(p));
    let mut out = Zeroizing::new(Vec::with_capacity(length + 8));
    element(&mut out, tag, &contents);
    out
}

/// A non-negative INTEGER from big-endian bytes (leading zeros dropped, a zero byte added before a high bit).
fn uint(magnitude: &[u8]) -> Zeroizing<Vec<u8>> {
    let start = magnitude.iter().position(|&b| b != 0).unwrap_or(magnitude.len());
    let magnitude = magnitude.get(start..).unwrap_or_default();
    let mut contents = Zeroizing::new(Vec::with_capacity(magnitude.len() + 1));
    if magnitude.first().is_none_or(|&b| b >= 0x80) {
        contents.push(0);
    }
    contents.extend_from_slice(magnitude);
    let mut out = Zeroizing::new(Vec::with_capacity(contents.len() + 8));
    element(&mut out, INTEGER, &contents);
    out
}

fn primitive(tag: u8, contents: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(contents.len() + 8));
    element(&mut out, tag, contents);
    out
}

/// PKCS#8 around a private key structure, with the algorithm identifier `oid` and `parameters` (encoded).
fn pkcs8(oid: &[u8], parameters: &[u8], private_key: &[u8]) -> Zeroizing<Vec<u8>> {
    let algorithm = constructed(SEQUENCE, &[&primitive(OID, oid), parameters]);
    constructed(SEQUENCE, &[&uint(&[0]), &algorithm, &primitive(OCTET_STRING, private_key)])
}

/// PKCS#8 of an RSA key (PKCS#1 `RSAPrivateKey` inside), from its big-endian components
/// `[n, e, d, p, q, dp, dq, qi]`: what the `rsa` crate writes, byte for byte.
pub(super) fn pkcs8_rsa(components: [&[u8]; 8]) -> Zeroizing<Vec<u8>> {
    let integers: Vec<Zeroizing<Vec<u8>>> = core::iter::once(uint(&[0])).chain(components.iter().map(|c| uint(c))).collect();
    let parts: Vec<&[u8]> = integers.iter().map(|i| i.as_slice()).collect();
    let rsa_private_key = constructed(SEQUENCE, &parts);
    pkcs8(RSA_ENCRYPTION, &primitive(NULL, &[]), &rsa_private_key)
}

/// PKCS#8 of a P-256 key (SEC1 `ECPrivateKey` inside, with the uncompressed public point): what the `p256`
/// crate writes, byte for byte.
pub(super) fn pkcs8_p256(scalar: &[u8], public_point: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut bits = Vec::with_capacity(public_point.len() + 1);
    bits.push(0);
    bits.extend_from_slice(public_point);
    let public_key = constructed(CONTEXT_1, &[&primitive(BIT_STRING, &bits)]);
    let ec_private_key = constructed(SEQUENCE, &[&uint(&[1]), &primitive(OCTET_STRING, scalar), &public_key]);
    pkcs8(EC_PUBLIC_KEY, &primitive(OID, P256), &ec_private_key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(der: &[u8]) -> Option<Vec<(u8, Vec<u8>)>> {
        let mut reader = Reader::new(der);
        let mut out = Vec::new();
        while reader.peek_tag().is_some() {
            let (tag, contents) = reader.element()?;
            out.push((tag, contents.to_vec()));
        }
        Some(out)
    }

    #[test]
    fn lengths_must_be_definite_minimal_and_present() {
        assert_eq!(read_all(&[0x04, 0x02, 1, 2]), Some(vec![(0x04, vec![1, 2])]));
        let long: Vec<u8> = [0x04, 0x81, 0x80].into_iter().chain([7; 0x80]).collect();
        assert_eq!(read_all(&long).map(|e| e.len()), Some(1));
        for bad in [
            &[0x04, 0x80, 0, 0][..],          // indefinite
            &[0x04, 0x81, 0x05, 1, 2, 3, 4, 5], // long form for a short length
            &[0x04, 0x82, 0x00, 0x80],        // a leading zero length byte
            &[0x04, 0x85, 1, 1, 1, 1, 1],     // more than 4 length bytes
            &[0x04, 0x84, 0xff, 0xff, 0xff, 0xff], // past the end
            &[0x04, 0x03, 1, 2],              // past the end
            &[0x04],                          // no length
        ] {
            assert_eq!(read_all(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn integers_must_be_minimal_and_non_negative() {
        let int = |bytes: &[u8]| {
            let mut der = vec![INTEGER, bytes.len() as u8];
            der.extend_from_slice(bytes);
            Reader::new(&der).uint().map(<[u8]>::to_vec)
        };
        assert_eq!(int(&[0]), Some(vec![0]));
        assert_eq!(int(&[0x7f]), Some(vec![0x7f]));
        assert_eq!(int(&[0, 0x80]), Some(vec![0x80]));
        assert_eq!(int(&[1, 0]), Some(vec![1, 0]));
        for bad in [&[][..], &[0x80], &[0xff], &[0, 0x7f], &[0, 0, 0x80]] {
            assert_eq!(int(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn writer_reads_back_and_encodes_lengths_minimally() {
        for len in [0usize, 1, 0x7f, 0x80, 0xff, 0x100, 0x1_0000] {
            let contents = vec![0xab; len];
            let out = primitive(OCTET_STRING, &contents);
            let mut reader = Reader::new(&out);
            assert_eq!(reader.take(OCTET_STRING), Some(&contents[..]), "{len}");
            assert!(reader.end().is_some());
        }
        for magnitude in [&[][..], &[0], &[0, 0, 5], &[0x80], &[0, 0xff, 1]] {
            let out = uint(magnitude);
            let expected: Vec<u8> = magnitude.iter().copied().skip_while(|&b| b == 0).collect();
            let read = Reader::new(&out).uint().map(<[u8]>::to_vec);
            let read = read.map(|r| r.into_iter().skip_while(|&b| b == 0).collect::<Vec<u8>>());
            assert_eq!(read, Some(expected), "{magnitude:?}");
        }
    }

    #[test]
    fn oids_print_dotted() {
        assert_eq!(oid_text(P256), "1.2.840.10045.3.1.7");
        assert_eq!(oid_text(RSA_ENCRYPTION), "1.2.840.113549.1.1.1");
        assert_eq!(oid_text(&[0x2b, 0x81, 0x04, 0x00, 0x0a]), "1.3.132.0.10");
    }

    /// An embedded public key is accepted in either SEC1 form when it is the scalar's, and refused otherwise.
    #[test]
    fn embedded_public_key_must_be_the_scalars_in_either_form() -> Result<()> {
        use p256::elliptic_curve::sec1::ToSec1Point as _;
        let key = |seed: u8| p256::SecretKey::from_slice(&[seed; 32]).map_err(|_| malformed("seed"));
        let (ours, other) = (key(7)?, key(8)?);
        let with_point = |point: &[u8]| pkcs8_p256(&ours.to_bytes(), point);
        for compress in [false, true] {
            let point = ours.public_key().to_sec1_point(compress);
            let Secret::P256(parsed) = parse_pkcs8(&with_point(point.as_bytes()))?.secret else { return Err(malformed("type")) };
            assert_eq!(parsed.to_bytes().as_slice(), ours.to_bytes().as_slice(), "compressed: {compress}");
            let theirs = other.public_key().to_sec1_point(compress);
            assert_eq!(parse_pkcs8(&with_point(theirs.as_bytes())).map(|_| ()).map_err(|e| e.code()), Err(ErrorCode::KeyMalformed));
        }
        // Other prefixes (5; 6, SEC1's "hybrid" form), the identity, no point, and a truncated point.
        let uncompressed = ours.public_key().to_sec1_point(false);
        let coordinates = uncompressed.as_bytes().get(1..).unwrap_or_default();
        let with_prefix = |prefix: u8| [&[prefix][..], coordinates].concat();
        for point in [with_prefix(5), with_prefix(6), vec![0], vec![], with_prefix(4)[..64].to_vec()] {
            assert!(parse_pkcs8(&with_point(&point)).is_err(), "{point:?}");
        }
        Ok(())
    }

    /// The writers produce exactly what the `rsa` and `p256` crates write.
    #[test]
    fn writers_match_the_rsa_and_p256_crates() -> Result<()> {
        use pkcs8::EncodePrivateKey as _;
        use rsa::traits::{PrivateKeyParts, PublicKeyParts};
        let fixture = |name: &str| std::fs::read_to_string(format!("{}/tests/fixtures/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap_or_default();
        let pem_der = |pem: &str| Base64::decode_vec(&pem.lines().filter(|l| !l.starts_with("-----")).collect::<String>()).unwrap_or_default();
        for name in ["rsa2048.pkcs8.pem", "rsa3072.pkcs8.pem"] {
            let der = pem_der(&fixture(name));
            let Ok(key) = <rsa::PrivateKey as pkcs8::DecodePrivateKey>::from_pkcs8_der(&der) else { return Err(malformed(name)) };
            let theirs = key.to_pkcs8_der().map_err(|_| malformed("x"))?;
            let bytes = |v: &rsa::BoxedUint| v.to_be_bytes();
            let (n, e, d) = (bytes(key.n().as_ref()), bytes(key.e()), bytes(key.d()));
            let [p, q] = key.primes() else { return Err(malformed("two primes")) };
            let (p, q) = (bytes(p.as_ref()), bytes(q.as_ref()));
            let (Some(dp), Some(dq), Some(qi)) = (key.dp(), key.dq(), key.qinv()) else { return Err(malformed("precomputed")) };
            let (dp, dq, qi) = (bytes(dp), bytes(dq), bytes(&qi.retrieve()));
            let ours = pkcs8_rsa([&n, &e, &d, &p, &q, &dp, &dq, &qi]);
            assert_eq!(ours.as_slice(), theirs.as_bytes(), "{name}");
            assert_eq!(ours.as_slice(), der.as_slice(), "{name}: OpenSSL's own file");
        }
        for seed in 1..=20u8 {
            let Ok(secret) = p256::SecretKey::from_slice(&[seed; 32]) else { continue };
            let theirs = secret.to_pkcs8_der().map_err(|_| malformed("x"))?;
            let point = p256::elliptic_curve::sec1::ToSec1Point::to_sec1_point(&secret.public_key(), false);
            let ours = pkcs8_p256(&secret.to_bytes(), point.as_bytes());
            assert_eq!(ours.as_slice(), theirs.as_bytes(), "{seed}");
            assert!(parse_pkcs8(&ours).is_ok());
        }
        Ok(())
    }
}
