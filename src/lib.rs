#![doc = include_str!("../README.md")]
#![deny(unsafe_code)]

pub mod assertion;
pub mod base64url;
pub mod config;
pub mod dpop;
pub mod error;
pub mod json;
pub mod jwk;
pub mod jws;
pub mod protocol;
pub mod key;
pub mod random;
#[cfg(target_arch = "wasm32")]
mod scrub;

pub use error::{Error, ErrorCode, Field, OktaDetails, Result, Severity};
pub use jwk::PublicJwk;
pub use key::{Algorithm, KeyType, SigningKey, WebCryptoParams};

/// Largest accepted timestamp (seconds): JavaScript's safe-integer limit, so every time survives the trip to JS.
pub const MAX_TIMESTAMP: u64 = (1 << 53) - 1;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// Every heap block of the wasm module is wiped when freed (see `scrub`).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: scrub::ZeroizingAllocator = scrub::ZeroizingAllocator;
