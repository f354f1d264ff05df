//! What outlives one operation: the access token, the DPoP nonces, and the clock offset to Okta.

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::call::Draft;
use super::http::{Method, Response};
use super::time::parse_http_date;
use crate::assertion::{self, AssertionOptions};
use crate::config::OrgUrl;
use crate::dpop::{self, ProofOptions};
use crate::error::Result;
use crate::json::{Object, Value};
use crate::jwk::PublicJwk;
use crate::key::{Algorithm, SigningKey};

/// The scope requested: everything password management needs, nothing more.
pub const SCOPE: &str = "okta.users.manage";
/// No token lives longer than this, whoever says otherwise (Okta's are one hour; the token response is clamped
/// to a day, and so are cache entries).
const MAX_TOKEN_LIFETIME_MS: u64 = 86_400_000;
/// A cached token is replaced this long before it expires.
const TOKEN_MARGIN_MS: u64 = 60_000;
/// Clock corrections from Okta's `Date` header are ignored beyond this (a wrong `Date` must not break us).
const MAX_CLOCK_CORRECTION_S: i64 = 3600;
/// Offsets within this are noise from the `Date` header's one-second resolution.
const CLOCK_NOISE_S: i64 = 2;

/// A token as shared through a cache by every client of the same org, client ID, client key and DPoP key
/// (the value stored under [`Session::token_cache_key`]).
struct CachedToken {
    v: u8,
    access_token: String,
    token_type: String,
    scope: String,
    /// Epoch milliseconds.
    expires_at: u64,
    token_nonce: Option<String>,
    api_nonce: Option<String>,
}

impl CachedToken {
    /// The cache value: `{"v":1,"accessToken",…}`, camelCase, absent nonces left out.
    fn to_json(&self) -> String {
        Object::with_capacity(self.access_token.len() + 256)
            .num("v", u64::from(self.v))
            .str("accessToken", &self.access_token)
            .str("tokenType", &self.token_type)
            .str("scope", &self.scope)
            .num("expiresAt", self.expires_at)
            .opt_str("tokenNonce", self.token_nonce.as_deref())
            .opt_str("apiNonce", self.api_nonce.as_deref())
            .finish()
    }

    /// Read a cache value: every member but the nonces required and of its type (a nonce may be absent or
    /// `null`); other members ignored.
    fn read(text: &str) -> Option<Self> {
        let value = Value::parse(text).ok()?;
        let string = |name| value.get(name).and_then(Value::as_str).map(str::to_owned);
        let optional = |name| match value.get(name) {
            None | Some(Value::Null) => Some(None),
            Some(Value::String(text)) => Some(Some(text.clone())),
            Some(_) => None,
        };
        Some(Self {
            v: u8::try_from(value.get("v")?.as_u64()?).ok()?,
            access_token: string("accessToken")?,
            token_type: string("tokenType")?,
            scope: string("scope")?,
            expires_at: value.get("expiresAt")?.as_u64()?,
            token_nonce: optional("tokenNonce")?,
            api_nonce: optional("apiNonce")?,
        })
    }
}

/// Tunables; the defaults suit production.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionOptions {
    /// Longest single wait for a rate limit to reset, in ms.
    pub max_rate_limit_wait_ms: u64,
    /// How many times one request is retried after 429.
    pub max_rate_limit_retries: u8,
    /// How many times a request without side effects is retried after a 5xx or a network failure.
    pub max_server_retries: u8,
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self { max_rate_limit_wait_ms: 60_000, max_rate_limit_retries: 3, max_server_retries: 2 }
    }
}

struct AccessToken {
    /// Increases with every stored token, so a late 401 for an older token cannot discard a newer one.
    generation: u64,
    value: Zeroizing<String>,
    dpop: bool,
    expires_at_ms: u64,
    scope: String,
}

/// One org connection's protocol state.
pub struct Session {
    org: OrgUrl,
    client_id: String,
    client_algorithm: Algorithm,
    client_key_id: Option<String>,
    client_thumbprint: String,
    dpop_jwk: PublicJwk,
    options: SessionOptions,
    token_nonce: Option<String>,
    api_nonce: Option<String>,
    token: Option<AccessToken>,
    token_generation: u64,
    /// SHA-256 of the last token Okta rejected, so a cache cannot hand it back.
    rejected_token: Option<[u8; 32]>,
    clock_offset_s: i64,
}

impl core::fmt::Debug for Session {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Session")
            .field("org", &self.org)
            .field("client_id", &self.client_id)
            .field("has_token", &self.token.is_some())
            .field("clock_offset_s", &self.clock_offset_s)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A session for this org and client. Only the key's public facts are kept: signing is the host's job.
    #[must_use]
    pub fn new(org: OrgUrl, client_id: String, key: &SigningKey, dpop_jwk: PublicJwk, options: SessionOptions) -> Self {
        Self {
            org,
            client_id,
            client_algorithm: key.algorithm(),
            client_key_id: key.key_id().map(str::to_owned),
            client_thumbprint: key.thumbprint(),
            dpop_jwk,
            options,
            token_nonce: None,
            api_nonce: None,
            token: None,
            token_generation: 0,
            rejected_token: None,
            clock_offset_s: 0,
        }
    }

    /// The org.
    #[must_use]
    pub fn org_url(&self) -> &OrgUrl {
        &self.org
    }

    /// The DPoP key's thumbprint (`jkt`).
    #[must_use]
    pub fn dpop_thumbprint(&self) -> String {
        self.dpop_jwk.thumbprint()
    }

    /// The cached access token, while it is good for at least another minute.
    #[must_use]
    pub fn access_token(&self, now_ms: u64) -> Option<&str> {
        self.token.as_ref().filter(|t| t.expires_at_ms > now_ms.saturating_add(TOKEN_MARGIN_MS)).map(|t| t.value.as_str())
    }

    /// Whether the cached token is DPoP-bound (`None` without a token).
    #[must_use]
    pub fn token_is_dpop(&self) -> Option<bool> {
        self.token.as_ref().map(|t| t.dpop)
    }

    /// The scopes Okta granted with the cached token.
    #[must_use]
    pub fn token_scope(&self) -> Option<&str> {
        self.token.as_ref().map(|t| t.scope.as_str())
    }

    /// Seconds by which Okta's clock is ahead of ours (as measured from `Date`).
    #[must_use]
    pub fn clock_offset_seconds(&self) -> i64 {
        self.clock_offset_s
    }

    /// A client assertion for this session's token endpoint, to be signed by the host (debugging, custom flows).
    ///
    /// # Errors
    /// As [`assertion::unsigned`].
    pub fn unsigned_client_assertion(&self, now_ms: u64) -> Result<crate::jws::Unsigned> {
        let url = self.org.token_url();
        let options = AssertionOptions { client_id: &self.client_id, audience: &url, now: self.server_now_s(now_ms), lifetime_seconds: None };
        assertion::unsigned(self.client_algorithm, self.client_key_id.as_deref(), &options)
    }

    /// A DPoP proof with this session's DPoP key, to be signed by the host (debugging, custom flows).
    ///
    /// # Errors
    /// As [`dpop::unsigned`].
    pub fn unsigned_dpop_proof(&self, options: &ProofOptions<'_>) -> Result<crate::jws::Unsigned> {
        dpop::unsigned(&self.dpop_jwk, options)
    }

    pub(crate) fn options(&self) -> &SessionOptions {
        &self.options
    }

    /// Our best estimate of Okta's clock, in seconds.
    pub(crate) fn server_now_s(&self, now_ms: u64) -> u64 {
        let local = i64::try_from(now_ms / 1000).unwrap_or(i64::MAX);
        u64::try_from(local.saturating_add(self.clock_offset_s)).unwrap_or(0)
    }

    /// Learn from any response: a new DPoP nonce, and Okta's clock.
    pub(crate) fn observe(&mut self, response: &Response, token_endpoint: bool, now_ms: u64) {
        if let Some(nonce) = response.header("dpop-nonce").filter(|n| !n.is_empty() && n.len() <= 1024 && n.chars().all(|c| c.is_ascii_graphic())) {
            let slot = if token_endpoint { &mut self.token_nonce } else { &mut self.api_nonce };
            *slot = Some(nonce.to_owned());
        }
        if let Some(server) = response.header("date").and_then(parse_http_date) {
            let local = i64::try_from(now_ms / 1000).unwrap_or(i64::MAX);
            let offset = i64::try_from(server).unwrap_or(i64::MAX).saturating_sub(local);
            self.clock_offset_s = if offset.abs() <= CLOCK_NOISE_S || offset.abs() > MAX_CLOCK_CORRECTION_S { 0 } else { offset };
        }
    }

    pub(crate) fn store_token(&mut self, value: String, dpop: bool, expires_in_s: u64, scope: String, now_ms: u64) {
        let expires_at_ms = now_ms.saturating_add(expires_in_s.saturating_mul(1000));
        self.token_generation += 1;
        let generation = self.token_generation;
        self.token = Some(AccessToken { generation, value: Zeroizing::new(value), dpop, expires_at_ms, scope });
    }

    pub(crate) fn clear_token(&mut self) {
        self.token = None;
    }

    /// Forget the token Okta rejected, unless a newer one has replaced it meanwhile.
    pub(crate) fn discard_token(&mut self, generation: u64) {
        if let Some(token) = self.token.take_if(|t| t.generation == generation) {
            self.rejected_token = Some(Sha256::digest(token.value.as_bytes()).into());
            self.api_nonce = None;
        }
    }

    /// The cache key under which clients sharing this org, client ID, client key and DPoP key share a token.
    #[must_use]
    pub fn token_cache_key(&self) -> String {
        let identity = format!("{}\n{}\n{}\n{}", self.org.as_str(), self.client_id, self.client_thumbprint, self.dpop_thumbprint());
        format!("okta-connect:token:v1:{}", crate::base64url::encode(&Sha256::digest(identity.as_bytes())))
    }

    /// The cached token as a cache value (JSON) and how long a cache should keep it (seconds: until a minute
    /// before it expires), while that is at least a minute (Workers KV's shortest TTL).
    #[must_use]
    pub fn export_token(&self, now_ms: u64) -> Option<(String, u64)> {
        let token = self.token.as_ref().filter(|_| self.access_token(now_ms).is_some())?;
        let ttl_s = token.expires_at_ms.saturating_sub(now_ms).saturating_sub(TOKEN_MARGIN_MS) / 1000;
        if ttl_s < 60 {
            return None;
        }
        let cached = CachedToken {
            v: 1,
            access_token: token.value.to_string(),
            token_type: if token.dpop { "DPoP" } else { "Bearer" }.to_owned(),
            scope: token.scope.clone(),
            expires_at: token.expires_at_ms,
            token_nonce: self.token_nonce.clone(),
            api_nonce: self.api_nonce.clone(),
        };
        Some((cached.to_json(), ttl_s))
    }

    /// Adopt a token from a cache value written by [`Session::export_token`] (of a session with the same cache
    /// key): only a well-formed entry, good for another minute, and not a token Okta already rejected here.
    /// Returns whether it was adopted.
    pub fn import_token(&mut self, value: &str, now_ms: u64) -> bool {
        let Some(cached) = CachedToken::read(value) else {
            return false;
        };
        let value_ok = !cached.access_token.is_empty() && cached.access_token.chars().all(|c| c.is_ascii_graphic());
        let dpop = match cached.token_type.as_str() {
            "DPoP" => true,
            "Bearer" => false,
            _ => return false,
        };
        let rejected = self.rejected_token == Some(Sha256::digest(cached.access_token.as_bytes()).into());
        let expiry_ok = cached.expires_at > now_ms.saturating_add(TOKEN_MARGIN_MS) && cached.expires_at <= now_ms.saturating_add(MAX_TOKEN_LIFETIME_MS);
        if cached.v != 1 || !value_ok || rejected || !expiry_ok {
            return false;
        }
        let nonce_ok = |n: &Option<String>| n.as_ref().is_none_or(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_graphic()));
        if !nonce_ok(&cached.token_nonce) || !nonce_ok(&cached.api_nonce) {
            return false;
        }
        self.token_nonce = cached.token_nonce.or(self.token_nonce.take());
        self.api_nonce = cached.api_nonce.or(self.api_nonce.take());
        let expires_in_ms = cached.expires_at.saturating_sub(now_ms);
        self.token_generation += 1;
        self.token = Some(AccessToken {
            generation: self.token_generation,
            value: Zeroizing::new(cached.access_token),
            dpop,
            expires_at_ms: now_ms.saturating_add(expires_in_ms),
            scope: cached.scope,
        });
        true
    }

    /// The token request: a fresh client assertion and a fresh DPoP proof, every time.
    pub(crate) fn token_draft(&self, now_ms: u64) -> Result<Draft> {
        let url = self.org.token_url();
        let now = self.server_now_s(now_ms);
        let assertion = assertion::unsigned(
            self.client_algorithm,
            self.client_key_id.as_deref(),
            &AssertionOptions { client_id: &self.client_id, audience: &url, now, lifetime_seconds: None },
        )?;
        let proof = dpop::unsigned(
            &self.dpop_jwk,
            &ProofOptions { htm: "POST", htu: &url, nonce: self.token_nonce.as_deref(), access_token: None, now },
        )?;
        let body = format!(
            "grant_type=client_credentials&scope={SCOPE}&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion="
        );
        Ok(Draft {
            method: Method::Post,
            url,
            headers: vec![
                ("Accept".into(), "application/json".into()),
                ("Content-Type".into(), "application/x-www-form-urlencoded".into()),
            ],
            body: Some(Zeroizing::new(body)),
            assertion: Some(assertion),
            proof: Some(proof),
            token_generation: 0,
        })
    }

    /// An `/api/v1` request with the cached token (`None` when there is no usable token).
    pub(crate) fn api_draft(&self, method: Method, path: &str, query: &str, body: Option<&str>, now_ms: u64) -> Result<Option<Draft>> {
        let Some(token) = self.token.as_ref().filter(|_| self.access_token(now_ms).is_some()) else {
            return Ok(None);
        };
        let htu = format!("{}{path}", self.org.as_str());
        let url = if query.is_empty() { htu.clone() } else { format!("{htu}?{query}") };
        let mut headers = vec![("Accept".to_owned(), "application/json".to_owned())];
        if body.is_some() {
            headers.push(("Content-Type".into(), "application/json".into()));
        }
        let scheme = if token.dpop { "DPoP" } else { "Bearer" };
        headers.push(("Authorization".into(), format!("{scheme} {}", token.value.as_str())));
        let proof = if token.dpop {
            let options = ProofOptions {
                htm: method.as_str(),
                htu: &htu,
                nonce: self.api_nonce.as_deref(),
                access_token: Some(&token.value),
                now: self.server_now_s(now_ms),
            };
            Some(dpop::unsigned(&self.dpop_jwk, &options)?)
        } else {
            None
        };
        let body = body.map(|b| Zeroizing::new(b.to_owned()));
        Ok(Some(Draft { method, url, headers, body, assertion: None, proof, token_generation: token.generation }))
    }
}
