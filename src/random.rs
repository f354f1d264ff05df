//! Randomness from the platform CSPRNG (`crypto.getRandomValues` in wasm, the OS elsewhere).

use crate::base64url;
use crate::error::{Error, ErrorCode, Result};

/// `N` random bytes.
///
/// # Errors
/// `random_unavailable` when the platform generator fails (e.g. at Workers module top level).
pub fn bytes<const N: usize>() -> Result<[u8; N]> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|_| {
        Error::new(ErrorCode::RandomUnavailable, "the platform's secure random number generator is unavailable here")
    })?;
    Ok(buf)
}

/// A fresh 128-bit identifier, base64url encoded (22 characters): JWT `jti` values.
///
/// # Errors
/// As [`bytes`].
pub fn jti() -> Result<String> {
    Ok(base64url::encode(&bytes::<16>()?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn jti_is_128_bits_and_fresh() -> crate::Result<()> {
        let a = super::jti()?;
        assert_eq!(a.len(), 22);
        assert_ne!(a, super::jti()?);
        Ok(())
    }
}
