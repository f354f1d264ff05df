//! Public JSON Web Keys (RFC 7517) and their thumbprints (RFC 7638).
//!
//! Only public members are representable here: nothing built from this type can leak a private key.

use sha2::{Digest, Sha256};

use crate::base64url;
use crate::json::Object;

/// A public JWK as it appears in a DPoP proof header or a key's `publicJwk()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicJwk {
    /// An RSA public key.
    Rsa {
        /// Modulus, base64url big-endian.
        n: String,
        /// Public exponent, base64url big-endian.
        e: String,
    },
    /// An EC public key.
    Ec {
        /// Curve name, `P-256`.
        crv: &'static str,
        /// X coordinate, base64url.
        x: String,
        /// Y coordinate, base64url.
        y: String,
    },
}

impl PublicJwk {
    /// Write the members (`kty` first) into `object`.
    #[must_use]
    pub fn write_members(&self, object: Object) -> Object {
        match self {
            Self::Rsa { n, e } => object.str("kty", "RSA").str("n", n).str("e", e),
            Self::Ec { crv, x, y } => object.str("kty", "EC").str("crv", crv).str("x", x).str("y", y),
        }
    }

    /// The P-256 public key with base64url coordinates `x` and `y` (as WebCrypto exports a DPoP key), or `None`
    /// when they are not 32-byte coordinates of a point on the curve.
    #[must_use]
    pub fn p256(x: &str, y: &str) -> Option<Self> {
        use p256::elliptic_curve::point::AffineCoordinates;
        let coordinate = |text: &str| base64url::decode(text).and_then(|b| p256::FieldBytes::try_from(b.as_slice()).ok());
        let (xb, yb) = (coordinate(x)?, coordinate(y)?);
        // from_coordinates checks y² = x³ + ax + b (the square root that decoding a compressed SEC1 point needs
        // stays out of the wasm); from_affine refuses the identity.
        let point = Option::from(p256::AffinePoint::from_coordinates(&xb, &yb))?;
        p256::PublicKey::from_affine(point).ok()?;
        Some(Self::Ec { crv: "P-256", x: x.to_owned(), y: y.to_owned() })
    }

    /// The JWK as JSON, `kty` first, public members only.
    #[must_use]
    pub fn to_json(&self) -> String {
        self.write_members(Object::new()).finish()
    }

    /// The RFC 7638 canonical JSON: the required members only, in lexicographic order, no whitespace.
    #[must_use]
    pub fn canonical_json(&self) -> String {
        // Every member value is base64url or a fixed curve name, so no JSON escaping is ever needed.
        match self {
            Self::Rsa { n, e } => format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#),
            Self::Ec { crv, x, y } => format!(r#"{{"crv":"{crv}","kty":"EC","x":"{x}","y":"{y}"}}"#),
        }
    }

    /// The RFC 7638 SHA-256 thumbprint, base64url: the `jkt` of DPoP.
    #[must_use]
    pub fn thumbprint(&self) -> String {
        base64url::encode(&Sha256::digest(self.canonical_json().as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::PublicJwk;

    #[test]
    fn rfc7638_section_3_1_thumbprint() {
        let jwk = PublicJwk::Rsa {
            n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw".into(),
            e: "AQAB".into(),
        };
        assert_eq!(jwk.thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }

    #[test]
    fn rfc9449_jkt_of_the_example_ec_key() {
        let jwk = PublicJwk::Ec {
            crv: "P-256",
            x: "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs".into(),
            y: "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA".into(),
        };
        assert_eq!(jwk.thumbprint(), "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
    }

    #[test]
    fn p256_takes_only_points_on_the_curve() {
        let (x, y) = ("l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs", "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA");
        assert_eq!(PublicJwk::p256(x, y), Some(PublicJwk::Ec { crv: "P-256", x: x.into(), y: y.into() }));
        let zero = "A".repeat(43);
        for (x, y) in [(x, "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDB"), (&zero, &zero), (x, "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRD"), (x, "not base64!")] {
            assert_eq!(PublicJwk::p256(x, y), None, "{x} {y}");
        }
    }

    #[test]
    fn serializes_with_kty_first_and_public_members_only() {
        let jwk = PublicJwk::Ec { crv: "P-256", x: "AA".into(), y: "AQ".into() };
        assert_eq!(jwk.to_json(), r#"{"kty":"EC","crv":"P-256","x":"AA","y":"AQ"}"#);
    }
}
