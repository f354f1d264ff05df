//! The wasm boundary: maps JS values to the core's types and back. No decisions are made here.
//!
//! Every export checks its arguments' JS types itself and throws an `OktaConnectError` (an `Error` with
//! `code`, `message` and `fix`) for wrong ones, so no JS value can make the module trap.

use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::assertion::{self, AssertionOptions};
use crate::config::{self, ConfigInput, UrlPolicy};
use crate::dpop::{self, ProofOptions};
use crate::error::{Error, ErrorCode, Field};
use crate::key::SigningKey as CoreKey;
use crate::PublicJwk;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** JWS algorithms a client key signs with. */
export type Algorithm = 'RS256' | 'RS384' | 'RS512' | 'ES256';
/** JWK key types. */
export type KeyType = 'RSA' | 'EC';
/** The configuration fields of the Connect dialog. */
export type ConfigField = 'orgUrl' | 'clientId' | 'privateKey' | 'keyId';
/** Stable machine-readable error codes (see the README's troubleshooting table). */
export type ErrorCode =
  | 'invalid_argument' | 'random_unavailable'
  | 'org_url_missing' | 'org_url_invalid' | 'org_url_insecure' | 'org_url_userinfo' | 'org_url_port'
  | 'org_url_ip_literal' | 'org_url_non_ascii' | 'org_url_not_okta' | 'org_url_admin_rewritten' | 'org_url_normalized'
  | 'client_id_missing' | 'client_id_invalid' | 'client_id_unusual'
  | 'key_missing' | 'key_too_large' | 'key_unrecognized' | 'key_malformed' | 'key_is_public' | 'key_is_certificate'
  | 'key_encrypted' | 'key_rsa_too_small' | 'key_rsa_too_large' | 'key_unsupported_type' | 'key_unsupported_curve'
  | 'key_mismatch' | 'key_alg_mismatch' | 'key_wrong_use' | 'key_ambiguous' | 'key_id_not_found' | 'key_id_mismatch'
  | 'key_id_invalid'
  | 'assertion_invalid' | 'dpop_invalid';

/** What every okta-connect function throws. */
export interface OktaConnectError extends Error {
  name: 'OktaConnectError';
  code: ErrorCode;
  /** The setup step that fixes it, when the cause is in the Okta setup or the pasted values. */
  fix?: string;
  /** The configuration field concerned, when there is one. */
  field?: ConfigField;
}

/** Input of `validateConfig`: the Connect dialog's fields. */
export interface ConfigInput {
  orgUrl: string;
  clientId: string;
  privateKey: string;
  keyId?: string;
}

/** Options of `validateConfig` (and `OktaClient.connect`). */
export interface ValidateOptions {
  /** Exact extra hosts (custom URL domains) accepted besides Okta's domains. */
  allowedHosts?: string[];
  /** Accept http:// and ports on loopback hosts (local emulators, tests). */
  allowInsecureLoopback?: boolean;
}

/** A public JWK: never any private member. */
export type PublicJwk =
  | { kty: 'RSA'; n: string; e: string; kid?: string; alg?: Algorithm; use?: 'sig' }
  | { kty: 'EC'; crv: 'P-256'; x: string; y: string; kid?: string; alg?: Algorithm; use?: 'sig' };

/** Public facts about a parsed key. */
export interface KeyInfo {
  algorithm: Algorithm;
  keyType: KeyType;
  bits: number;
  keyId?: string;
  /** RFC 7638 SHA-256 thumbprint. */
  thumbprint: string;
  publicJwk: PublicJwk;
}

/** One problem with one field. */
export interface Problem {
  field: ConfigField;
  code: ErrorCode;
  severity: 'error' | 'warning' | 'notice';
  message: string;
  fix?: string;
}

/** Result of `validateConfig`; `ok` is true exactly when no problem has severity `error`. */
export interface ValidationResult {
  ok: boolean;
  /** The normalised org URL, e.g. https://acme.okta.com, when acceptable. */
  orgUrl?: string;
  /** The token endpoint, `${orgUrl}/oauth2/v1/token`. */
  tokenUrl?: string;
  key?: KeyInfo;
  problems: Problem[];
}

/** Options of `createClientAssertion`. */
export interface ClientAssertionOptions {
  clientId: string;
  /** The token endpoint URL, e.g. https://acme.okta.com/oauth2/v1/token. */
  audience: string;
  /** Seconds since the epoch; defaults to the current time. */
  now?: number;
  /** 1..3600, default 300. */
  lifetimeSeconds?: number;
}

/** Options of `DpopKey.createProof`. */
export interface DpopProofOptions {
  htm: string;
  htu: string;
  nonce?: string;
  accessToken?: string;
  /** Seconds since the epoch; defaults to the current time. */
  now?: number;
}
"#;

// ---------------------------------------------------------------------------------------------------------
// Errors

/// Convert a core error into the `OktaConnectError` JS sees.
fn to_js(error: &Error) -> JsValue {
    let js = js_sys::Error::new(error.message());
    js.set_name("OktaConnectError");
    let object: &JsValue = js.as_ref();
    set(object, "code", &error.code().as_str().into());
    if let Some(fix) = error.fix() {
        set(object, "fix", &fix.into());
    }
    if let Some(field) = error.field() {
        set(object, "field", &field.as_str().into());
    }
    js.into()
}

fn set(object: &JsValue, name: &str, value: &JsValue) {
    // Setting a property on an object this module created cannot fail; a failure would only lose detail.
    let _ = Reflect::set(object, &JsValue::from_str(name), value);
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidArgument, message)
}

type JsResult<T> = Result<T, JsValue>;

fn js<T>(result: crate::Result<T>) -> JsResult<T> {
    result.map_err(|e| to_js(&e))
}

// ---------------------------------------------------------------------------------------------------------
// Reading JS values

fn get(object: &JsValue, name: &str) -> crate::Result<JsValue> {
    Reflect::get(object, &JsValue::from_str(name)).map_err(|_| invalid(format!("{name} could not be read")))
}

/// An options object: `undefined`/`null` are an empty object; anything but a plain object is an error.
fn options_object(value: &JsValue, what: &str) -> crate::Result<JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Object::new().into());
    }
    if !value.is_object() || value.is_function() || Array::is_array(value) {
        return Err(invalid(format!("{what} must be an object")));
    }
    Ok(value.clone())
}

fn optional_string(object: &JsValue, name: &str) -> crate::Result<Option<String>> {
    let value = get(object, name)?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value.as_string().map(Some).ok_or_else(|| invalid(format!("{name} must be a string")))
}

fn required_string(object: &JsValue, name: &str) -> crate::Result<String> {
    optional_string(object, name)?.ok_or_else(|| invalid(format!("{name} is required")))
}

/// A non-negative integer no larger than JS's safe-integer limit.
fn optional_integer(object: &JsValue, name: &str) -> crate::Result<Option<u64>> {
    let value = get(object, name)?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    match value.as_f64() {
        Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= crate::MAX_TIMESTAMP as f64 => Ok(Some(n as u64)),
        _ => Err(invalid(format!("{name} must be a non-negative integer"))),
    }
}

fn optional_bool(object: &JsValue, name: &str) -> crate::Result<bool> {
    let value = get(object, name)?;
    if value.is_undefined() || value.is_null() {
        return Ok(false);
    }
    value.as_bool().ok_or_else(|| invalid(format!("{name} must be a boolean")))
}

fn now_seconds() -> u64 {
    (js_sys::Date::now() / 1000.0).floor() as u64
}

fn url_policy(options: &JsValue) -> crate::Result<UrlPolicy> {
    let options = options_object(options, "options")?;
    let hosts = get(&options, "allowedHosts")?;
    let allowed_hosts = if hosts.is_undefined() || hosts.is_null() {
        Vec::new()
    } else if Array::is_array(&hosts) {
        Array::from(&hosts)
            .iter()
            .map(|h| h.as_string().ok_or_else(|| invalid("allowedHosts must be an array of strings")))
            .collect::<crate::Result<Vec<String>>>()?
    } else {
        return Err(invalid("allowedHosts must be an array of strings"));
    };
    Ok(UrlPolicy { allowed_hosts, allow_insecure_loopback: optional_bool(&options, "allowInsecureLoopback")? })
}

// ---------------------------------------------------------------------------------------------------------
// Writing JS values

/// Serialize through JSON: plain objects, `undefined` fields omitted.
fn to_plain<T: Serialize>(value: &T) -> JsResult<JsValue> {
    let json = serde_json::to_string(value).map_err(|_| to_js(&invalid("a result could not be serialized")))?;
    js_sys::JSON::parse(&json)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PublicJwkOut<'a> {
    #[serde(flatten)]
    jwk: &'a PublicJwk,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
    alg: &'static str,
    #[serde(rename = "use")]
    use_: &'static str,
}

fn public_jwk_out(key: &CoreKey) -> PublicJwkOut<'_> {
    PublicJwkOut { jwk: key.public_jwk(), kid: key.key_id(), alg: key.algorithm().as_str(), use_: "sig" }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyInfoOut<'a> {
    algorithm: &'static str,
    key_type: &'static str,
    bits: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_id: Option<&'a str>,
    thumbprint: String,
    public_jwk: PublicJwkOut<'a>,
}

fn key_info(key: &CoreKey) -> KeyInfoOut<'_> {
    KeyInfoOut {
        algorithm: key.algorithm().as_str(),
        key_type: key.key_type().as_str(),
        bits: key.bits(),
        key_id: key.key_id(),
        thumbprint: key.thumbprint(),
        public_jwk: public_jwk_out(key),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProblemOut {
    field: &'static str,
    code: &'static str,
    severity: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ValidationOut<'a> {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    org_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<KeyInfoOut<'a>>,
    problems: Vec<ProblemOut>,
}

// ---------------------------------------------------------------------------------------------------------
// Exports

/// Validate the Connect dialog's fields. Never throws for bad values: every problem is in `problems`.
#[wasm_bindgen(js_name = validateConfig, unchecked_return_type = "ValidationResult")]
pub fn validate_config(
    #[wasm_bindgen(unchecked_param_type = "ConfigInput")] input: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ValidateOptions")] options: JsValue,
) -> JsResult<JsValue> {
    let mut argument_problems = Vec::new();
    let input = options_object(&input, "input").unwrap_or_else(|_| Object::new().into());
    let mut field = |name: &str, which: Field| match optional_string(&input, name) {
        Ok(value) => value.unwrap_or_default(),
        Err(error) => {
            argument_problems.push(ProblemOut {
                field: which.as_str(),
                code: error.code().as_str(),
                severity: "error",
                message: error.message().to_owned(),
                fix: None,
            });
            String::new()
        }
    };
    let org_url = field("orgUrl", Field::OrgUrl);
    let client_id = field("clientId", Field::ClientId);
    let private_key = field("privateKey", Field::PrivateKey);
    let key_id = field("keyId", Field::KeyId);
    let policy = match url_policy(&options) {
        Ok(policy) => policy,
        Err(error) => return Err(to_js(&error)),
    };
    let report = config::validate(
        &ConfigInput { org_url: &org_url, client_id: &client_id, private_key: &private_key, key_id: Some(&key_id) },
        &policy,
    );
    let mut problems: Vec<ProblemOut> = report
        .problems
        .iter()
        .map(|p| ProblemOut {
            field: p.field.as_str(),
            code: p.code.as_str(),
            severity: p.severity.as_str(),
            message: p.message.clone(),
            fix: p.fix(),
        })
        .collect();
    // A wrong JS type replaces the "missing" problem the empty string produced for that field.
    problems.retain(|p| !argument_problems.iter().any(|a| a.field == p.field));
    problems.extend(argument_problems);
    let out = ValidationOut {
        ok: !problems.iter().any(|p| p.severity == "error"),
        org_url: report.org_url.as_ref().map(config::OrgUrl::as_str),
        token_url: report.org_url.as_ref().map(config::OrgUrl::token_url),
        key: report.key.as_ref().map(key_info),
        problems,
    };
    to_plain(&out)
}

/// A parsed private key. Private parameters stay in wasm memory and are zeroized by `free()`.
#[wasm_bindgen(js_name = SigningKey)]
pub struct JsSigningKey {
    inner: CoreKey,
}

#[wasm_bindgen(js_class = SigningKey)]
impl JsSigningKey {
    /// Parse a key in any accepted form (JWK, JWKS, PEM PKCS#8/PKCS#1/SEC1, base64 DER).
    pub fn parse(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] key_id: JsValue,
    ) -> JsResult<JsSigningKey> {
        let text = text.as_string().ok_or_else(|| to_js(&invalid("the key text must be a string")))?;
        let key_id = if key_id.is_undefined() || key_id.is_null() {
            None
        } else {
            Some(key_id.as_string().ok_or_else(|| to_js(&invalid("keyId must be a string")))?)
        };
        js(CoreKey::parse(&text, key_id.as_deref())).map(|inner| Self { inner })
    }

    /// The JWS algorithm.
    #[wasm_bindgen(getter, unchecked_return_type = "Algorithm")]
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().as_str().to_owned()
    }

    /// The Key ID (`kid`), when known.
    #[wasm_bindgen(getter, js_name = keyId)]
    pub fn key_id(&self) -> Option<String> {
        self.inner.key_id().map(str::to_owned)
    }

    /// `RSA` or `EC`.
    #[wasm_bindgen(getter, js_name = keyType, unchecked_return_type = "KeyType")]
    pub fn key_type(&self) -> String {
        self.inner.key_type().as_str().to_owned()
    }

    /// Key size in bits.
    #[wasm_bindgen(getter)]
    pub fn bits(&self) -> u32 {
        u32::try_from(self.inner.bits()).unwrap_or(u32::MAX)
    }

    /// The public JWK (with `kid`, `alg`, `use`), never private members.
    #[wasm_bindgen(js_name = publicJwk, unchecked_return_type = "PublicJwk")]
    pub fn public_jwk(&self) -> JsResult<JsValue> {
        to_plain(&public_jwk_out(&self.inner))
    }

    /// RFC 7638 SHA-256 thumbprint.
    pub fn thumbprint(&self) -> String {
        self.inner.thumbprint()
    }

    /// The raw JWS signature of `data` (PKCS#1 v1.5, or r‖s for ES256).
    pub fn sign(&self, #[wasm_bindgen(unchecked_param_type = "Uint8Array")] data: JsValue) -> JsResult<Uint8Array> {
        let data = bytes(&data, "data")?;
        js(self.inner.sign(&data)).map(|sig| Uint8Array::from(sig.as_slice()))
    }
}

fn bytes(value: &JsValue, name: &str) -> JsResult<Vec<u8>> {
    if !value.is_instance_of::<Uint8Array>() {
        return Err(to_js(&invalid(format!("{name} must be a Uint8Array"))));
    }
    Ok(Uint8Array::from(value.clone()).to_vec())
}

/// A signed RFC 7523 client assertion for Okta's token endpoint.
#[wasm_bindgen(js_name = createClientAssertion)]
pub fn create_client_assertion(
    key: &JsSigningKey,
    #[wasm_bindgen(unchecked_param_type = "ClientAssertionOptions")] options: JsValue,
) -> JsResult<String> {
    let result = (|| {
        let options = options_object(&options, "options")?;
        let client_id = required_string(&options, "clientId")?;
        let audience = required_string(&options, "audience")?;
        let now = optional_integer(&options, "now")?.unwrap_or_else(now_seconds);
        let lifetime_seconds = optional_integer(&options, "lifetimeSeconds")?;
        assertion::create(&key.inner, &AssertionOptions { client_id: &client_id, audience: &audience, now, lifetime_seconds })
    })();
    js(result)
}

/// An ephemeral P-256 DPoP key, generated inside wasm and never exported.
#[wasm_bindgen(js_name = DpopKey)]
pub struct JsDpopKey {
    inner: dpop::DpopKey,
}

#[wasm_bindgen(js_class = DpopKey)]
impl JsDpopKey {
    /// Generate a fresh key (needs `crypto.getRandomValues`; in Workers call it inside a request handler).
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsResult<JsDpopKey> {
        js(dpop::DpopKey::generate()).map(|inner| Self { inner })
    }

    /// A signed DPoP proof.
    #[wasm_bindgen(js_name = createProof)]
    pub fn create_proof(&self, #[wasm_bindgen(unchecked_param_type = "DpopProofOptions")] options: JsValue) -> JsResult<String> {
        let result = (|| {
            let options = options_object(&options, "options")?;
            let htm = required_string(&options, "htm")?;
            let htu = required_string(&options, "htu")?;
            let nonce = optional_string(&options, "nonce")?;
            let access_token = optional_string(&options, "accessToken")?;
            let now = optional_integer(&options, "now")?.unwrap_or_else(now_seconds);
            self.inner.create_proof(&ProofOptions {
                htm: &htm,
                htu: &htu,
                nonce: nonce.as_deref(),
                access_token: access_token.as_deref(),
                now,
            })
        })();
        js(result)
    }

    /// The RFC 7638 thumbprint (`jkt`).
    pub fn thumbprint(&self) -> String {
        self.inner.thumbprint()
    }

    /// The public JWK placed in proofs.
    #[wasm_bindgen(js_name = publicJwk, unchecked_return_type = "PublicJwk")]
    pub fn public_jwk(&self) -> JsResult<JsValue> {
        to_plain(self.inner.public_jwk())
    }
}
