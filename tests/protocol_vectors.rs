//! Client assertions and DPoP proofs: structure, claims, freshness, and the RFC vectors that are deterministic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use okta_connect::assertion::{self, AssertionOptions};
use okta_connect::dpop::{self, DpopKey, ProofOptions};
use okta_connect::{ErrorCode, SigningKey, base64url};
use serde_json::Value;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn decode(jwt: &str) -> (Value, Value, Vec<u8>) {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "{jwt}");
    let json = |s: &str| serde_json::from_slice::<Value>(&base64url::decode(s).unwrap()).unwrap();
    (json(parts[0]), json(parts[1]), base64url::decode(parts[2]).unwrap())
}

const TOKEN_URL: &str = "https://acme.okta.com/oauth2/v1/token";

fn options(now: u64) -> AssertionOptions<'static> {
    AssertionOptions { client_id: "0oa1bcdefghijklmnop2", audience: TOKEN_URL, now, lifetime_seconds: None }
}

#[test]
fn assertion_claims_and_header() {
    let key = SigningKey::parse(&fixture("rsa2048.okta.jwk.json"), None).unwrap();
    let jwt = assertion::create(&key, &options(1_700_000_000)).unwrap();
    let (header, claims, signature) = decode(&jwt);
    assert_eq!(header, serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": key.key_id().unwrap()}));
    assert_eq!(claims["iss"], "0oa1bcdefghijklmnop2");
    assert_eq!(claims["sub"], "0oa1bcdefghijklmnop2");
    assert_eq!(claims["aud"], TOKEN_URL);
    assert_eq!(claims["iat"], 1_700_000_000u64);
    assert_eq!(claims["exp"], 1_700_000_300u64);
    assert_eq!(base64url::decode(claims["jti"].as_str().unwrap()).unwrap().len(), 16);
    assert!(claims.get("nbf").is_none());
    assert_eq!(signature.len(), 256);
    let again = decode(&assertion::create(&key, &options(1_700_000_000)).unwrap()).1;
    assert_ne!(again["jti"], claims["jti"]);
}

#[test]
fn assertion_rejects_bad_options() {
    let key = SigningKey::parse(&fixture("p256.pkcs8.pem"), None).unwrap();
    let jwt = assertion::create(&key, &options(10)).unwrap();
    assert_eq!(decode(&jwt).0, serde_json::json!({"alg": "ES256", "typ": "JWT"}));
    let bad = |o: AssertionOptions<'_>| assertion::create(&key, &o).map_err(|e| e.code()).err();
    assert_eq!(bad(AssertionOptions { lifetime_seconds: Some(3601), ..options(10) }), Some(ErrorCode::AssertionInvalid));
    assert_eq!(bad(AssertionOptions { lifetime_seconds: Some(0), ..options(10) }), Some(ErrorCode::AssertionInvalid));
    assert_eq!(bad(AssertionOptions { client_id: " ", ..options(10) }), Some(ErrorCode::AssertionInvalid));
    assert_eq!(bad(AssertionOptions { audience: "acme.okta.com", ..options(10) }), Some(ErrorCode::AssertionInvalid));
    assert_eq!(bad(AssertionOptions { now: u64::MAX, ..options(10) }), Some(ErrorCode::AssertionInvalid));
    let hour = assertion::create(&key, &AssertionOptions { lifetime_seconds: Some(3600), ..options(10) }).unwrap();
    assert_eq!(decode(&hour).1["exp"], 3610);
}

#[test]
fn dpop_proof_structure() {
    let key = DpopKey::generate().unwrap();
    let proof = key
        .create_proof(&ProofOptions {
            htm: "get",
            htu: "https://acme.okta.com/api/v1/users/00u1?x=1#y",
            nonce: Some("server-nonce"),
            access_token: Some("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
            now: 1_562_262_616,
        })
        .unwrap();
    let (header, claims, signature) = decode(&proof);
    assert_eq!(header["typ"], "dpop+jwt");
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["jwk"]["kty"], "EC");
    assert_eq!(header["jwk"].as_object().unwrap().len(), 4, "only kty, crv, x, y: {header}");
    assert_eq!(claims["htm"], "GET");
    assert_eq!(claims["htu"], "https://acme.okta.com/api/v1/users/00u1");
    assert_eq!(claims["iat"], 1_562_262_616u64);
    assert_eq!(claims["nonce"], "server-nonce");
    assert_eq!(claims["ath"], "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
    assert_eq!(signature.len(), 64);
    let minimal = decode(&key.create_proof(&ProofOptions { htm: "POST", htu: TOKEN_URL, nonce: None, access_token: None, now: 1 }).unwrap()).1;
    assert!(minimal.get("nonce").is_none() && minimal.get("ath").is_none());
    assert_ne!(minimal["jti"], claims["jti"]);
    assert_eq!(key.thumbprint(), okta_connect::PublicJwk::thumbprint(key.public_jwk()));
}

#[test]
fn dpop_rejects_bad_options() {
    let key = DpopKey::generate().unwrap();
    let bad = |o: ProofOptions<'_>| key.create_proof(&o).map_err(|e| e.code()).err();
    let base = ProofOptions { htm: "POST", htu: TOKEN_URL, nonce: None, access_token: None, now: 1 };
    assert_eq!(bad(ProofOptions { htm: "", ..base.clone() }), Some(ErrorCode::DpopInvalid));
    assert_eq!(bad(ProofOptions { htu: "/relative", ..base.clone() }), Some(ErrorCode::DpopInvalid));
    assert_eq!(bad(ProofOptions { nonce: Some("a b"), ..base.clone() }), Some(ErrorCode::DpopInvalid));
    assert_eq!(bad(ProofOptions { access_token: Some(""), ..base.clone() }), Some(ErrorCode::DpopInvalid));
    assert_eq!(bad(ProofOptions { now: u64::MAX, ..base }), Some(ErrorCode::DpopInvalid));
}

#[test]
fn unsigned_then_finished_equals_signed_for_rs256() {
    let key = SigningKey::parse(&fixture("rsa2048.pkcs1.pem"), None).unwrap();
    let unsigned = assertion::unsigned(key.algorithm(), key.key_id(), &options(5)).unwrap();
    let signature = key.sign(unsigned.signing_input().as_bytes()).unwrap();
    let finished = unsigned.clone().finish(&signature).unwrap();
    assert_eq!(finished, unsigned.sign(&key).unwrap(), "PKCS#1 v1.5 is deterministic");
    assert_eq!(dpop::access_token_hash("a").len(), 43);
}
