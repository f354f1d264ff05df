//! The wasm boundary: maps JS values to the core's types and back. No decisions are made here.
//!
//! Every export checks its arguments' JS types itself and throws an `OktaConnectError` (an `Error` with
//! `code`, `message` and `fix`) for wrong ones, so no JS value can make the module trap.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use crate::assertion::{self, AssertionOptions};
use crate::config::{self, ConfigInput, UrlPolicy};
use crate::dpop::{self, ProofOptions};
use crate::error::{Error, ErrorCode, Field};
use crate::json;
use crate::key::{Algorithm, SigningKey as CoreKey};
use crate::protocol::{self, Failure, OperationSpec, Outcome, Response, Step, UserRef};
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
  | 'assertion_invalid' | 'dpop_invalid' | 'api_misuse'
  | 'network_error' | 'timeout' | 'aborted' | 'outcome_unknown' | 'okta_bad_response' | 'okta_org_not_found'
  | 'okta_client_secret_selected' | 'okta_unknown_client' | 'okta_wrong_key' | 'okta_wrong_kid' | 'okta_no_public_key'
  | 'okta_wrong_audience' | 'okta_clock_skew' | 'okta_assertion_replayed' | 'okta_not_service_app'
  | 'okta_scope_not_granted' | 'okta_dpop_rejected' | 'okta_dpop_nonce_loop' | 'okta_permission_denied'
  | 'okta_invalid_token' | 'okta_user_not_found' | 'okta_user_status' | 'okta_password_policy' | 'okta_validation'
  | 'okta_rate_limited' | 'okta_server_error' | 'okta_api_error';

/** What every okta-connect function throws. */
export interface OktaConnectError extends Error {
  name: 'OktaConnectError';
  code: ErrorCode;
  /** The setup step that fixes it, when the cause is in the Okta setup or the pasted values. */
  fix?: string;
  /** The configuration field concerned, when there is one. */
  field?: ConfigField;
  /** Whether the same operation may succeed if tried again later. */
  retryable: boolean;
  /** HTTP status of Okta's answer, when the error comes from one. */
  status?: number;
  /** Okta's errorCode (E0000001…) or OAuth error (invalid_client…). */
  errorCode?: string;
  /** Okta's errorSummary or error_description. */
  errorSummary?: string;
  /** Okta's errorCauses[].errorSummary (e.g. password policy violations). */
  errorCauses?: string[];
  /** Okta's errorId, for the System Log and support cases. */
  errorId?: string;
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

/** Options of `new Session`: the URL policy plus retry tuning. */
export interface SessionOptions extends ValidateOptions {
  /** Longest single wait for a rate limit to reset, in ms (default 60000). */
  maxRateLimitWaitMs?: number;
}

/** An Okta user (the fields the platform needs). */
export interface OktaUser {
  id: string;
  status: string;
  login: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  transitioningToStatus?: string;
  passwordChanged?: string;
  lastLogin?: string;
}

/** What an operation does. `user` is an Okta user id or a login. */
export type OperationSpec =
  | { type: 'token' }
  | { type: 'getUser'; user: string }
  | { type: 'setPassword'; user: string; password: string; revokeSessions?: boolean }
  | { type: 'resetPassword'; user: string; sendEmail: boolean; revokeSessions?: boolean }
  | { type: 'expirePassword'; user: string; tempPassword?: boolean; revokeSessions?: boolean }
  | { type: 'revokeSessions'; user: string }
  | { type: 'verify' };

export type CheckId = 'config' | 'reachable' | 'client_auth' | 'dpop' | 'scope' | 'role';
/** One Connect verification check. */
export interface Check {
  id: CheckId;
  status: 'running' | 'pass' | 'fail' | 'skip';
  detail: string;
  fix?: string;
  code?: ErrorCode;
}

export type Outcome =
  | { type: 'token' }
  | { type: 'user'; user: OktaUser }
  | { type: 'passwordSet'; user: OktaUser }
  | { type: 'resetPassword'; resetPasswordUrl?: string }
  | { type: 'expirePassword'; tempPassword?: string; user?: OktaUser }
  | { type: 'sessionsRevoked' }
  | { type: 'verified'; ok: boolean; checks: Check[] };

/** A request the host must perform exactly as given. */
export interface HttpRequestSpec {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers: [string, string][];
  body?: string;
}

/** One input to sign with the client key or the DPoP key. */
export interface SignInput {
  signer: 'client' | 'dpop';
  algorithm: Algorithm;
  input: string;
}

/** What the host does next. */
export type Step =
  | { type: 'sign'; inputs: SignInput[] }
  | { type: 'send'; request: HttpRequestSpec }
  | { type: 'needToken' }
  | { type: 'wait'; ms: number }
  | { type: 'progress'; check: Check }
  | { type: 'done'; outcome: Outcome };

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
    set(object, "retryable", &error.retryable().into());
    if let Some(okta) = error.okta() {
        set(object, "status", &okta.status.into());
        for (name, value) in [("errorCode", &okta.error_code), ("errorSummary", &okta.error_summary), ("errorId", &okta.error_id)] {
            if let Some(value) = value {
                set(object, name, &value.into());
            }
        }
        let causes: Array = okta.error_causes.iter().map(|c| JsValue::from_str(c)).collect();
        set(object, "errorCauses", &causes.into());
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

/// Run `f`, then overwrite the stack it used: for every export that handles a private key.
fn scrubbed<T>(f: impl FnOnce() -> T) -> T {
    let out = f();
    crate::scrub::wipe_stack();
    out
}

fn js<T>(result: crate::Result<T>) -> JsResult<T> {
    result.map_err(|e| to_js(&e))
}

// ---------------------------------------------------------------------------------------------------------
// Reading JS values: every access that could run hostile JS (getters, proxy traps, iterators) goes through an
// import marked `catch`, so a throwing value becomes `invalid_argument` instead of unwinding through wasm.

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array_checked(value: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ArrayBuffer, js_name = isView)]
    fn is_view(value: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Uint8Array, js_name = from)]
    fn copy_uint8_array(value: &JsValue) -> Result<Uint8Array, JsValue>;
}

/// Largest byte array accepted from JS (signing inputs are a few KiB).
const MAX_BYTES: u32 = 16 * 1024 * 1024;

fn is_array(value: &JsValue) -> crate::Result<bool> {
    is_array_checked(value).map_err(|_| invalid("a value could not be inspected (a revoked proxy?)"))
}

/// The elements of a JS array, read one by one through `Reflect` (getters may throw).
fn array_items(value: &JsValue, what: &str) -> crate::Result<Vec<JsValue>> {
    let length = get(value, "length")?.as_f64().filter(|n| n.is_finite() && *n >= 0.0 && *n <= 100_000.0);
    let length = length.ok_or_else(|| invalid(format!("{what} is too long or not an array")))? as u32;
    (0..length).map(|i| Reflect::get(value, &JsValue::from(i)).map_err(|_| invalid(format!("{what} could not be read")))).collect()
}

fn get(object: &JsValue, name: &str) -> crate::Result<JsValue> {
    Reflect::get(object, &JsValue::from_str(name)).map_err(|_| invalid(format!("{name} could not be read")))
}

/// An options object: `undefined`/`null` are an empty object; anything but a plain object is an error.
fn options_object(value: &JsValue, what: &str) -> crate::Result<JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Object::new().into());
    }
    if !value.is_object() || value.is_function() || is_array(value)? {
        return Err(invalid(format!("{what} must be an object")));
    }
    Ok(value.clone())
}

fn optional_string(object: &JsValue, name: &str) -> crate::Result<Option<String>> {
    string_value(&get(object, name)?, name)
}

/// A string, or `None` for `undefined` / `null`.
fn string_value(value: &JsValue, name: &str) -> crate::Result<Option<String>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value.as_string().map(Some).ok_or_else(|| invalid(format!("{name} must be a string")))
}

fn required_string(object: &JsValue, name: &str) -> crate::Result<String> {
    required_value(&get(object, name)?, name)
}

/// [`required_string`] of a value.
fn required_value(value: &JsValue, name: &str) -> crate::Result<String> {
    string_value(value, name)?.ok_or_else(|| invalid(format!("{name} is required")))
}

/// A non-negative integer no larger than JS's safe-integer limit.
fn optional_integer(object: &JsValue, name: &str) -> crate::Result<Option<u64>> {
    integer_value(&get(object, name)?, name)
}

/// [`optional_integer`] of a value.
fn integer_value(value: &JsValue, name: &str) -> crate::Result<Option<u64>> {
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
    } else if is_array(&hosts)? {
        array_items(&hosts, "allowedHosts")?
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

/// A plain JS object from JSON written by [`crate::json`] (absent members left out, never `undefined`).
fn to_plain(json: &str) -> JsResult<JsValue> {
    js_sys::JSON::parse(json)
}

fn public_jwk_out(key: &CoreKey) -> String {
    key.public_jwk()
        .write_members(json::Object::new())
        .opt_str("kid", key.key_id())
        .str("alg", key.algorithm().as_str())
        .str("use", "sig")
        .finish()
}

fn key_info(key: &CoreKey) -> String {
    json::Object::new()
        .str("algorithm", key.algorithm().as_str())
        .str("keyType", key.key_type().as_str())
        .num("bits", key.bits() as u64)
        .opt_str("keyId", key.key_id())
        .str("thumbprint", &key.thumbprint())
        .raw("publicJwk", &public_jwk_out(key))
        .finish()
}

struct ProblemOut {
    field: &'static str,
    code: &'static str,
    severity: &'static str,
    message: String,
    fix: Option<&'static str>,
}

impl ProblemOut {
    fn to_json(&self) -> String {
        json::Object::new()
            .str("field", self.field)
            .str("code", self.code)
            .str("severity", self.severity)
            .str("message", &self.message)
            .opt_str("fix", self.fix)
            .finish()
    }
}

fn sign_input_out(signer: &str, algorithm: Algorithm, input: &str) -> String {
    json::Object::new().str("signer", signer).str("algorithm", algorithm.as_str()).str("input", input).finish()
}

// ---------------------------------------------------------------------------------------------------------
// Exports

/// Validate the Connect dialog's fields. Never throws for bad values: every problem is in `problems`.
#[wasm_bindgen(js_name = validateConfig, unchecked_return_type = "ValidationResult")]
pub fn validate_config(
    #[wasm_bindgen(unchecked_param_type = "ConfigInput")] input: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ValidateOptions")] options: JsValue,
) -> JsResult<JsValue> {
    scrubbed(|| validate_config_inner(&input, &options).map(|(report, _key)| report))
}

/// `validateConfig`, handing over the parsed key too (`[report, key]`, the key `undefined` unless the whole
/// configuration is valid): `OktaClient.connect()` parses the key once instead of twice (an RSA key is a
/// millisecond of wasm, several before the engine has optimised the module). Not re-exported by the package.
#[wasm_bindgen(js_name = validateForConnect, unchecked_return_type = "[ValidationResult, SigningKey | undefined]")]
pub fn validate_for_connect(
    #[wasm_bindgen(unchecked_param_type = "ConfigInput")] input: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ValidateOptions")] options: JsValue,
) -> JsResult<Array> {
    let (report, key) = scrubbed(|| validate_config_inner(&input, &options))?;
    let key = match key {
        Some(inner) => JsValue::from(JsSigningKey { inner }),
        None => JsValue::UNDEFINED,
    };
    Ok(Array::of2(&report, &key))
}

/// The report as a JS object, and the parsed key when the whole configuration is valid.
fn validate_config_inner(input: &JsValue, options: &JsValue) -> JsResult<(JsValue, Option<CoreKey>)> {
    let mut argument_problems = Vec::new();
    let input = options_object(input, "input").unwrap_or_else(|_| Object::new().into());
    let mut field = |name: &str, which: Field| match optional_string(&input, name) {
        Ok(value) => Zeroizing::new(value.unwrap_or_default()),
        Err(error) => {
            argument_problems.push(ProblemOut {
                field: which.as_str(),
                code: error.code().as_str(),
                severity: "error",
                message: error.message().to_owned(),
                fix: None,
            });
            Zeroizing::new(String::new())
        }
    };
    let org_url = field("orgUrl", Field::OrgUrl);
    let client_id = field("clientId", Field::ClientId);
    let private_key = field("privateKey", Field::PrivateKey);
    let key_id = field("keyId", Field::KeyId);
    let policy = match url_policy(options) {
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
    let ok = !problems.iter().any(|p| p.severity == "error");
    let out = json::Object::new()
        .bool("ok", ok)
        .opt_str("orgUrl", report.org_url.as_ref().map(config::OrgUrl::as_str))
        .opt_str("tokenUrl", report.org_url.as_ref().map(config::OrgUrl::token_url).as_deref())
        .opt_raw("key", report.key.as_ref().map(key_info).as_deref())
        .raw("problems", &json::array(problems.iter().map(ProblemOut::to_json)))
        .finish();
    Ok((to_plain(&out)?, report.key.filter(|_| ok)))
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
        let text = Zeroizing::new(text.as_string().ok_or_else(|| to_js(&invalid("the key text must be a string")))?);
        let key_id = if key_id.is_undefined() || key_id.is_null() {
            None
        } else {
            Some(key_id.as_string().ok_or_else(|| to_js(&invalid("keyId must be a string")))?)
        };
        scrubbed(|| js(CoreKey::parse(&text, key_id.as_deref())).map(|inner| Self { inner }))
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
        scrubbed(|| js(self.inner.sign(&data)).map(|sig| Uint8Array::from(sig.as_slice())))
    }
}

/// Copy a byte array (`Uint8Array`) into wasm without `instanceof` (which runs proxy traps): a real typed
/// array view tagged `Uint8Array`, re-read through `Uint8Array.from`, so a look-alike, a detached buffer or a
/// lying `length` yields an error or the true bytes, never a bogus length.
fn bytes(value: &JsValue, name: &str) -> JsResult<Vec<u8>> {
    let must = || to_js(&invalid(format!("{name} must be a Uint8Array of at most 16 MiB")));
    let tag = || Reflect::get(value, &js_sys::Symbol::to_string_tag().into()).ok().and_then(|t| t.as_string());
    let byte_view = is_view(value).unwrap_or(false) && tag().as_deref() == Some("Uint8Array");
    if !byte_view {
        return Err(must());
    }
    let copy = copy_uint8_array(value).map_err(|_| must())?;
    if copy.length() > MAX_BYTES {
        return Err(must());
    }
    Ok(copy.to_vec())
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
        scrubbed(|| assertion::create(&key.inner, &AssertionOptions { client_id: &client_id, audience: &audience, now, lifetime_seconds }))
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
        scrubbed(|| js(dpop::DpopKey::generate()).map(|inner| Self { inner }))
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
            scrubbed(|| {
                self.inner.create_proof(&ProofOptions { htm: &htm, htu: &htu, nonce: nonce.as_deref(), access_token: access_token.as_deref(), now })
            })
        })();
        js(result)
    }

    /// The DPoP key shared by every client of this org, client ID and client key (derived with HKDF from the
    /// client key), for clients that share tokens through a cache.
    pub fn derive(
        key: &JsSigningKey,
        #[wasm_bindgen(unchecked_param_type = "string")] org_url: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] client_id: JsValue,
    ) -> JsResult<JsDpopKey> {
        let (Some(org_url), Some(client_id)) = (org_url.as_string(), client_id.as_string()) else {
            return Err(to_js(&invalid("orgUrl and clientId must be strings")));
        };
        scrubbed(|| js(dpop::DpopKey::derive(&key.inner, &org_url, &client_id)).map(|inner| Self { inner }))
    }

    /// The RFC 7638 thumbprint (`jkt`).
    pub fn thumbprint(&self) -> String {
        self.inner.thumbprint()
    }

    /// The raw ES256 signature (r‖s) of `data`.
    pub fn sign(&self, #[wasm_bindgen(unchecked_param_type = "Uint8Array")] data: JsValue) -> JsResult<Uint8Array> {
        let data = bytes(&data, "data")?;
        scrubbed(|| js(self.inner.sign(&data)).map(|sig| Uint8Array::from(sig.as_slice())))
    }

    /// The public JWK placed in proofs.
    #[wasm_bindgen(js_name = publicJwk, unchecked_return_type = "PublicJwk")]
    pub fn public_jwk(&self) -> JsResult<JsValue> {
        to_plain(&self.inner.public_jwk().to_json())
    }
}

// ---------------------------------------------------------------------------------------------------------
// The protocol: a session and its operations


/// An org connection's protocol state (token cache, DPoP nonces, clock offset). Holds no private key.
#[wasm_bindgen(js_name = Session)]
pub struct JsSession {
    inner: Rc<RefCell<protocol::Session>>,
}

fn public_ec_jwk(value: &JsValue) -> crate::Result<PublicJwk> {
    let value = options_object(value, "dpopJwk")?;
    let field = |name| required_string(&value, name);
    let (kty, crv, x, y) = (field("kty")?, field("crv")?, field("x")?, field("y")?);
    if (kty.as_str(), crv.as_str()) != ("EC", "P-256") {
        return Err(invalid("dpopJwk must be a public P-256 JWK {kty: 'EC', crv: 'P-256', x, y}"));
    }
    PublicJwk::p256(&x, &y).ok_or_else(|| invalid("dpopJwk's x and y are not a point on P-256"))
}

fn borrow(session: &Rc<RefCell<protocol::Session>>) -> JsResult<std::cell::RefMut<'_, protocol::Session>> {
    session.try_borrow_mut().map_err(|_| to_js(&Error::new(ErrorCode::ApiMisuse, "the session is busy")))
}

#[wasm_bindgen(js_class = Session)]
impl JsSession {
    /// A session for `orgUrl` (checked against the URL policy again) and `clientId`, signing with `key`'s
    /// algorithm and kid; `dpopJwk` is the public half of the DPoP key (WebCrypto's or a `DpopKey`'s).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string")] org_url: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] client_id: JsValue,
        key: &JsSigningKey,
        #[wasm_bindgen(unchecked_param_type = "PublicJwk")] dpop_jwk: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SessionOptions")] options: JsValue,
    ) -> JsResult<JsSession> {
        let result = (|| {
            let org_url = org_url.as_string().ok_or_else(|| invalid("orgUrl must be a string"))?;
            let client_id = client_id.as_string().ok_or_else(|| invalid("clientId must be a string"))?;
            let (org, client_id) = config::org_and_client(&org_url, &client_id, &url_policy(&options)?)?;
            let mut tuning = protocol::SessionOptions::default();
            if let Some(ms) = optional_integer(&options_object(&options, "options")?, "maxRateLimitWaitMs")? {
                tuning.max_rate_limit_wait_ms = ms;
            }
            Ok(protocol::Session::new(org, client_id, &key.inner, public_ec_jwk(&dpop_jwk)?, tuning))
        })();
        js(result).map(|session| Self { inner: Rc::new(RefCell::new(session)) })
    }

    /// The normalised org URL.
    #[wasm_bindgen(getter, js_name = orgUrl)]
    pub fn org_url(&self) -> JsResult<String> {
        Ok(borrow(&self.inner)?.org_url().as_str().to_owned())
    }

    /// The DPoP key's thumbprint (`jkt`).
    #[wasm_bindgen(getter, js_name = dpopThumbprint)]
    pub fn dpop_thumbprint(&self) -> JsResult<String> {
        Ok(borrow(&self.inner)?.dpop_thumbprint())
    }

    /// The cached access token while it is good for another minute.
    #[wasm_bindgen(js_name = accessToken)]
    pub fn access_token(&self, now_ms: f64) -> JsResult<Option<String>> {
        Ok(borrow(&self.inner)?.access_token(millis(now_ms)).map(str::to_owned))
    }

    /// The key under which sessions of the same org, client ID, client key and DPoP key share a token.
    #[wasm_bindgen(getter, js_name = tokenCacheKey)]
    pub fn token_cache_key(&self) -> JsResult<String> {
        Ok(borrow(&self.inner)?.token_cache_key())
    }

    /// The current token as a cache entry `{ key, value, expirationTtl }` (seconds), while worth sharing.
    #[wasm_bindgen(js_name = exportToken, unchecked_return_type = "{ key: string; value: string; expirationTtl: number } | undefined")]
    pub fn export_token(&self, now_ms: f64) -> JsResult<JsValue> {
        let session = borrow(&self.inner)?;
        match session.export_token(millis(now_ms)) {
            Some((value, ttl)) => {
                to_plain(&json::Object::new().str("key", &session.token_cache_key()).str("value", &value).num("expirationTtl", ttl).finish())
            }
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Adopt a token from a cache value (from `exportToken` of a session with the same cache key); returns
    /// whether it was usable (well-formed, good for another minute, not already rejected by Okta).
    #[wasm_bindgen(js_name = importToken)]
    pub fn import_token(&self, #[wasm_bindgen(unchecked_param_type = "string | null | undefined")] value: JsValue, now_ms: f64) -> JsResult<bool> {
        let Some(value) = value.as_string() else {
            return Ok(false);
        };
        Ok(borrow(&self.inner)?.import_token(&value, millis(now_ms)))
    }

    /// Whether the cached token is DPoP-bound.
    #[wasm_bindgen(js_name = tokenIsDpop)]
    pub fn token_is_dpop(&self) -> JsResult<Option<bool>> {
        Ok(borrow(&self.inner)?.token_is_dpop())
    }

    /// A client assertion's signing input (sign it with the client key, then `finishJws`).
    #[wasm_bindgen(js_name = draftClientAssertion, unchecked_return_type = "SignInput")]
    pub fn draft_client_assertion(&self, now_ms: f64) -> JsResult<JsValue> {
        let unsigned = js(borrow(&self.inner)?.unsigned_client_assertion(millis(now_ms)))?;
        to_plain(&sign_input_out("client", unsigned.algorithm(), unsigned.signing_input()))
    }

    /// A DPoP proof's signing input (sign it with the DPoP key, then `finishJws`).
    #[wasm_bindgen(js_name = draftDpopProof, unchecked_return_type = "SignInput")]
    pub fn draft_dpop_proof(&self, #[wasm_bindgen(unchecked_param_type = "DpopProofOptions")] options: JsValue, now_ms: f64) -> JsResult<JsValue> {
        let [htm, htu, nonce, access_token, now] = js((|| {
            let options = options_object(&options, "options")?;
            Ok([get(&options, "htm")?, get(&options, "htu")?, get(&options, "nonce")?, get(&options, "accessToken")?, get(&options, "now")?])
        })())?;
        let input = self.dpop_proof_input(htm, htu, nonce, access_token, now, now_ms)?;
        to_plain(&sign_input_out("dpop", Algorithm::Es256, &input))
    }

    /// `draftDpopProof`'s signing input alone, from the options' members passed one by one: `OktaClient`'s
    /// path for `createDpopProof()` (half the crossings of reading an options object member by member from
    /// wasm, and no result object). Not re-exported by the package.
    #[wasm_bindgen(js_name = dpopProofInput)]
    pub fn dpop_proof_input(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] htm: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] htu: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | undefined")] nonce: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | undefined")] access_token: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number | undefined")] now: JsValue,
        now_ms: f64,
    ) -> JsResult<String> {
        let unsigned = js((|| {
            let (htm, htu) = (required_value(&htm, "htm")?, required_value(&htu, "htu")?);
            let nonce = string_value(&nonce, "nonce")?;
            let access_token = string_value(&access_token, "accessToken")?;
            let now = integer_value(&now, "now")?.unwrap_or(millis(now_ms) / 1000);
            let options = ProofOptions { htm: &htm, htu: &htu, nonce: nonce.as_deref(), access_token: access_token.as_deref(), now };
            borrow(&self.inner).map_err(|_| Error::new(ErrorCode::ApiMisuse, "the session is busy"))?.unsigned_dpop_proof(&options)
        })())?;
        Ok(unsigned.signing_input().to_owned())
    }

    /// Start an operation.
    pub fn begin(&self, #[wasm_bindgen(unchecked_param_type = "OperationSpec")] spec: JsValue) -> JsResult<JsOperation> {
        let spec = js(operation_spec(&spec))?;
        let operation = js(protocol::Operation::new(spec, &mut *borrow(&self.inner)?))?;
        Ok(JsOperation { session: Rc::clone(&self.inner), inner: operation })
    }
}

fn millis(now_ms: f64) -> u64 {
    if now_ms.is_finite() && now_ms >= 0.0 { now_ms.min(crate::MAX_TIMESTAMP as f64) as u64 } else { 0 }
}

fn operation_spec(value: &JsValue) -> crate::Result<OperationSpec> {
    let spec = options_object(value, "spec")?;
    let kind = required_string(&spec, "type")?;
    let user = || UserRef::parse(&required_string(&spec, "user")?);
    let flag = |name| optional_bool(&spec, name);
    Ok(match kind.as_str() {
        "token" => OperationSpec::Token,
        "verify" => OperationSpec::Verify,
        "getUser" => OperationSpec::GetUser { user: user()? },
        "revokeSessions" => OperationSpec::RevokeSessions { user: user()? },
        "setPassword" => OperationSpec::SetPassword {
            user: user()?,
            password: Zeroizing::new(required_string(&spec, "password")?),
            revoke_sessions: flag("revokeSessions")?,
        },
        "resetPassword" => {
            let send_email = get(&spec, "sendEmail")?.as_bool().ok_or_else(|| invalid("sendEmail must be true or false"))?;
            OperationSpec::ResetPassword { user: user()?, send_email, revoke_sessions: flag("revokeSessions")? }
        }
        "expirePassword" => OperationSpec::ExpirePassword {
            user: user()?,
            temp_password: flag("tempPassword")?,
            revoke_sessions: flag("revokeSessions")?,
        },
        other => return Err(invalid(format!("unknown operation type \"{other}\""))),
    })
}

/// One operation, driven by the host: `next()`, then sign / send / wait as the step says.
#[wasm_bindgen(js_name = Operation)]
pub struct JsOperation {
    session: Rc<RefCell<protocol::Session>>,
    inner: protocol::Operation,
}

fn outcome_out(outcome: &Outcome) -> String {
    let typed = |kind: &str| json::Object::new().str("type", kind);
    match outcome {
        Outcome::Token => typed("token"),
        Outcome::User(user) => typed("user").raw("user", &user.to_json()),
        Outcome::PasswordSet(user) => typed("passwordSet").raw("user", &user.to_json()),
        Outcome::ResetPassword { reset_password_url } => {
            typed("resetPassword").opt_str("resetPasswordUrl", reset_password_url.as_ref().map(protocol::Secret::expose))
        }
        Outcome::ExpirePassword { temp_password, user } => typed("expirePassword")
            .opt_str("tempPassword", temp_password.as_ref().map(protocol::Secret::expose))
            .opt_raw("user", user.as_ref().map(protocol::User::to_json).as_deref()),
        Outcome::SessionsRevoked => typed("sessionsRevoked"),
        Outcome::Verified { ok, checks } => typed("verified").bool("ok", *ok).raw("checks", &json::array(checks.iter().map(protocol::Check::to_json))),
    }
    .finish()
}

fn step_out(step: &Step) -> String {
    let typed = |kind: &str| json::Object::new().str("type", kind);
    match step {
        Step::Sign(inputs) => {
            typed("sign").raw("inputs", &json::array(inputs.iter().map(|i| sign_input_out(i.signer.as_str(), i.algorithm, &i.input))))
        }
        Step::Send(request) => {
            let headers = json::array(request.headers.iter().map(|(name, value)| {
                let mut pair = String::from("[");
                json::write_str(&mut pair, name);
                pair.push(',');
                json::write_str(&mut pair, value);
                pair.push(']');
                pair
            }));
            let body = request.body.as_deref().map(String::as_str);
            let out = json::Object::new().str("method", request.method.as_str()).str("url", &request.url).raw("headers", &headers).opt_str("body", body);
            typed("send").raw("request", &out.finish())
        }
        Step::NeedToken => typed("needToken"),
        Step::Wait(ms) => typed("wait").num("ms", *ms),
        Step::Progress(check) => typed("progress").raw("check", &check.to_json()),
        Step::Done(outcome) => typed("done").raw("outcome", &outcome_out(outcome)),
    }
    .finish()
}

#[wasm_bindgen(js_class = Operation)]
impl JsOperation {
    /// The next step (`nowMs` is `Date.now()`). Throws the operation's error when it fails.
    #[wasm_bindgen(unchecked_return_type = "Step")]
    pub fn next(&mut self, now_ms: f64) -> JsResult<JsValue> {
        let step = js(self.inner.next(&mut *borrow(&self.session)?, millis(now_ms)))?;
        to_plain(&step_out(&step))
    }

    /// The raw signatures for the last `sign` step, in order.
    #[wasm_bindgen(js_name = provideSignatures)]
    pub fn provide_signatures(&mut self, #[wasm_bindgen(unchecked_param_type = "Uint8Array[]")] signatures: JsValue) -> JsResult<()> {
        if !js(is_array(&signatures))? {
            return Err(to_js(&invalid("signatures must be an array of Uint8Array")));
        }
        let signatures = js(array_items(&signatures, "signatures"))?.iter().map(|s| bytes(s, "signature")).collect::<JsResult<Vec<Vec<u8>>>>()?;
        js(self.inner.provide_signatures(&signatures))
    }

    /// The response to the last `send` step.
    #[wasm_bindgen(js_name = handleResponse)]
    pub fn handle_response(
        &mut self,
        status: u16,
        #[wasm_bindgen(unchecked_param_type = "[string, string][]")] headers: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] body: JsValue,
        now_ms: f64,
    ) -> JsResult<()> {
        let response = js((|| {
            if !is_array(&headers)? {
                return Err(invalid("headers must be an array of [name, value] pairs"));
            }
            let headers = array_items(&headers, "headers")?
                .iter()
                .map(|pair| {
                    let items = if is_array(pair)? { array_items(pair, "a header")? } else { Vec::new() };
                    match (items.first().and_then(JsValue::as_string), items.get(1).and_then(JsValue::as_string)) {
                        (Some(name), Some(value)) if items.len() == 2 => Ok((name, value)),
                        _ => Err(invalid("headers must be an array of [name, value] string pairs")),
                    }
                })
                .collect::<crate::Result<Vec<(String, String)>>>()?;
            let body = body.as_string().ok_or_else(|| invalid("body must be a string"))?;
            Ok(Response { status, headers, body })
        })())?;
        js(self.inner.handle_response(&mut *borrow(&self.session)?, &response, millis(now_ms)))
    }

    /// The last `send` step got no response: `timeout`, `network` or `aborted`.
    #[wasm_bindgen(js_name = handleFailure)]
    pub fn handle_failure(&mut self, #[wasm_bindgen(unchecked_param_type = "'timeout' | 'network' | 'aborted'")] kind: JsValue) -> JsResult<()> {
        let failure = match kind.as_string().as_deref() {
            Some("timeout") => Failure::Timeout,
            Some("network") => Failure::Network,
            Some("aborted") => Failure::Aborted,
            _ => return Err(to_js(&invalid("the failure must be 'timeout', 'network' or 'aborted'"))),
        };
        js(self.inner.handle_failure(&*borrow(&self.session)?, failure))
    }
}

/// Import the client key into WebCrypto as a non-extractable signing key. The PKCS#8 bytes exist in JS memory
/// only for the duration of the `importKey` call and are overwritten with zeros right after it.
#[wasm_bindgen(js_name = importClientKey, unchecked_return_type = "Promise<CryptoKey>")]
pub fn import_client_key(key: &JsSigningKey, #[wasm_bindgen(unchecked_param_type = "SubtleCrypto")] subtle: JsValue) -> JsResult<js_sys::Promise> {
    scrubbed(|| import_pkcs8(&js(key.inner.to_pkcs8_der())?, key.inner.algorithm(), &subtle))
}

/// Import a DPoP key into WebCrypto as a non-extractable signing key (bytes wiped as for `importClientKey`).
#[wasm_bindgen(js_name = importDpopKey, unchecked_return_type = "Promise<CryptoKey>")]
pub fn import_dpop_key(key: &JsDpopKey, #[wasm_bindgen(unchecked_param_type = "SubtleCrypto")] subtle: JsValue) -> JsResult<js_sys::Promise> {
    scrubbed(|| import_pkcs8(&js(key.inner.to_pkcs8_der())?, Algorithm::Es256, &subtle))
}

fn import_pkcs8(der: &[u8], algorithm: Algorithm, subtle: &JsValue) -> JsResult<js_sys::Promise> {
    let buffer = Uint8Array::from(der);
    let params = to_plain(&crate::WebCryptoParams::json(algorithm.web_crypto().key))?;
    let import = Reflect::get(subtle, &"importKey".into()).ok().filter(JsValue::is_function);
    let Some(import) = import.map(JsCast::unchecked_into::<js_sys::Function>) else {
        return Err(to_js(&invalid("subtle must be a SubtleCrypto")));
    };
    let usages: Array = [JsValue::from_str("sign")].into_iter().collect();
    let args: Array = [JsValue::from_str("pkcs8"), buffer.clone().into(), params, JsValue::FALSE, usages.into()].into_iter().collect();
    // WebCrypto copies the key data synchronously, before `importKey` returns its promise.
    let result = import.apply(subtle, &args);
    buffer.fill(0, 0, buffer.length());
    let promise = result?;
    if !promise.is_object() {
        return Err(to_js(&invalid("importKey did not return a promise")));
    }
    Ok(promise.unchecked_into())
}

/// An algorithm's WebCrypto parameters, `{ key, sign }` (to import or generate a key, to sign), so that the
/// host names no algorithm itself. Not re-exported by the package.
#[wasm_bindgen(js_name = webCryptoParams, unchecked_return_type = "{ key: Record<string, string>, sign: Record<string, string> }")]
pub fn web_crypto_params(#[wasm_bindgen(unchecked_param_type = "Algorithm")] algorithm: JsValue) -> JsResult<JsValue> {
    let algorithm = algorithm.as_string().as_deref().and_then(Algorithm::from_name).ok_or_else(|| to_js(&invalid("unknown algorithm")))?;
    let params = algorithm.web_crypto();
    let (key, sign) = (crate::WebCryptoParams::json(params.key), crate::WebCryptoParams::json(params.sign));
    to_plain(&json::Object::new().raw("key", &key).raw("sign", &sign).finish())
}

/// `finishJws` for a DPoP proof's signing input from `dpopProofInput` and its raw ES256 signature: `OktaClient`'s
/// path (both values come from its own code, so no options object to read). Not re-exported by the package.
#[wasm_bindgen(js_name = finishDpopProof)]
pub fn finish_dpop_proof(#[wasm_bindgen(unchecked_param_type = "string")] input: JsValue, signature: &Uint8Array) -> JsResult<String> {
    let input = input.as_string().ok_or_else(|| to_js(&invalid("input must be a string")))?;
    js(crate::jws::Unsigned::from_parts(Algorithm::Es256, &input).and_then(|unsigned| unsigned.finish(&signature.to_vec())))
}

/// Join a signing input from `draftClientAssertion` / `draftDpopProof` and its raw signature into a compact JWS.
#[wasm_bindgen(js_name = finishJws)]
pub fn finish_jws(
    #[wasm_bindgen(unchecked_param_type = "SignInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] signature: JsValue,
) -> JsResult<String> {
    let signature = bytes(&signature, "signature")?;
    js((|| {
        let input = options_object(&input, "input")?;
        let algorithm = Algorithm::from_name(&required_string(&input, "algorithm")?).ok_or_else(|| invalid("unknown algorithm"))?;
        crate::jws::Unsigned::from_parts(algorithm, &required_string(&input, "input")?)?.finish(&signature)
    })())
}
