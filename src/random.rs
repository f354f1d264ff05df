//! Randomness from the platform CSPRNG (`crypto.getRandomValues` in wasm, the OS elsewhere).

use std::cell::RefCell;

use zeroize::Zeroize;

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

/// How many `jti`s one call to the platform generator provides.
const JTI_BATCH: usize = 16;

/// Random bytes drawn ahead for `jti`s, and how many of them are used. Every DPoP proof needs a `jti`, and
/// one `crypto.getRandomValues` call costs as much as the rest of the proof's wasm side, so they are drawn
/// `JTI_BATCH` at a time; a used slot is zeroed at once. (Identifiers, not key material.)
struct JtiPool {
    bytes: [u8; 16 * JTI_BATCH],
    used: usize,
}

thread_local! {
    static JTI_POOL: RefCell<JtiPool> = const { RefCell::new(JtiPool { bytes: [0; 16 * JTI_BATCH], used: 16 * JTI_BATCH }) };
}

/// A fresh 128-bit identifier, base64url encoded (22 characters): JWT `jti` values.
///
/// # Errors
/// As [`bytes`].
pub fn jti() -> Result<String> {
    JTI_POOL.with(|pool| {
        let mut pool = pool.try_borrow_mut().map_err(|_| Error::new(ErrorCode::RandomUnavailable, "the jti pool is busy"))?;
        if pool.used >= pool.bytes.len() {
            pool.bytes = bytes::<{ 16 * JTI_BATCH }>()?;
            pool.used = 0;
        }
        let start = pool.used;
        pool.used += 16;
        let slot = pool.bytes.get_mut(start..start + 16).ok_or_else(|| Error::new(ErrorCode::RandomUnavailable, "the jti pool is inconsistent"))?;
        let id = base64url::encode(slot);
        slot.zeroize();
        Ok(id)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn jti_is_128_bits_and_fresh() -> crate::Result<()> {
        let a = super::jti()?;
        assert_eq!(a.len(), 22);
        assert_ne!(a, super::jti()?);
        // Across several refills of the pool, no identifier repeats.
        let ids: std::collections::BTreeSet<String> = (0..super::JTI_BATCH * 4).map(|_| super::jti()).collect::<crate::Result<_>>()?;
        assert_eq!(ids.len(), super::JTI_BATCH * 4);
        Ok(())
    }
}
