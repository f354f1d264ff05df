//! RSA private keys, checked when parsed and made ready to sign only when the wasm signer needs them.
//!
//! The `rsa` crate builds a key in one step with its CRT precomputation, a constant-time modular inversion.
//! In wasm the engine has not optimised yet, and a connection's cold start always runs in such wasm, that
//! step is three quarters of parsing a key: several milliseconds. With WebCrypto, which signs for the
//! client in every supported runtime, the precomputation is never used. So a key that carries its CRT values
//! keeps its components here. That covers every PKCS#1 / PKCS#8 key and Okta's JWKs. The checks `rsa` would
//! make are made here with cheap arithmetic: the public part, `d < n`, `p·q = n`, `dp = d mod (p−1)`,
//! `e·dp ≡ 1 (mod p−1)` (likewise for q), and `qi·q ≡ 1 (mod p)`. The `rsa` key is built on the first wasm
//! signature. A key without CRT values (a JWK with only `n`, `e`, `d`, or without `dp`/`dq`/`qi`) is built
//! at once, as before.

use std::sync::OnceLock;

use crypto_bigint::{ConcatenatingMul, Integer, NonZero};
use rsa::BoxedUint;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use zeroize::Zeroize;

use crate::error::{Error, ErrorCode, Result};

/// Big-endian components as parsed (PKCS#1 or JWK); the CRT values may be absent in a JWK.
pub(super) struct Components<'a> {
    pub n: &'a [u8],
    pub e: &'a [u8],
    pub d: &'a [u8],
    pub primes: Option<(&'a [u8], &'a [u8])>,
    pub crt: Option<(&'a [u8], &'a [u8], &'a [u8])>,
}

/// An RSA private key. Every component is wiped on drop (and the `rsa` key wipes its own).
pub(crate) struct RsaKey {
    n: BoxedUint,
    e: BoxedUint,
    d: BoxedUint,
    p: BoxedUint,
    q: BoxedUint,
    dp: BoxedUint,
    dq: BoxedUint,
    qinv: BoxedUint,
    signer: OnceLock<Box<rsa::PrivateKey>>,
}

impl Drop for RsaKey {
    fn drop(&mut self) {
        for value in [&mut self.d, &mut self.p, &mut self.q, &mut self.dp, &mut self.dq, &mut self.qinv] {
            value.zeroize();
        }
    }
}

fn mismatch() -> Error {
    Error::new(ErrorCode::KeyMismatch, "the RSA key's private parameters do not match its public key (n, e)")
}

fn uint(bytes: &[u8]) -> BoxedUint {
    BoxedUint::from_be_slice_vartime(bytes)
}

/// `value − 1` as a divisor (`None` for 0 or 1).
fn minus_one(value: &BoxedUint) -> Option<NonZero<BoxedUint>> {
    NonZero::new(value.wrapping_sub(BoxedUint::one())).into_option()
}

impl RsaKey {
    /// A key from its components: checked now, the `rsa` key deferred when the CRT values are given.
    ///
    /// # Errors
    /// `key_mismatch` when the components are not one consistent RSA key.
    pub(super) fn new(components: &Components<'_>) -> Result<Self> {
        let (n, e, d) = (uint(components.n), uint(components.e), uint(components.d));
        let (Some((p, q)), Some((dp, dq, qinv))) = (components.primes, components.crt) else {
            let primes = components.primes.map(|(p, q)| vec![uint(p), uint(q)]).unwrap_or_default();
            let key = rsa::PrivateKey::from_components(n, e, d, primes).map_err(|_| mismatch())?;
            return Self::from_rsa(key);
        };
        let key = Self { n, e, d, p: uint(p), q: uint(q), dp: uint(dp), dq: uint(dq), qinv: uint(qinv), signer: OnceLock::new() };
        if key.consistent() { Ok(key) } else { Err(mismatch()) }
    }

    /// A key `rsa` built (and precomputed) already.
    fn from_rsa(key: rsa::PrivateKey) -> Result<Self> {
        let (Some(dp), Some(dq), Some(qinv), [p, q]) = (key.dp(), key.dq(), key.qinv(), key.primes()) else {
            return Err(mismatch());
        };
        let parts = Self {
            n: key.n().as_ref().clone(),
            e: key.e().clone(),
            d: key.d().clone(),
            p: p.as_ref().clone(),
            q: q.as_ref().clone(),
            dp: dp.clone(),
            dq: dq.clone(),
            qinv: qinv.retrieve(),
            signer: OnceLock::new(),
        };
        let _ = parts.signer.set(Box::new(key));
        Ok(parts)
    }

    /// The checks `rsa::PrivateKey::from_components` makes, plus the CRT values'.
    fn consistent(&self) -> bool {
        let Self { n, e, d, p, q, dp, dq, qinv, .. } = self;
        // n odd, e odd, 2 ≤ e < 2^33, e < n.
        if rsa::PublicKey::new(n.clone(), e.clone()).is_err() {
            return false;
        }
        let half = n.bit_width_vartime().div_ceil(2);
        let two = BoxedUint::from(2u64);
        let shape = d < n
            && p.bit_width() <= half
            && q.bit_width() <= half
            && p >= &two
            && q >= &two
            && p != q
            && bool::from(p.is_odd())
            && bool::from(q.is_odd())
            && p.concatenating_mul(q) == *n;
        if !shape {
            return false;
        }
        let (Some(p1), Some(q1), Some(p_nz)) = (minus_one(p), minus_one(q), NonZero::new(p.clone()).into_option()) else {
            return false;
        };
        let is_one = |value: BoxedUint| bool::from(value.is_one());
        d.rem(&p1) == *dp
            && d.rem(&q1) == *dq
            && is_one(e.concatenating_mul(dp).rem(&p1))
            && is_one(e.concatenating_mul(dq).rem(&q1))
            && qinv < p
            && is_one(qinv.concatenating_mul(q).rem(&p_nz))
    }

    /// The modulus, big-endian without leading zeros.
    pub(crate) fn n_bytes(&self) -> Box<[u8]> {
        self.n.to_be_bytes_trimmed_vartime()
    }

    /// The public exponent, big-endian without leading zeros.
    pub(crate) fn e_bytes(&self) -> Box<[u8]> {
        self.e.to_be_bytes_trimmed_vartime()
    }

    /// The modulus size in bits.
    pub(crate) fn bits(&self) -> usize {
        self.n.bit_width_vartime() as usize
    }

    /// The `rsa` key, built on first use.
    ///
    /// # Errors
    /// `key_mismatch` if `rsa` refuses components the checks accepted (not expected to happen).
    pub(crate) fn signer(&self) -> Result<&rsa::PrivateKey> {
        if let Some(key) = self.signer.get() {
            return Ok(key);
        }
        let primes = vec![self.p.clone(), self.q.clone()];
        let key = rsa::PrivateKey::from_components(self.n.clone(), self.e.clone(), self.d.clone(), primes).map_err(|_| mismatch())?;
        Ok(self.signer.get_or_init(|| Box::new(key)))
    }

    /// Whether the `rsa` key has been built (for tests).
    #[cfg(test)]
    pub(crate) fn signer_built(&self) -> bool {
        self.signer.get().is_some()
    }

    /// PKCS#8 `PrivateKeyInfo` (rsaEncryption, PKCS#1 `RSAPrivateKey`) from the components.
    pub(crate) fn to_pkcs8_der(&self) -> zeroize::Zeroizing<Vec<u8>> {
        let bytes = |value: &BoxedUint| zeroize::Zeroizing::new(value.to_be_bytes());
        let (n, e, d, p, q) = (bytes(&self.n), bytes(&self.e), bytes(&self.d), bytes(&self.p), bytes(&self.q));
        let (dp, dq, qinv) = (bytes(&self.dp), bytes(&self.dq), bytes(&self.qinv));
        super::der::pkcs8_rsa([&n, &e, &d, &p, &q, &dp, &dq, &qinv])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkcs1_der() -> Vec<u8> {
        let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/keys/rsa2048.pkcs1.pem")).unwrap_or_default();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        <base64ct::Base64 as base64ct::Encoding>::decode_vec(&body).unwrap_or_default()
    }

    /// Every component of a real key, then the same with each one altered: the checks accept exactly the
    /// consistent key, and whatever they accept, `rsa` accepts too.
    #[test]
    fn the_checks_refuse_every_altered_component() -> Result<()> {
        let der = pkcs1_der();
        let key = pkcs1::RsaPrivateKeyRef::try_from(der.as_slice()).map_err(|_| mismatch())?;
        let parts: [Vec<u8>; 8] = [
            key.modulus.as_bytes(),
            key.public_exponent.as_bytes(),
            key.private_exponent.as_bytes(),
            key.prime1.as_bytes(),
            key.prime2.as_bytes(),
            key.exponent1.as_bytes(),
            key.exponent2.as_bytes(),
            key.coefficient.as_bytes(),
        ]
        .map(<[u8]>::to_vec);
        let build = |p: &[Vec<u8>; 8]| {
            let components = Components {
                n: &p[0],
                e: &p[1],
                d: &p[2],
                primes: Some((&p[3], &p[4])),
                crt: Some((&p[5], &p[6], &p[7])),
            };
            RsaKey::new(&components)
        };
        let good = build(&parts)?;
        assert!(!good.signer_built());
        assert!(good.signer().is_ok());
        for (i, name) in ["n", "e", "d", "p", "q", "dp", "dq", "qi"].iter().enumerate() {
            for flip in [0x02u8, 0x80] {
                let mut altered = parts.clone();
                if let Some(last) = altered[i].last_mut() {
                    *last ^= flip;
                }
                let result = build(&altered);
                assert_eq!(result.as_ref().err().map(Error::code), Some(ErrorCode::KeyMismatch), "{name} ^ {flip:#x}");
            }
        }
        // p and q swapped: qi is then the inverse of the wrong prime.
        let mut swapped = parts.clone();
        swapped.swap(3, 4);
        swapped.swap(5, 6);
        assert!(build(&swapped).is_err());
        // d + (p−1)(q−1)·k style aliases are refused by d < n; d = n is the simplest.
        let mut big_d = parts.clone();
        big_d[2] = parts[0].clone();
        assert!(build(&big_d).is_err());
        Ok(())
    }
}
