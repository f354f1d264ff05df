//! The customer's private key: parsed from whatever an admin pastes, used only to sign.
//!
//! Accepted forms (see [`SigningKey::parse`]): the Admin Console's private JWK, a JWKS, PEM PKCS#8 (RSA or EC),
//! PKCS#1 `RSA PRIVATE KEY`, SEC1 `EC PRIVATE KEY`, bare base64 DER, each possibly wrapped in quotes, given as a
//! JSON string, with CRLF, literal `\n` escapes or collapsed onto one line.
//!
//! Private parameters never leave this module except as a transient PKCS#8 document handed straight to
//! WebCrypto's `importKey` by the wasm boundary. All intermediate copies are zeroized, and the key types of
//! `rsa` and `p256` zeroize themselves on drop. `Debug` prints only public facts.

mod der;
mod jwk;
mod pem;
mod rsa_key;
mod text;

use core::fmt;

use p256::ecdsa::signature::Signer as _;
use sha2::{Digest, Sha256, Sha384, Sha512};
use zeroize::Zeroizing;

use crate::base64url;
use crate::error::{Error, ErrorCode, Result};
use crate::jwk::PublicJwk;

/// Largest key text accepted, in bytes: far above any real key (an 8192-bit JWK is about 6.5 KiB).
pub const MAX_KEY_TEXT: usize = 64 * 1024;
/// Smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus accepted, in bits.
pub const MAX_RSA_BITS: usize = 8192;
/// Longest Key ID accepted.
pub const MAX_KEY_ID: usize = 256;

/// A JWS signature algorithm that okta-connect signs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    Rs384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    Rs512,
    /// ECDSA P-256 with SHA-256, signature as r‖s.
    Es256,
}

impl Algorithm {
    /// The JOSE name, e.g. `RS256`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Rs384 => "RS384",
            Self::Rs512 => "RS512",
            Self::Es256 => "ES256",
        }
    }

    /// The algorithm named `name` (`RS256`, `RS384`, `RS512`, `ES256`).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Rs256, Self::Rs384, Self::Rs512, Self::Es256].into_iter().find(|a| a.as_str() == name)
    }

    /// How WebCrypto names this algorithm. The host builds its `importKey`, `generateKey` and `sign` calls
    /// from these and names no algorithm itself.
    #[must_use]
    pub fn web_crypto(self) -> WebCryptoParams {
        const RSA_SIGN: &[(&str, &str)] = &[("name", "RSASSA-PKCS1-v1_5")];
        let key: &'static [(&'static str, &'static str)] = match self {
            Self::Rs256 => &[("name", "RSASSA-PKCS1-v1_5"), ("hash", "SHA-256")],
            Self::Rs384 => &[("name", "RSASSA-PKCS1-v1_5"), ("hash", "SHA-384")],
            Self::Rs512 => &[("name", "RSASSA-PKCS1-v1_5"), ("hash", "SHA-512")],
            Self::Es256 => &[("name", "ECDSA"), ("namedCurve", "P-256")],
        };
        let sign = if self == Self::Es256 { &[("name", "ECDSA"), ("hash", "SHA-256")] } else { RSA_SIGN };
        WebCryptoParams { key, sign }
    }
}

/// An algorithm's WebCrypto parameters, as `(member, value)` pairs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebCryptoParams {
    /// For `importKey` and `generateKey` (`RsaHashedImportParams`, `EcKeyImportParams`).
    pub key: &'static [(&'static str, &'static str)],
    /// For `sign` (RSASSA-PKCS1-v1_5 takes its hash from the key; ECDSA names it here).
    pub sign: &'static [(&'static str, &'static str)],
}

impl WebCryptoParams {
    /// `pairs` as a JSON object.
    #[must_use]
    pub fn json(pairs: &[(&str, &str)]) -> String {
        pairs.iter().fold(crate::json::Object::new(), |o, (name, value)| o.str(name, value)).finish()
    }
}

/// The key family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    /// RSA.
    Rsa,
    /// Elliptic curve (P-256).
    Ec,
}

impl KeyType {
    /// The JWK `kty` value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Rsa => "RSA",
            Self::Ec => "EC",
        }
    }
}

/// The secret half; both variants zeroize on drop. Both are boxed so that moving a `SigningKey` (into a JS
/// object, say) copies pointers, never key material, to the stack.
enum Secret {
    Rsa(Box<rsa_key::RsaKey>),
    P256(Box<p256::ecdsa::SigningKey>),
}

/// A parsed private key, ready to sign client assertions (or DPoP proofs).
pub struct SigningKey {
    secret: Secret,
    algorithm: Algorithm,
    key_id: Option<String>,
    public: PublicJwk,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm)
            .field("key_id", &self.key_id)
            .field("bits", &self.bits())
            .field("thumbprint", &self.thumbprint())
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Parse a private key in any accepted form. `key_id`, when given (and not blank), becomes the JWS `kid`;
    /// for a JWKS it selects the key; for a JWK with its own `kid` the two must agree.
    ///
    /// # Errors
    /// A `key_*` code naming what is wrong with the text, with a fix for the admin.
    pub fn parse(text: &str, key_id: Option<&str>) -> Result<Self> {
        let key_id = normalize_key_id(key_id)?;
        let parsed = text::parse(text, key_id.as_deref())?;
        let key_id = match (parsed.kid, key_id) {
            (Some(own), Some(given)) if own != given => {
                return Err(Error::new(
                    ErrorCode::KeyIdMismatch,
                    format!("the Key ID \"{given}\" differs from the key's own kid \"{own}\""),
                ));
            }
            (own, given) => own.or(given),
        };
        let key_id = normalize_key_id(key_id.as_deref())?;
        Self::from_secret(parsed.secret, parsed.algorithm, key_id)
    }

    /// A fresh random P-256 key (the ephemeral DPoP key).
    ///
    /// # Errors
    /// `random_unavailable` when the platform has no CSPRNG here.
    pub fn generate_p256() -> Result<Self> {
        // Rejection sampling: a uniformly random 32-byte string is a valid scalar with overwhelming probability.
        for _ in 0..8 {
            let bytes = Zeroizing::new(crate::random::bytes::<32>()?);
            if let Ok(key) = p256::ecdsa::SigningKey::from_slice(bytes.as_slice()) {
                return Self::from_secret(Secret::P256(Box::new(key)), Algorithm::Es256, None);
            }
        }
        Err(Error::new(ErrorCode::RandomUnavailable, "the random number generator returned invalid P-256 scalars"))
    }

    /// A P-256 key from a 32-byte scalar, or `None` when the bytes are not a valid non-zero scalar.
    pub(crate) fn p256_from_scalar(bytes: &[u8]) -> Option<Self> {
        let key = p256::ecdsa::SigningKey::from_slice(bytes).ok()?;
        Self::from_secret(Secret::P256(Box::new(key)), Algorithm::Es256, None).ok()
    }

    fn from_secret(secret: Secret, algorithm: Algorithm, key_id: Option<String>) -> Result<Self> {
        let public = match &secret {
            Secret::Rsa(key) => PublicJwk::Rsa {
                n: base64url::encode(&key.n_bytes()),
                e: base64url::encode(&key.e_bytes()),
            },
            Secret::P256(key) => {
                let point = key.verifying_key().to_sec1_point(false);
                let (Some(x), Some(y)) = (point.x(), point.y()) else {
                    return Err(Error::new(ErrorCode::KeyMalformed, "the EC public point is the identity"));
                };
                PublicJwk::Ec { crv: "P-256", x: base64url::encode(x), y: base64url::encode(y) }
            }
        };
        Ok(Self { secret, algorithm, key_id, public })
    }

    /// The JWS algorithm this key signs with.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The Key ID sent as the JWS `kid`, when known.
    #[must_use]
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// RSA or EC.
    #[must_use]
    pub fn key_type(&self) -> KeyType {
        match self.secret {
            Secret::Rsa(_) => KeyType::Rsa,
            Secret::P256(_) => KeyType::Ec,
        }
    }

    /// Modulus size for RSA, curve size for EC.
    #[must_use]
    pub fn bits(&self) -> usize {
        match &self.secret {
            Secret::Rsa(key) => key.bits(),
            Secret::P256(_) => 256,
        }
    }

    /// The public JWK (no private members).
    #[must_use]
    pub fn public_jwk(&self) -> &PublicJwk {
        &self.public
    }

    /// RFC 7638 SHA-256 thumbprint of the public key.
    #[must_use]
    pub fn thumbprint(&self) -> String {
        self.public.thumbprint()
    }

    /// The raw JWS signature of `data`: PKCS#1 v1.5 for RSA (blinded), r‖s for ECDSA (RFC 6979).
    ///
    /// # Errors
    /// `random_unavailable` if RSA blinding cannot get randomness.
    pub fn sign(&self, data: &[u8]) -> Result<Vec<u8>> {
        match &self.secret {
            Secret::P256(key) => {
                let signature: p256::ecdsa::Signature = key.sign(data);
                Ok(signature.to_bytes().to_vec())
            }
            Secret::Rsa(key) => {
                let key = key.signer()?;
                let signed = match self.algorithm {
                    Algorithm::Rs384 => key.sign(rsa::Pkcs1v15Sign::new::<Sha384>(), &Sha384::digest(data)),
                    Algorithm::Rs512 => key.sign(rsa::Pkcs1v15Sign::new::<Sha512>(), &Sha512::digest(data)),
                    Algorithm::Rs256 | Algorithm::Es256 => {
                        key.sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(data))
                    }
                };
                signed.map_err(|_| Error::new(ErrorCode::RandomUnavailable, "RSA signing failed (no randomness for blinding)"))
            }
        }
    }

    /// The private key as a PKCS#8 DER document, for a one-time import into a non-extractable WebCrypto key.
    /// The buffer zeroizes itself when dropped.
    ///
    /// # Errors
    /// `key_malformed` if the key cannot be encoded (does not happen for keys this module parsed).
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        Ok(match &self.secret {
            Secret::Rsa(key) => key.to_pkcs8_der(),
            Secret::P256(key) => {
                let scalar = Zeroizing::new(key.to_bytes());
                der::pkcs8_p256(&scalar, key.verifying_key().to_sec1_point(false).as_bytes())
            }
        })
    }
}

/// The outcome of parsing the text, before the Key ID is reconciled.
struct Parsed {
    secret: Secret,
    algorithm: Algorithm,
    kid: Option<String>,
}

fn normalize_key_id(key_id: Option<&str>) -> Result<Option<String>> {
    let Some(key_id) = key_id.map(str::trim).filter(|k| !k.is_empty()) else {
        return Ok(None);
    };
    if key_id.len() > MAX_KEY_ID || key_id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::new(ErrorCode::KeyIdInvalid, "the Key ID has spaces or control characters, or is too long"));
    }
    Ok(Some(key_id.to_owned()))
}

/// Check an RSA modulus size (in bits) against the accepted range.
fn check_rsa_bits(bits: usize) -> Result<()> {
    if bits < MIN_RSA_BITS {
        return Err(Error::new(
            ErrorCode::KeyRsaTooSmall,
            format!("the RSA key has {bits} bits; at least {MIN_RSA_BITS} are required"),
        ));
    }
    if bits > MAX_RSA_BITS {
        return Err(Error::new(
            ErrorCode::KeyRsaTooLarge,
            format!("the RSA key has {bits} bits; at most {MAX_RSA_BITS} are supported"),
        ));
    }
    Ok(())
}

/// Bit length of a big-endian unsigned integer.
fn bit_length(be: &[u8]) -> usize {
    let be = match be.iter().position(|b| *b != 0) {
        Some(first) => be.get(first..).unwrap_or_default(),
        None => return 0,
    };
    let lead = be.first().map_or(0, |b| 8 - b.leading_zeros() as usize);
    (be.len() - 1) * 8 + lead
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_length_counts_from_first_set_bit() {
        assert_eq!(bit_length(&[0, 0, 0x80, 0]), 16);
        assert_eq!(bit_length(&[0x01]), 1);
        assert_eq!(bit_length(&[]), 0);
        assert_eq!(bit_length(&[0, 0]), 0);
    }

    #[test]
    fn web_crypto_params_name_the_hash_of_each_algorithm() {
        for (algorithm, hash) in [(Algorithm::Rs256, "SHA-256"), (Algorithm::Rs384, "SHA-384"), (Algorithm::Rs512, "SHA-512")] {
            let params = algorithm.web_crypto();
            assert_eq!(WebCryptoParams::json(params.key), format!(r#"{{"name":"RSASSA-PKCS1-v1_5","hash":"{hash}"}}"#));
            assert_eq!(WebCryptoParams::json(params.sign), r#"{"name":"RSASSA-PKCS1-v1_5"}"#);
        }
        let es256 = Algorithm::Es256.web_crypto();
        assert_eq!(WebCryptoParams::json(es256.key), r#"{"name":"ECDSA","namedCurve":"P-256"}"#);
        assert_eq!(WebCryptoParams::json(es256.sign), r#"{"name":"ECDSA","hash":"SHA-256"}"#);
    }

    #[test]
    fn key_id_is_trimmed_and_validated() {
        assert_eq!(normalize_key_id(Some("  abc ")).ok().flatten().as_deref(), Some("abc"));
        assert_eq!(normalize_key_id(Some("   ")).ok().flatten(), None);
        assert_eq!(normalize_key_id(Some("a b")).map_err(|e| e.code()), Err(ErrorCode::KeyIdInvalid));
    }

    #[test]
    fn generated_p256_keys_differ_and_debug_is_redacted() -> Result<()> {
        let a = SigningKey::generate_p256()?;
        let b = SigningKey::generate_p256()?;
        assert_ne!(a.thumbprint(), b.thumbprint());
        assert_eq!(a.sign(b"x")?.len(), 64);
        let debug = format!("{a:?}");
        assert!(debug.contains("Es256") && !debug.contains("secret"), "{debug}");
        Ok(())
    }

    /// Our PKCS#8 encoding is byte for byte `rsa`'s own, for every RSA fixture form; a key with its CRT values
    /// (PKCS#1, PKCS#8, Okta's JWK) is not built as an `rsa` key until it signs in wasm, one without (an
    /// `n`/`e`/`d`-only JWK) at once.
    #[test]
    fn rsa_keys_encode_as_the_rsa_crate_does_and_build_lazily() -> Result<()> {
        use pkcs8::EncodePrivateKey as _;
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/keys/");
        let cases = [("rsa2048.pkcs8.pem", false), ("rsa2048.pkcs1.pem", false), ("rsa2048.okta.jwk.json", false), ("rsa2048.nd-only.jwk.json", true)];
        for (name, built_at_once) in cases {
            let text = std::fs::read_to_string(format!("{dir}{name}")).map_err(|e| Error::new(ErrorCode::InvalidArgument, e.to_string()))?;
            let key = SigningKey::parse(&text, None)?;
            let Secret::Rsa(rsa_key) = &key.secret else { return Err(Error::new(ErrorCode::InvalidArgument, "not RSA")) };
            let ours = key.to_pkcs8_der()?;
            assert_eq!(rsa_key.signer_built(), built_at_once, "{name}");
            let theirs = rsa_key.signer()?.to_pkcs8_der().map_err(|e| Error::new(ErrorCode::InvalidArgument, e.to_string()))?;
            assert_eq!(ours.as_slice(), theirs.as_bytes(), "{name}");
            assert_eq!(key.sign(b"x")?.len(), 256, "{name}");
        }
        Ok(())
    }
}
