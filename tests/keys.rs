//! Every accepted and rejected key form, from the fixtures in tests/fixtures/keys (test-only keys).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use okta_connect::{Algorithm, ErrorCode, KeyType, PublicJwk, SigningKey};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn parse(text: &str) -> Result<SigningKey, ErrorCode> {
    SigningKey::parse(text, None).map_err(|e| e.code())
}

fn thumb(text: &str) -> String {
    SigningKey::parse(text, None).unwrap().thumbprint()
}

#[test]
fn rsa_forms_all_give_the_same_key() {
    let reference = thumb(&fixture("rsa2048.pkcs8.pem"));
    for name in ["rsa2048.pkcs1.pem", "rsa2048.okta.jwk.json", "rsa2048.nd-only.jwk.json", "rsa2048.pkcs8.der.b64", "one-private.jwks.json"] {
        assert_eq!(thumb(&fixture(name)), reference, "{name}");
    }
    let key = SigningKey::parse(&fixture("rsa2048.okta.jwk.json"), None).unwrap();
    assert_eq!((key.algorithm(), key.key_type(), key.bits()), (Algorithm::Rs256, KeyType::Rsa, 2048));
    assert_eq!(key.key_id().map(str::len), Some(43));
}

#[test]
fn ec_forms_all_give_the_same_key() {
    let reference = thumb(&fixture("p256.pkcs8.pem"));
    for name in ["p256.sec1.pem", "p256.jwk.json"] {
        assert_eq!(thumb(&fixture(name)), reference, "{name}");
    }
    let key = SigningKey::parse(&fixture("p256.jwk.json"), None).unwrap();
    assert_eq!((key.algorithm(), key.key_type(), key.bits(), key.key_id()), (Algorithm::Es256, KeyType::Ec, 256, Some("ec-key-1")));
}

#[test]
fn rsa_sizes_and_algorithms() {
    for (name, bits, alg) in [
        ("rsa3072.pkcs8.pem", 3072, Algorithm::Rs256),
        ("rsa3072.rs384.jwk.json", 3072, Algorithm::Rs384),
        ("rsa4096.rs512.jwk.json", 4096, Algorithm::Rs512),
        ("rsa8192.pkcs8.pem", 8192, Algorithm::Rs256),
    ] {
        let key = SigningKey::parse(&fixture(name), None).unwrap();
        assert_eq!((key.bits(), key.algorithm()), (bits, alg), "{name}");
        assert_eq!(key.sign(b"data").unwrap().len(), bits / 8, "{name}");
    }
}

#[test]
fn mangled_pastes_are_accepted() {
    let pem = fixture("rsa2048.pkcs8.pem");
    let jwk = fixture("rsa2048.okta.jwk.json");
    let reference = thumb(&pem);
    let variants = [
        pem.replace('\n', "\r\n"),
        format!("   \n\t{pem}\n\n  "),
        format!("\"{pem}\""),
        format!("'{pem}'"),
        pem.replace('\n', "\\n"),
        pem.replace('\n', " "),
        pem.replace('\n', ""),
        serde_json::to_string(&pem).unwrap(),
        serde_json::to_string(&jwk).unwrap(),
        jwk.replace('\n', "\r\n"),
        format!("\u{feff}{jwk}"),
        serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&jwk).unwrap()).unwrap(),
        format!("{}\n{pem}", fixture("rsa2048.cert.pem")),
    ];
    for (i, text) in variants.iter().enumerate() {
        assert_eq!(parse(text).map(|k| k.thumbprint()), Ok(reference.clone()), "variant {i}");
    }
}

#[test]
fn rejections_have_distinct_codes() {
    let cases = [
        ("rsa2048.public.pem", ErrorCode::KeyIsPublic),
        ("rsa2048.rsapublic.pem", ErrorCode::KeyIsPublic),
        ("p256.public.pem", ErrorCode::KeyIsPublic),
        ("rsa2048.public.jwk.json", ErrorCode::KeyIsPublic),
        ("public-only.jwks.json", ErrorCode::KeyIsPublic),
        ("rsa2048.cert.pem", ErrorCode::KeyIsCertificate),
        ("rsa2048.encrypted.pem", ErrorCode::KeyEncrypted),
        ("rsa2048.legacy-encrypted.pem", ErrorCode::KeyEncrypted),
        ("rsa1024.pkcs8.pem", ErrorCode::KeyRsaTooSmall),
        ("rsa1024.jwk.json", ErrorCode::KeyRsaTooSmall),
        ("p384.pkcs8.pem", ErrorCode::KeyUnsupportedCurve),
        ("p384.jwk.json", ErrorCode::KeyUnsupportedCurve),
        ("secp256k1.sec1.pem", ErrorCode::KeyUnsupportedCurve),
        ("ed25519.pkcs8.pem", ErrorCode::KeyUnsupportedType),
        ("ed25519.jwk.json", ErrorCode::KeyUnsupportedType),
        ("oct.jwk.json", ErrorCode::KeyUnsupportedType),
        ("rsapss2048.pkcs8.pem", ErrorCode::KeyUnsupportedType),
        ("rsa2048.mismatch.jwk.json", ErrorCode::KeyMismatch),
        ("p256.mismatch.jwk.json", ErrorCode::KeyMismatch),
        ("rsa2048.es256-alg.jwk.json", ErrorCode::KeyAlgMismatch),
        ("rsa2048.enc-use.jwk.json", ErrorCode::KeyWrongUse),
        ("two-private.jwks.json", ErrorCode::KeyAmbiguous),
    ];
    for (name, code) in cases {
        assert_eq!(parse(&fixture(name)).map(|k| k.thumbprint()), Err(code), "{name}");
    }
}

#[test]
fn garbage_truncation_and_size() {
    let pem = fixture("rsa2048.pkcs8.pem");
    let jwk = fixture("rsa2048.okta.jwk.json");
    assert_eq!(parse("").err(), Some(ErrorCode::KeyMissing));
    assert_eq!(parse("  \n ").err(), Some(ErrorCode::KeyMissing));
    assert_eq!(parse("hello world").err(), Some(ErrorCode::KeyUnrecognized));
    assert_eq!(parse(&"A".repeat(70_000)).err(), Some(ErrorCode::KeyTooLarge));
    assert_eq!(parse(&pem[..pem.len() / 2]).err(), Some(ErrorCode::KeyMalformed));
    assert_eq!(parse(&pem.replace("MII", "MIJ")).err(), Some(ErrorCode::KeyMalformed));
    assert_eq!(parse(&jwk[..jwk.len() / 2]).err(), Some(ErrorCode::KeyMalformed));
    assert_eq!(parse("{\"kty\":\"RSA\",\"n\":5}").err(), Some(ErrorCode::KeyMalformed));
    assert_eq!(parse(&format!("{}1{}", "[".repeat(200), "]".repeat(200))).err(), Some(ErrorCode::KeyMalformed));
    assert_eq!(parse("ssh-rsa AAAAB3NzaC1yc2E user@host").err(), Some(ErrorCode::KeyIsPublic));
    assert_eq!(parse(&"QUJD".repeat(40)).err(), Some(ErrorCode::KeyUnrecognized));
    assert_eq!(parse("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----").err(), Some(ErrorCode::KeyUnsupportedType));
    assert_eq!(parse("{}").err(), Some(ErrorCode::KeyMalformed));
    assert_eq!(parse("{\"keys\":[]}").err(), Some(ErrorCode::KeyMalformed));
    assert_eq!(parse("{\"kty\":\"EC\",\"crv\":\"P-256\",\"d\":\"AAAA\"}").err(), Some(ErrorCode::KeyMalformed));
}

#[test]
fn key_id_selects_checks_and_overrides() {
    let jwks = fixture("two-private.jwks.json");
    let key = SigningKey::parse(&jwks, Some("ec-key-1")).unwrap();
    assert_eq!(key.algorithm(), Algorithm::Es256);
    assert_eq!(SigningKey::parse(&jwks, Some("nope")).map_err(|e| e.code()).err(), Some(ErrorCode::KeyIdNotFound));
    let jwk = fixture("p256.jwk.json");
    assert_eq!(SigningKey::parse(&jwk, Some("other")).map_err(|e| e.code()).err(), Some(ErrorCode::KeyIdMismatch));
    assert_eq!(SigningKey::parse(&jwk, Some(" ec-key-1 ")).unwrap().key_id(), Some("ec-key-1"));
    let pem = SigningKey::parse(&fixture("p256.pkcs8.pem"), Some("from-console")).unwrap();
    assert_eq!(pem.key_id(), Some("from-console"));
    assert_eq!(SigningKey::parse(&fixture("p256.pkcs8.pem"), Some("a\tb")).map_err(|e| e.code()).err(), Some(ErrorCode::KeyIdInvalid));
}

#[test]
fn public_jwk_matches_the_fixture_and_has_no_private_members() {
    let key = SigningKey::parse(&fixture("rsa2048.okta.jwk.json"), None).unwrap();
    let public: serde_json::Value = serde_json::from_str(&fixture("rsa2048.public.jwk.json")).unwrap();
    match key.public_jwk() {
        PublicJwk::Rsa { n, e } => assert_eq!((n.as_str(), e.as_str()), (public["n"].as_str().unwrap(), public["e"].as_str().unwrap())),
        other => panic!("{other:?}"),
    }
    let json = key.public_jwk().to_json();
    for private in ["\"d\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\""] {
        assert!(!json.contains(private), "{json}");
    }
}

#[test]
fn errors_and_debug_never_contain_key_material() {
    let jwk: serde_json::Value = serde_json::from_str(&fixture("rsa2048.okta.jwk.json")).unwrap();
    let secrets: Vec<String> = ["d", "p", "q", "dp", "dq", "qi"].iter().map(|m| jwk[m].as_str().unwrap()[..24].to_owned()).collect();
    let pem_body: String = fixture("rsa2048.pkcs8.pem").lines().nth(5).unwrap().to_owned();
    let key = SigningKey::parse(&fixture("rsa2048.okta.jwk.json"), None).unwrap();
    let mut outputs = vec![format!("{key:?}")];
    for bad in [fixture("rsa2048.mismatch.jwk.json"), fixture("rsa2048.pkcs8.pem").replace("MII", "MIJ"), fixture("two-private.jwks.json")] {
        let error = SigningKey::parse(&bad, Some("x")).unwrap_err();
        outputs.push(format!("{error:?} {error} {:?}", error.fix()));
    }
    for output in outputs {
        for secret in secrets.iter().chain([&pem_body]) {
            assert!(!output.contains(secret.as_str()), "leak in {output}");
        }
    }
}

#[test]
fn pkcs8_export_round_trips() {
    for name in ["rsa2048.okta.jwk.json", "p256.jwk.json"] {
        let key = SigningKey::parse(&fixture(name), None).unwrap();
        let der = key.to_pkcs8_der().unwrap();
        let b64 = <base64ct::Base64 as base64ct::Encoding>::encode_string(&der);
        assert_eq!(thumb(&b64), key.thumbprint(), "{name}");
    }
}
