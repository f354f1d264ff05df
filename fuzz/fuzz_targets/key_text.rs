//! Pasted private-key text in every form (JWK, JWKS, PEM PKCS#8 / PKCS#1 / SEC1, base64 DER, quoted, escaped):
//! `SigningKey::parse` must refuse with an `Err`, never panic; a key it accepts must sign and round-trip
//! through PKCS#8. Input: `<key text>[\0<key id>]`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| okta_connect_fuzz::key_text(data));
