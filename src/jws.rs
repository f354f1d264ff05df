//! Compact JWS (RFC 7515): header and claims in, `header.payload.signature` out.
//!
//! Building and signing are separate steps so that the host can sign with WebCrypto: [`Unsigned`] holds the
//! signing input the core decided on; any signer for the same key finishes it.

use crate::base64url;
use crate::error::{Error, ErrorCode, Result};
use crate::json::Object;
use crate::jwk::PublicJwk;
use crate::key::{Algorithm, SigningKey};

/// The protected header okta-connect emits.
pub struct Header<'a> {
    /// Signature algorithm.
    pub alg: Algorithm,
    /// Token type (`JWT`, `dpop+jwt`).
    pub typ: &'static str,
    /// Key ID, when known.
    pub kid: Option<&'a str>,
    /// Embedded public key (DPoP).
    pub jwk: Option<&'a PublicJwk>,
}

/// A JWS waiting for its signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsigned {
    algorithm: Algorithm,
    signing_input: String,
}

impl Unsigned {
    /// Serialize the header and join it with the claims (a JSON object) into the signing input
    /// `b64(header).b64(claims)`.
    #[must_use]
    pub fn new(header: &Header<'_>, claims_json: &str) -> Self {
        let header_json = Object::new()
            .str("alg", header.alg.as_str())
            .str("typ", header.typ)
            .opt_str("kid", header.kid)
            .opt_raw("jwk", header.jwk.map(PublicJwk::to_json).as_deref())
            .finish();
        let mut signing_input = base64url::encode(header_json.as_bytes());
        signing_input.push('.');
        signing_input.push_str(&base64url::encode(claims_json.as_bytes()));
        Self { algorithm: header.alg, signing_input }
    }

    /// Rebuild from a signing input this crate produced earlier (it crossed to the host and back).
    ///
    /// # Errors
    /// `invalid_argument` when the input is not `base64url.base64url`.
    pub fn from_parts(algorithm: Algorithm, signing_input: &str) -> Result<Self> {
        let valid = signing_input.split('.').count() == 2
            && signing_input.split('.').all(|part| !part.is_empty() && base64url::is_canonical(part));
        if !valid {
            return Err(Error::new(ErrorCode::InvalidArgument, "not a JWS signing input"));
        }
        Ok(Self { algorithm, signing_input: signing_input.to_owned() })
    }

    /// The algorithm the signature must use.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The exact bytes to sign.
    #[must_use]
    pub fn signing_input(&self) -> &str {
        &self.signing_input
    }

    /// Append a raw signature (PKCS#1 v1.5 bytes, or r‖s for ES256) produced by any signer.
    ///
    /// # Errors
    /// `invalid_argument` when an ES256 signature is not 64 bytes or a signature is empty.
    pub fn finish(self, signature: &[u8]) -> Result<String> {
        let ok = match self.algorithm {
            Algorithm::Es256 => signature.len() == 64,
            _ => (256..=1024).contains(&signature.len()),
        };
        if !ok {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("a {} signature of {} bytes is not valid", self.algorithm.as_str(), signature.len()),
            ));
        }
        Ok(format!("{}.{}", self.signing_input, base64url::encode(signature)))
    }

    /// Sign with a key held in this process.
    ///
    /// # Errors
    /// As [`SigningKey::sign`].
    pub fn sign(self, key: &SigningKey) -> Result<String> {
        let signature = key.sign(self.signing_input.as_bytes())?;
        self.finish(&signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7515 Appendix A.2: RS256 is deterministic, so the signature must match byte for byte.
    #[test]
    fn rfc7515_a2_rs256_exact_signature() -> Result<()> {
        let jwk = include_str!("../tests/fixtures/rfc7515-a2.jwk.json");
        let key = SigningKey::parse(jwk, None)?;
        let signing_input = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
        let signature = base64url::encode(&key.sign(signing_input.as_bytes())?);
        assert_eq!(
            signature,
            "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"
        );
        Ok(())
    }

    #[test]
    fn finish_checks_signature_length() -> Result<()> {
        let header = Header { alg: Algorithm::Es256, typ: "JWT", kid: None, jwk: None };
        let unsigned = Unsigned::new(&header, r#"{"a":1}"#);
        assert_eq!(unsigned.signing_input(), "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJhIjoxfQ");
        assert_eq!(unsigned.clone().finish(&[0; 63]).map_err(|e| e.code()), Err(ErrorCode::InvalidArgument));
        assert!(unsigned.finish(&[0; 64])?.ends_with(".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        Ok(())
    }
}
