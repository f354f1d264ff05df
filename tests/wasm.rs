//! The exported API exercised with real JS values, in Node (`wasm-pack test --node`) and in headless Chromium
//! (`wasm-pack test --headless --chrome --features browser-tests`). Signatures are checked with the runtime's own
//! WebCrypto, an implementation independent of ours.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use js_sys::{JSON, Reflect, Uint8Array};
use okta_connect::wasm::{JsDpopKey as DpopKey, JsSigningKey as SigningKey, create_client_assertion, validate_config};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

#[cfg(feature = "browser-tests")]
wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function verifyJws(jwt, jwk) {
  const [h, p, s] = jwt.split('.');
  const b64 = (t) => Uint8Array.from(atob(t.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  const header = JSON.parse(new TextDecoder().decode(b64(h)));
  const ec = header.alg === 'ES256';
  const algorithm = ec ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-' + header.alg.slice(2) };
  const publicJwk = jwk ?? header.jwk;
  return crypto.subtle.importKey('jwk', publicJwk, algorithm, false, ['verify']).then((key) =>
    crypto.subtle.verify(ec ? { name: 'ECDSA', hash: 'SHA-256' } : algorithm, key, b64(s), new TextEncoder().encode(h + '.' + p)));
}
export function claims(jwt, part) {
  const t = jwt.split('.')[part];
  return JSON.parse(atob(t.replace(/-/g, '+').replace(/_/g, '/')));
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = verifyJws)]
    fn verify_jws(jwt: &str, jwk: &JsValue) -> js_sys::Promise;
    fn claims(jwt: &str, part: u32) -> JsValue;
}

const OKTA_JWK: &str = include_str!("fixtures/keys/rsa2048.okta.jwk.json");
const PKCS8_EC: &str = include_str!("fixtures/keys/p256.pkcs8.pem");
const PUBLIC_PEM: &str = include_str!("fixtures/keys/rsa2048.public.pem");

fn obj(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

fn prop(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &name.into()).unwrap()
}

fn code_of(error: JsValue) -> String {
    assert_eq!(prop(&error, "name").as_string().as_deref(), Some("OktaConnectError"));
    prop(&error, "code").as_string().unwrap()
}

async fn verified(jwt: &str, jwk: &JsValue) -> bool {
    JsFuture::from(verify_jws(jwt, jwk)).await.unwrap().as_bool().unwrap()
}

#[wasm_bindgen_test]
fn validate_config_maps_objects_both_ways() {
    let input = js_sys::Object::new();
    Reflect::set(&input, &"orgUrl".into(), &"https://acme-admin.okta.com/".into()).unwrap();
    Reflect::set(&input, &"clientId".into(), &"0oa1bcdefghijklmnop2".into()).unwrap();
    Reflect::set(&input, &"privateKey".into(), &OKTA_JWK.into()).unwrap();
    let result = validate_config(input.into(), JsValue::UNDEFINED).unwrap();
    assert_eq!(prop(&result, "ok"), JsValue::TRUE);
    assert_eq!(prop(&result, "tokenUrl").as_string().as_deref(), Some("https://acme.okta.com/oauth2/v1/token"));
    assert_eq!(prop(&prop(&result, "key"), "algorithm").as_string().as_deref(), Some("RS256"));
    assert!(prop(&prop(&prop(&result, "key"), "publicJwk"), "d").is_undefined());

    let bad = validate_config(obj(r#"{"orgUrl": 5, "clientId": null, "privateKey": ["x"]}"#), JsValue::UNDEFINED).unwrap();
    assert_eq!(prop(&bad, "ok"), JsValue::FALSE);
    let problems = js_sys::Array::from(&prop(&bad, "problems"));
    let codes: Vec<String> = problems.iter().map(|p| prop(&p, "code").as_string().unwrap()).collect();
    assert!(codes.contains(&"invalid_argument".to_owned()) && codes.contains(&"client_id_missing".to_owned()), "{codes:?}");

    let public = validate_config(obj(&format!(r#"{{"orgUrl":"acme.okta.com","clientId":"0oa1bcdefghijklmnop2","privateKey":{}}}"#, JSON::stringify(&PUBLIC_PEM.into()).unwrap().as_string().unwrap())), JsValue::NULL).unwrap();
    let problem = js_sys::Array::from(&prop(&public, "problems")).get(0);
    assert_eq!(prop(&problem, "code").as_string().as_deref(), Some("key_is_public"));
    assert!(prop(&problem, "fix").as_string().unwrap().contains("public key"));
    assert_eq!(code_of(validate_config(JsValue::NULL, obj(r#"{"allowedHosts":"x"}"#)).unwrap_err()), "invalid_argument");
}

#[wasm_bindgen_test]
async fn client_assertion_verifies_with_webcrypto() {
    let key = SigningKey::parse(OKTA_JWK.into(), JsValue::UNDEFINED).unwrap();
    let options = obj(r#"{"clientId":"0oa1bcdefghijklmnop2","audience":"https://acme.okta.com/oauth2/v1/token","now":1700000000}"#);
    let jwt = create_client_assertion(&key, options).unwrap();
    assert!(verified(&jwt, &key.public_jwk().unwrap()).await);
    let payload = claims(&jwt, 1);
    assert_eq!(prop(&payload, "exp").as_f64(), Some(1_700_000_300.0));
    assert_eq!(prop(&claims(&jwt, 0), "kid").as_string(), key.key_id());

    let ec = SigningKey::parse(PKCS8_EC.into(), "kid-1".into()).unwrap();
    let jwt = create_client_assertion(&ec, obj(r#"{"clientId":"c","audience":"https://a.okta.com/oauth2/v1/token"}"#)).unwrap();
    assert!(verified(&jwt, &ec.public_jwk().unwrap()).await);
    let signature = ec.sign(Uint8Array::from(&b"abc"[..]).into()).unwrap();
    assert_eq!(signature.length(), 64);
}

#[wasm_bindgen_test]
async fn dpop_proof_verifies_with_its_embedded_key() {
    let key = DpopKey::new().unwrap();
    let proof = key
        .create_proof(obj(r#"{"htm":"post","htu":"https://acme.okta.com/oauth2/v1/token?x#y","nonce":"n-1","accessToken":"Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"}"#))
        .unwrap();
    assert!(verified(&proof, &JsValue::UNDEFINED).await);
    let header = claims(&proof, 0);
    assert_eq!(prop(&header, "typ").as_string().as_deref(), Some("dpop+jwt"));
    assert!(prop(&prop(&header, "jwk"), "d").is_undefined());
    let payload = claims(&proof, 1);
    assert_eq!(prop(&payload, "htu").as_string().as_deref(), Some("https://acme.okta.com/oauth2/v1/token"));
    assert_eq!(prop(&payload, "ath").as_string().as_deref(), Some("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"));
    assert_eq!(key.thumbprint().len(), 43);
}

#[wasm_bindgen_test]
fn wrong_types_throw_typed_errors_and_the_module_keeps_working() {
    assert_eq!(code_of(SigningKey::parse(JsValue::from(5), JsValue::UNDEFINED).err().unwrap()), "invalid_argument");
    assert_eq!(code_of(SigningKey::parse("{".into(), JsValue::UNDEFINED).err().unwrap()), "key_malformed");
    assert_eq!(code_of(SigningKey::parse(OKTA_JWK.into(), JsValue::from(1)).err().unwrap()), "invalid_argument");
    let key = SigningKey::parse(OKTA_JWK.into(), JsValue::UNDEFINED).unwrap();
    assert_eq!(code_of(key.sign("abc".into()).unwrap_err()), "invalid_argument");
    for options in [r#"{"clientId":5,"audience":"https://a"}"#, r#"{"clientId":"c","audience":"https://a","now":-1}"#, r#"{"clientId":"c","audience":"https://a","lifetimeSeconds":7200}"#, "[]", "7"] {
        let code = code_of(create_client_assertion(&key, obj(options)).unwrap_err());
        assert!(code == "invalid_argument" || code == "assertion_invalid", "{options}: {code}");
    }
    let dpop = DpopKey::new().unwrap();
    assert_eq!(code_of(dpop.create_proof(obj(r#"{"htm":"GET"}"#)).unwrap_err()), "invalid_argument");
    assert_eq!(code_of(dpop.create_proof(obj(r#"{"htm":"GET","htu":"nope"}"#)).unwrap_err()), "dpop_invalid");
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    assert_eq!(code_of(SigningKey::parse(deep.into(), JsValue::UNDEFINED).err().unwrap()), "key_malformed");
    // Still alive after every failure above.
    assert!(create_client_assertion(&key, obj(r#"{"clientId":"c","audience":"https://a.okta.com/oauth2/v1/token"}"#)).is_ok());
}
