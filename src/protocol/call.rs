//! One logical HTTP exchange with Okta, with every retry it may need: the DPoP nonce dance, a token refresh
//! after 401, rate-limit waits, and server errors. Each attempt is built anew (fresh assertion and proof).
//! A request that changes a password is never retried after an ambiguous failure.

use crate::json::Value;
use zeroize::Zeroizing;

use super::http::{Failure, HttpRequest, Method, Response, SignRequest, Signer};
use super::okta_error::{self, www_authenticate_param};
use super::operation::Step;
use super::session::Session;
use super::time::parse_http_date;
use crate::error::{Error, ErrorCode, Result};
use crate::jws::Unsigned;

/// A request whose JWTs still need signatures.
pub(crate) struct Draft {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// For the token request, the form body up to `client_assertion=`.
    pub body: Option<Zeroizing<String>>,
    pub assertion: Option<Unsigned>,
    pub proof: Option<Unsigned>,
    /// The session token this request presents (0 for the token request).
    pub token_generation: u64,
}

impl Draft {
    fn sign_requests(&self) -> Vec<SignRequest> {
        let request = |signer, unsigned: &Unsigned| SignRequest {
            signer,
            algorithm: unsigned.algorithm(),
            input: unsigned.signing_input().to_owned(),
        };
        let assertion = self.assertion.iter().map(|a| request(Signer::Client, a));
        assertion.chain(self.proof.iter().map(|p| request(Signer::Dpop, p))).collect()
    }

    fn finish(self, signatures: &[Vec<u8>]) -> Result<HttpRequest> {
        let expected = usize::from(self.assertion.is_some()) + usize::from(self.proof.is_some());
        if signatures.len() != expected {
            return Err(Error::new(ErrorCode::ApiMisuse, format!("{expected} signatures were requested, {} given", signatures.len())));
        }
        let mut signatures = signatures.iter();
        let mut body = self.body;
        let mut headers = self.headers;
        if let Some(assertion) = self.assertion {
            let signature = signatures.next().map(Vec::as_slice).unwrap_or_default();
            body.get_or_insert_with(Default::default).push_str(&assertion.finish(signature)?);
        }
        if let Some(proof) = self.proof {
            let signature = signatures.next().map(Vec::as_slice).unwrap_or_default();
            headers.push(("DPoP".to_owned(), proof.finish(signature)?));
        }
        Ok(HttpRequest { method: self.method, url: self.url, headers, body })
    }
}

/// An `/api/v1` request.
pub(crate) struct ApiCall {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub body: Option<Zeroizing<String>>,
    /// True when the request changes a password (never retried after an ambiguous failure).
    pub changes: bool,
}

enum Target {
    Token,
    Api(ApiCall),
}

enum Stage {
    Start,
    Signing(Draft),
    Signed(HttpRequest, u64),
    InFlight(u64),
    Retry(u64),
    Succeeded(Value),
    Failed(Error),
    Finished,
}

#[derive(Default)]
struct Tries {
    nonce: u8,
    auth: u8,
    rate: u8,
    server: u8,
    skew: u8,
    token_waits: u8,
}

/// What a call step produced (short-lived: returned and matched at once, so its size does not matter).
#[allow(clippy::large_enum_variant)]
pub(crate) enum CallStep {
    /// Pass this step to the host.
    Host(Step),
    /// Finished: the response body (`Null` for an empty body or the token call).
    Done(Value),
}

pub(crate) struct Call {
    target: Target,
    stage: Stage,
    tries: Tries,
    /// True once any HTTP response came back (the org is reachable).
    pub responded: bool,
}

fn misuse(message: &str) -> Error {
    Error::new(ErrorCode::ApiMisuse, message)
}

impl Call {
    pub fn token() -> Self {
        Self { target: Target::Token, stage: Stage::Start, tries: Tries::default(), responded: false }
    }

    pub fn api(call: ApiCall) -> Self {
        Self { target: Target::Api(call), stage: Stage::Start, tries: Tries::default(), responded: false }
    }

    /// Whether the DPoP nonce dance happened during this call.
    pub fn used_nonce_retry(&self) -> bool {
        self.tries.nonce > 0
    }

    pub fn next(&mut self, session: &mut Session, now_ms: u64) -> Result<CallStep> {
        loop {
            match core::mem::replace(&mut self.stage, Stage::Finished) {
                Stage::Start | Stage::Retry(0) => {
                    let Some(draft) = self.draft(session, now_ms)? else {
                        if self.tries.token_waits >= 2 {
                            return Err(Error::new(ErrorCode::OktaInvalidToken, "no access token could be obtained"));
                        }
                        self.tries.token_waits += 1;
                        self.stage = Stage::Start;
                        return Ok(CallStep::Host(Step::NeedToken));
                    };
                    let requests = draft.sign_requests();
                    if requests.is_empty() {
                        let generation = draft.token_generation;
                        self.stage = Stage::Signed(draft.finish(&[])?, generation);
                        continue;
                    }
                    self.stage = Stage::Signing(draft);
                    return Ok(CallStep::Host(Step::Sign(requests)));
                }
                Stage::Signing(draft) => {
                    self.stage = Stage::Signing(draft);
                    return Err(misuse("provide the requested signatures before asking for the next step"));
                }
                Stage::Signed(request, generation) => {
                    self.stage = Stage::InFlight(generation);
                    return Ok(CallStep::Host(Step::Send(request)));
                }
                Stage::InFlight(generation) => {
                    self.stage = Stage::InFlight(generation);
                    return Err(misuse("report the response (or the failure) of the request in flight first"));
                }
                Stage::Retry(wait_ms) => {
                    self.stage = Stage::Start;
                    return Ok(CallStep::Host(Step::Wait(wait_ms)));
                }
                Stage::Succeeded(value) => return Ok(CallStep::Done(value)),
                Stage::Failed(error) => return Err(error),
                Stage::Finished => return Err(misuse("this call has already finished")),
            }
        }
    }

    fn draft(&self, session: &Session, now_ms: u64) -> Result<Option<Draft>> {
        match &self.target {
            Target::Token => session.token_draft(now_ms).map(Some),
            Target::Api(call) => session.api_draft(call.method, &call.path, &call.query, call.body.as_deref().map(String::as_str), now_ms),
        }
    }

    pub fn provide_signatures(&mut self, signatures: &[Vec<u8>]) -> Result<()> {
        match core::mem::replace(&mut self.stage, Stage::Finished) {
            Stage::Signing(draft) => {
                let generation = draft.token_generation;
                self.stage = Stage::Signed(draft.finish(signatures)?, generation);
                Ok(())
            }
            other => {
                self.stage = other;
                Err(misuse("no signatures were requested"))
            }
        }
    }

    pub fn handle_response(&mut self, session: &mut Session, response: &Response, now_ms: u64) -> Result<()> {
        let Stage::InFlight(generation) = self.stage else {
            return Err(misuse("no request is in flight"));
        };
        self.responded = true;
        let offset_before = session.clock_offset_seconds();
        let token_endpoint = matches!(self.target, Target::Token);
        session.observe(response, token_endpoint, now_ms);
        let clock_moved = session.clock_offset_seconds() != offset_before;
        self.stage = if token_endpoint {
            self.decide_token(session, response, clock_moved, now_ms)
        } else {
            self.decide_api(session, response, clock_moved, generation, now_ms)
        };
        Ok(())
    }

    pub fn handle_failure(&mut self, session: &Session, failure: Failure) -> Result<()> {
        if !matches!(self.stage, Stage::InFlight(_)) {
            return Err(misuse("no request is in flight"));
        }
        let changes = matches!(&self.target, Target::Api(call) if call.changes);
        let (code, what) = match failure {
            Failure::Timeout => (ErrorCode::Timeout, "Okta did not answer in time"),
            Failure::Network => (ErrorCode::NetworkError, "Okta could not be reached"),
            Failure::Aborted => (ErrorCode::Aborted, "the request was aborted"),
        };
        self.stage = if changes {
            Stage::Failed(Error::new(ErrorCode::OutcomeUnknown, format!("{what}; the password change may or may not have been applied")))
        } else if failure != Failure::Aborted && self.tries.server < session.options().max_server_retries {
            self.tries.server += 1;
            Stage::Retry(backoff_ms(self.tries.server))
        } else {
            Stage::Failed(Error::new(code, what).with_retryable(failure != Failure::Aborted))
        };
        Ok(())
    }

    fn decide_token(&mut self, session: &mut Session, response: &Response, clock_moved: bool, now_ms: u64) -> Stage {
        if (200..300).contains(&response.status) {
            return match parse_token(response) {
                Ok((token, dpop, expires_in, scope)) => {
                    session.store_token(token, dpop, expires_in, scope, now_ms);
                    Stage::Succeeded(Value::Null)
                }
                Err(error) => Stage::Failed(error),
            };
        }
        let error = okta_error::token_error(response);
        let nonce_challenge = error.okta().and_then(|o| o.error_code.as_deref()) == Some("use_dpop_nonce") && response.header("dpop-nonce").is_some();
        match error.code() {
            _ if nonce_challenge && self.tries.nonce == 0 => {
                self.tries.nonce += 1;
                Stage::Retry(0)
            }
            ErrorCode::OktaClockSkew if clock_moved && self.tries.skew == 0 => {
                self.tries.skew += 1;
                Stage::Retry(0)
            }
            ErrorCode::OktaRateLimited => self.rate_limited(session, response, error, now_ms),
            ErrorCode::OktaServerError | ErrorCode::OktaAssertionReplayed if self.tries.server < session.options().max_server_retries => {
                self.tries.server += 1;
                Stage::Retry(backoff_ms(self.tries.server))
            }
            _ => Stage::Failed(error),
        }
    }

    fn decide_api(&mut self, session: &mut Session, response: &Response, clock_moved: bool, token_generation: u64, now_ms: u64) -> Stage {
        let changes = matches!(&self.target, Target::Api(call) if call.changes);
        if (200..300).contains(&response.status) {
            if response.body.trim().is_empty() {
                return Stage::Succeeded(Value::Null);
            }
            return match Value::parse(&response.body) {
                Ok(value) => Stage::Succeeded(value),
                Err(_) if changes => Stage::Failed(Error::new(ErrorCode::OutcomeUnknown, "Okta's answer could not be read; the change was probably applied")),
                Err(_) => Stage::Failed(Error::new(ErrorCode::OktaBadResponse, "Okta's answer is not JSON")),
            };
        }
        let error = okta_error::api_error(response);
        let challenge = www_authenticate_param(response, "error");
        match (response.status, challenge.as_deref(), error.code()) {
            (401, Some("use_dpop_nonce"), _) if self.tries.nonce == 0 && response.header("dpop-nonce").is_some() => {
                self.tries.nonce += 1;
                Stage::Retry(0)
            }
            (401, _, ErrorCode::OktaInvalidToken) if self.tries.auth == 0 => {
                self.tries.auth += 1;
                session.discard_token(token_generation);
                Stage::Retry(0)
            }
            (_, _, ErrorCode::OktaDpopRejected) if clock_moved && self.tries.skew == 0 => {
                self.tries.skew += 1;
                Stage::Retry(0)
            }
            (_, _, ErrorCode::OktaRateLimited) => self.rate_limited(session, response, error, now_ms),
            (500..=599, _, _) if changes => Stage::Failed(
                Error::new(ErrorCode::OutcomeUnknown, format!("Okta answered HTTP {} to a password change; it may or may not have been applied", response.status))
                    .with_okta(okta_error::details(response)),
            ),
            (500..=599, _, _) if self.tries.server < session.options().max_server_retries => {
                self.tries.server += 1;
                Stage::Retry(backoff_ms(self.tries.server))
            }
            _ => Stage::Failed(error),
        }
    }

    /// Wait until `X-Rate-Limit-Reset` (by Okta's clock), bounded, then retry with a fresh proof.
    fn rate_limited(&mut self, session: &Session, response: &Response, error: Error, now_ms: u64) -> Stage {
        let options = session.options();
        if self.tries.rate >= options.max_rate_limit_retries {
            return Stage::Failed(error);
        }
        self.tries.rate += 1;
        let server_now = response.header("date").and_then(parse_http_date).unwrap_or_else(|| session.server_now_s(now_ms));
        let wait_ms = match response.header("x-rate-limit-reset").and_then(|r| r.parse::<u64>().ok()) {
            Some(reset) => reset.saturating_sub(server_now).saturating_add(1).saturating_mul(1000),
            None => backoff_ms(self.tries.rate).saturating_mul(4),
        };
        if wait_ms > options.max_rate_limit_wait_ms {
            let message = format!("{} (it resets in {} s, longer than the {} s this client waits)", error.message(), wait_ms / 1000, options.max_rate_limit_wait_ms / 1000);
            let details = error.okta().cloned().unwrap_or_default();
            return Stage::Failed(Error::new(ErrorCode::OktaRateLimited, message).with_okta(details).with_retryable(true));
        }
        Stage::Retry(wait_ms.max(250))
    }
}

fn backoff_ms(attempt: u8) -> u64 {
    250u64 << attempt.min(6)
}

/// `(access_token, is_dpop, expires_in, scope)` from a token response.
fn parse_token(response: &Response) -> Result<(String, bool, u64, String)> {
    let bad = |what: &str| Error::new(ErrorCode::OktaBadResponse, format!("the token response {what}"));
    let body = Value::parse(&response.body).map_err(|_| bad("is not JSON"))?;
    let token = body.get("access_token").and_then(Value::as_str).filter(|t| !t.is_empty() && t.len() <= 16 * 1024 && t.chars().all(|c| c.is_ascii_graphic()));
    let token = token.ok_or_else(|| bad("has no usable access_token"))?;
    let dpop = match body.get("token_type").and_then(Value::as_str) {
        Some(t) if t.eq_ignore_ascii_case("DPoP") => true,
        Some(t) if t.eq_ignore_ascii_case("Bearer") => false,
        _ => return Err(bad("has an unknown token_type")),
    };
    let expires_in = body.get("expires_in").and_then(Value::as_u64).unwrap_or(3600).clamp(1, 86_400);
    let scope = body.get("scope").and_then(Value::as_str).unwrap_or_default().to_owned();
    Ok((token.to_owned(), dpop, expires_in, scope))
}
