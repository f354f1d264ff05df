//! The sans-IO protocol driven by a scripted Okta: every request the core decides on, and what it makes of
//! each answer. Signing uses the Rust signers; the JWTs are decoded to check their claims.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use okta_connect::config::{OrgUrl, UrlPolicy};
use okta_connect::dpop::DpopKey;
use okta_connect::protocol::{CheckId, CheckStatus, Failure, HttpRequest, Operation, OperationSpec, Outcome, Response, Session, SessionOptions, Signer, Step, UserRef};
use okta_connect::{ErrorCode, SigningKey, base64url};
use serde_json::{Value, json};
use zeroize::Zeroizing;

const ORG: &str = "https://acme.okta.com";
const T0: u64 = 1_800_000_000_000;
const USER_ID: &str = "00u1abcdefghijklmnop";

fn org() -> OrgUrl {
    okta_connect::config::org_url::parse(ORG, &UrlPolicy::default()).0.unwrap()
}

struct Harness {
    session: Session,
    key: SigningKey,
    dpop: DpopKey,
    now_ms: u64,
    sent: Vec<HttpRequest>,
    waits: Vec<u64>,
    progress: Vec<(CheckId, CheckStatus)>,
}

/// What the scripted Okta does with one request.
enum Answer {
    Respond(Response),
    Fail(Failure),
}

fn respond(status: u16, headers: &[(&str, &str)], body: Value) -> Answer {
    let body = if body.is_null() { String::new() } else { body.to_string() };
    Answer::Respond(Response { status, headers: headers.iter().map(|(n, v)| ((*n).into(), (*v).into())).collect(), body })
}

fn token_ok() -> Answer {
    respond(200, &[], json!({"token_type": "DPoP", "expires_in": 3600, "access_token": "at-1", "scope": "okta.users.manage"}))
}

fn nonce_challenge(nonce: &str) -> Answer {
    respond(400, &[("DPoP-Nonce", nonce)], json!({"error": "use_dpop_nonce", "error_description": "Authorization server requires nonce in DPoP proof."}))
}

fn user_json(status: &str) -> Value {
    json!({"id": USER_ID, "status": status, "profile": {"login": "a+b@example.com", "email": "a+b@example.com"}, "credentials": {"password": {}}})
}

impl Harness {
    fn new() -> Self {
        let key = SigningKey::parse(include_str!("fixtures/keys/rsa2048.okta.jwk.json"), None).unwrap();
        let dpop = DpopKey::generate().unwrap();
        let session = Session::new(org(), "0oa1bcdefghijklmnop2".into(), &key, dpop.public_jwk().clone(), SessionOptions::default());
        Self { session, key, dpop, now_ms: T0, sent: Vec::new(), waits: Vec::new(), progress: Vec::new() }
    }

    /// Drive one operation to its end; `okta` answers each request; a `NeedToken` runs a nested token operation.
    fn run(&mut self, spec: OperationSpec, okta: &mut dyn FnMut(&HttpRequest) -> Answer) -> okta_connect::Result<Outcome> {
        let mut op = Operation::new(spec, &mut self.session)?;
        loop {
            match op.next(&mut self.session, self.now_ms)? {
                Step::Sign(inputs) => {
                    let signatures: Vec<Vec<u8>> = inputs
                        .iter()
                        .map(|i| match i.signer {
                            Signer::Client => self.key.sign(i.input.as_bytes()).unwrap(),
                            Signer::Dpop => self.dpop.sign(i.input.as_bytes()).unwrap(),
                        })
                        .collect();
                    op.provide_signatures(&signatures)?;
                }
                Step::Send(request) => {
                    let answer = okta(&request);
                    self.sent.push(request);
                    match answer {
                        Answer::Respond(response) => op.handle_response(&mut self.session, &response, self.now_ms)?,
                        Answer::Fail(failure) => op.handle_failure(&self.session, failure)?,
                    }
                }
                Step::NeedToken => {
                    self.run(OperationSpec::Token, okta)?;
                }
                Step::Wait(ms) => {
                    self.waits.push(ms);
                    self.now_ms += ms;
                }
                Step::Progress(check) => self.progress.push((check.id, check.status)),
                Step::Done(outcome) => return Ok(outcome),
            }
        }
    }

    fn token_posts(&self) -> Vec<&HttpRequest> {
        self.sent.iter().filter(|r| r.url.ends_with("/oauth2/v1/token")).collect()
    }
}

fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
    request.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

fn claims(jwt: &str) -> Value {
    serde_json::from_slice(&base64url::decode(jwt.split('.').nth(1).unwrap()).unwrap()).unwrap()
}

fn assertion_of(request: &HttpRequest) -> Value {
    let body = request.body.as_ref().unwrap();
    claims(body.split("client_assertion=").nth(1).unwrap())
}

fn proof_of(request: &HttpRequest) -> Value {
    claims(header(request, "DPoP").unwrap())
}

fn get_user() -> OperationSpec {
    OperationSpec::GetUser { user: UserRef::parse(USER_ID).unwrap() }
}

fn set_password(user: &str) -> OperationSpec {
    OperationSpec::SetPassword { user: UserRef::parse(user).unwrap(), password: Zeroizing::new("N3w-Passw0rd!".into()), revoke_sessions: false }
}

#[test]
fn cold_client_does_the_nonce_dance_with_fresh_jwts_then_reuses_the_token() {
    let mut h = Harness::new();
    let mut token_calls = 0;
    let mut okta = |r: &HttpRequest| {
        if r.url.ends_with("/oauth2/v1/token") {
            token_calls += 1;
            return if token_calls == 1 { nonce_challenge("n-1") } else { token_ok() };
        }
        respond(200, &[], user_json("ACTIVE"))
    };
    let outcome = h.run(get_user(), &mut okta).unwrap();
    assert!(matches!(outcome, Outcome::User(ref u) if u.id == USER_ID && u.login == "a+b@example.com"));
    let posts = h.token_posts();
    assert_eq!(posts.len(), 2);
    let (first, second) = (assertion_of(posts[0]), assertion_of(posts[1]));
    assert_ne!(first["jti"], second["jti"], "a fresh assertion on the nonce retry");
    assert_ne!(proof_of(posts[0])["jti"], proof_of(posts[1])["jti"]);
    assert!(proof_of(posts[0]).get("nonce").is_none());
    assert_eq!(proof_of(posts[1])["nonce"], "n-1");
    assert_eq!(first["aud"], "https://acme.okta.com/oauth2/v1/token");
    assert!(posts[1].body.as_ref().unwrap().starts_with("grant_type=client_credentials&scope=okta.users.manage&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=ey"));

    let api = h.sent.last().unwrap();
    assert_eq!(api.url, format!("{ORG}/api/v1/users/{USER_ID}"));
    assert_eq!(header(api, "Authorization"), Some("DPoP at-1"));
    let proof = proof_of(api);
    assert_eq!((proof["htm"].as_str(), proof["htu"].as_str()), (Some("GET"), Some(&*format!("{ORG}/api/v1/users/{USER_ID}"))));
    assert_eq!(proof["ath"], okta_connect::dpop::access_token_hash("at-1"));

    // The token is reused until 60 s before it expires, then renewed (nonce already known: one POST).
    h.run(get_user(), &mut okta).unwrap();
    assert_eq!(h.token_posts().len(), 2);
    h.now_ms += 3_540_001;
    h.run(get_user(), &mut okta).unwrap();
    assert_eq!(h.token_posts().len(), 3);
    assert_eq!(proof_of(h.token_posts()[2])["nonce"], "n-1");
}

#[test]
fn a_second_nonce_challenge_is_an_error_not_a_loop() {
    let mut h = Harness::new();
    let error = h.run(OperationSpec::Token, &mut |_| nonce_challenge("again")).unwrap_err();
    assert_eq!(error.code(), ErrorCode::OktaDpopNonceLoop);
    assert_eq!(h.sent.len(), 2);
}

#[test]
fn rate_limits_wait_until_reset_by_oktas_clock_and_retry_with_a_fresh_proof() {
    let mut h = Harness::new();
    let mut calls = 0;
    let date = "Fri, 15 Jan 2027 08:00:00 GMT"; // 1_800_000_000 s = T0
    let result = h.run(get_user(), &mut |r| {
        if r.url.ends_with("/token") {
            return token_ok();
        }
        calls += 1;
        if calls == 1 {
            respond(429, &[("Date", date), ("X-Rate-Limit-Reset", "1800000007"), ("X-Rate-Limit-Remaining", "0")], json!({"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit due to too many requests."}))
        } else {
            respond(200, &[], user_json("ACTIVE"))
        }
    });
    assert!(result.is_ok());
    assert_eq!(h.waits, vec![8000]);
    let api: Vec<&HttpRequest> = h.sent.iter().filter(|r| r.url.contains("/api/v1")).collect();
    assert_ne!(proof_of(api[0])["jti"], proof_of(api[1])["jti"]);

    let mut h = Harness::new();
    let error = h.run(get_user(), &mut |r| if r.url.ends_with("/token") { token_ok() } else { respond(429, &[("X-Rate-Limit-Reset", "1800009999")], json!({"errorCode": "E0000047"})) }).unwrap_err();
    assert_eq!(error.code(), ErrorCode::OktaRateLimited);
    assert!(error.retryable() && h.waits.is_empty(), "a reset beyond the bound fails at once");
}

#[test]
fn server_errors_retry_reads_but_never_password_changes() {
    let mut h = Harness::new();
    let mut calls = 0;
    h.run(get_user(), &mut |r| {
        if r.url.ends_with("/token") {
            return token_ok();
        }
        calls += 1;
        if calls < 3 { respond(503, &[], Value::Null) } else { respond(200, &[], user_json("ACTIVE")) }
    })
    .unwrap();
    assert_eq!(h.waits, vec![500, 1000]);

    for answer in [|| respond(500, &[], json!({"errorCode": "E0000009"})), || Answer::Fail(Failure::Timeout), || Answer::Fail(Failure::Network)] {
        let mut h = Harness::new();
        let error = h.run(set_password(USER_ID), &mut |r| if r.url.ends_with("/token") { token_ok() } else { answer() }).unwrap_err();
        assert_eq!(error.code(), ErrorCode::OutcomeUnknown);
        assert!(!error.retryable());
        assert_eq!(h.sent.iter().filter(|r| r.url.contains("/api/v1")).count(), 1, "never retried");
    }
}

#[test]
fn an_expired_token_is_renewed_once() {
    let mut h = Harness::new();
    let mut api_calls = 0;
    h.run(get_user(), &mut |r| {
        if r.url.ends_with("/token") {
            return token_ok();
        }
        api_calls += 1;
        if api_calls == 1 { respond(401, &[], json!({"errorCode": "E0000011", "errorSummary": "Invalid token provided"})) } else { respond(200, &[], user_json("ACTIVE")) }
    })
    .unwrap();
    assert_eq!(h.token_posts().len(), 2);
    let mut h = Harness::new();
    let error = h.run(get_user(), &mut |r| if r.url.ends_with("/token") { token_ok() } else { respond(401, &[], json!({"errorCode": "E0000011"})) }).unwrap_err();
    assert_eq!(error.code(), ErrorCode::OktaInvalidToken);
}

#[test]
fn logins_are_resolved_to_ids_before_any_change() {
    let mut h = Harness::new();
    let outcome = h
        .run(set_password("a+b/é\"x@example.com"), &mut |r| {
            if r.url.ends_with("/token") {
                return token_ok();
            }
            if r.url.contains("search=") {
                let mut user = user_json("ACTIVE");
                user["profile"]["login"] = json!("A+B/é\"x@example.com");
                return respond(200, &[], json!([user]));
            }
            respond(200, &[], user_json("ACTIVE"))
        })
        .unwrap();
    assert!(matches!(outcome, Outcome::PasswordSet(_)));
    let api: Vec<&HttpRequest> = h.sent.iter().filter(|r| r.url.contains("/api/v1")).collect();
    assert_eq!(api[0].url, format!("{ORG}/api/v1/users?search=profile.login%20eq%20%22a%2Bb%2F%C3%A9%5C%22x%40example.com%22&limit=2"));
    assert_eq!(proof_of(api[0])["htu"], format!("{ORG}/api/v1/users"));
    assert_eq!(api[1].url, format!("{ORG}/api/v1/users/{USER_ID}?strict=true"));
    assert_eq!(api[1].body.as_deref().map(String::as_str), Some(r#"{"credentials":{"password":{"value":"N3w-Passw0rd!"}}}"#));
    assert!(!format!("{:?}", api[1]).contains("N3w-Passw0rd!"), "Debug never prints the body");

    let mut h = Harness::new();
    let error = h.run(OperationSpec::GetUser { user: UserRef::parse("nobody@example.com").unwrap() }, &mut |r| if r.url.ends_with("/token") { token_ok() } else { respond(200, &[], json!([])) }).unwrap_err();
    assert_eq!(error.code(), ErrorCode::OktaUserNotFound);
}

#[test]
fn password_operations_map_to_the_users_api() {
    let cases: Vec<(OperationSpec, &str, Value)> = vec![
        (OperationSpec::ResetPassword { user: UserRef::parse(USER_ID).unwrap(), send_email: false, revoke_sessions: true }, "/lifecycle/reset_password?sendEmail=false&revokeSessions=true", json!({"resetPasswordUrl": "https://acme.okta.com/reset_password/XE6w"})),
        (OperationSpec::ExpirePassword { user: UserRef::parse(USER_ID).unwrap(), temp_password: true, revoke_sessions: false }, "/lifecycle/expire_password_with_temp_password?revokeSessions=false", json!({"tempPassword": "F46gy7X4"})),
        (OperationSpec::ExpirePassword { user: UserRef::parse(USER_ID).unwrap(), temp_password: false, revoke_sessions: false }, "/lifecycle/expire_password", user_json("PASSWORD_EXPIRED")),
        (OperationSpec::RevokeSessions { user: UserRef::parse(USER_ID).unwrap() }, "/sessions", Value::Null),
    ];
    for (spec, suffix, body) in cases {
        let mut h = Harness::new();
        let status = if body.is_null() { 204 } else { 200 };
        let outcome = h.run(spec, &mut |r| if r.url.ends_with("/token") { token_ok() } else { respond(status, &[], body.clone()) }).unwrap();
        assert_eq!(h.sent.last().unwrap().url, format!("{ORG}/api/v1/users/{USER_ID}{suffix}"));
        let debug = format!("{outcome:?}");
        assert!(!debug.contains("XE6w") && !debug.contains("F46gy7X4"), "{debug}");
        match outcome {
            Outcome::ResetPassword { reset_password_url } => assert_eq!(reset_password_url.unwrap().expose(), "https://acme.okta.com/reset_password/XE6w"),
            Outcome::ExpirePassword { temp_password: Some(p), .. } => assert_eq!(p.expose(), "F46gy7X4"),
            Outcome::ExpirePassword { user: Some(u), .. } => assert_eq!(u.status, "PASSWORD_EXPIRED"),
            Outcome::SessionsRevoked => assert_eq!(h.sent.last().unwrap().method.as_str(), "DELETE"),
            other => panic!("{other:?}"),
        }
    }
    // Set password and revoke: the revoke failing says the password part happened.
    let mut h = Harness::new();
    let spec = OperationSpec::SetPassword { user: UserRef::parse(USER_ID).unwrap(), password: Zeroizing::new("N3w-Passw0rd!".into()), revoke_sessions: true };
    let error = h.run(spec, &mut |r| match (r.url.ends_with("/token"), r.method.as_str()) {
        (true, _) => token_ok(),
        (_, "DELETE") => respond(403, &[], json!({"errorCode": "E0000006", "errorSummary": "You do not have permission to perform the requested action"})),
        _ => respond(200, &[], user_json("ACTIVE")),
    }).unwrap_err();
    assert_eq!(error.code(), ErrorCode::OktaPermissionDenied);
    assert!(error.message().starts_with("the password change was applied"));
}

#[test]
fn okta_clock_ahead_is_corrected_from_the_date_header() {
    let mut h = Harness::new();
    let ahead = "Fri, 15 Jan 2027 08:10:00 GMT"; // T0 + 600 s
    let mut calls = 0;
    h.run(OperationSpec::Token, &mut |_| {
        calls += 1;
        if calls == 1 {
            respond(401, &[("Date", ahead)], json!({"error": "invalid_client", "error_description": "The client_assertion token is expired."}))
        } else {
            token_ok()
        }
    })
    .unwrap();
    let posts = h.token_posts();
    assert_eq!(assertion_of(posts[0])["iat"], 1_800_000_000u64);
    assert_eq!(assertion_of(posts[1])["iat"], 1_800_000_600u64);
    assert_eq!(h.session.clock_offset_seconds(), 600);
}

#[test]
fn verify_reports_each_check_and_never_changes_a_user() {
    let probe = |r: &HttpRequest| r.url.contains(okta_connect::protocol::PROBE_USER_ID);
    let not_found = || respond(404, &[], json!({"errorCode": "E0000007", "errorSummary": "Not found: Resource not found: x (User)"}));
    let forbidden = || respond(403, &[], json!({"errorCode": "E0000006", "errorSummary": "You do not have permission to perform the requested action"}));

    let mut h = Harness::new();
    let outcome = h.run(OperationSpec::Verify, &mut |r| {
        if r.url.ends_with("/token") { token_ok() } else if probe(r) { not_found() } else { respond(200, &[], json!([user_json("ACTIVE")])) }
    }).unwrap();
    let Outcome::Verified { ok, checks } = outcome else { panic!() };
    assert!(ok);
    let ids: Vec<CheckId> = checks.iter().map(|c| c.id).collect();
    assert_eq!(ids, [CheckId::Config, CheckId::Reachable, CheckId::ClientAuth, CheckId::Dpop, CheckId::Scope, CheckId::Role]);
    assert!(h.progress.contains(&(CheckId::Role, CheckStatus::Running)));
    let changes: Vec<&HttpRequest> = h.sent.iter().filter(|r| r.url.contains("/api/v1") && r.method.as_str() != "GET").collect();
    assert_eq!(changes.len(), 2);
    assert!(changes.iter().all(|r| probe(r)), "only the impossible probe id is ever targeted");

    // Role lacks the set-password permission (Help Desk): the second probe is refused.
    let mut h = Harness::new();
    let outcome = h.run(OperationSpec::Verify, &mut |r| {
        if r.url.ends_with("/token") { token_ok() } else if probe(r) && !r.url.contains("reset_password") { forbidden() } else if probe(r) { not_found() } else { respond(200, &[], json!([])) }
    }).unwrap();
    let Outcome::Verified { ok: false, checks } = outcome else { panic!() };
    let role = checks.last().unwrap();
    assert_eq!((role.id, role.status), (CheckId::Role, CheckStatus::Fail));
    assert!(role.detail.contains("Help Desk") && role.fix.is_some_and(|f| f.contains("Organization Administrator")));

    // A wrong key fails client_auth; everything after it is skipped.
    let mut h = Harness::new();
    let outcome = h.run(OperationSpec::Verify, &mut |_| respond(401, &[], json!({"error": "invalid_client", "error_description": "The client_assertion signature is invalid."}))).unwrap();
    let Outcome::Verified { ok: false, checks } = outcome else { panic!() };
    let statuses: Vec<CheckStatus> = checks.iter().map(|c| c.status).collect();
    use CheckStatus::{Fail, Pass, Skip};
    assert_eq!(statuses, [Pass, Pass, Fail, Skip, Skip, Skip]);
    assert_eq!(checks[2].code, Some("okta_wrong_key"));

    // Scope not granted.
    let mut h = Harness::new();
    let outcome = h.run(OperationSpec::Verify, &mut |_| respond(400, &[], json!({"error": "invalid_scope", "error_description": "The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner."}))).unwrap();
    let Outcome::Verified { checks, .. } = outcome else { panic!() };
    assert_eq!(checks.iter().map(|c| c.status).collect::<Vec<_>>(), [Pass, Pass, Pass, Pass, Fail, Skip]);

    // Unreachable.
    let mut h = Harness::new();
    let outcome = h.run(OperationSpec::Verify, &mut |_| Answer::Fail(Failure::Network)).unwrap();
    let Outcome::Verified { checks, .. } = outcome else { panic!() };
    assert_eq!(checks[1].status, Fail);
    assert_eq!(checks[1].code, Some("network_error"));
}

#[test]
fn out_of_order_calls_are_api_misuse_not_panics() {
    let mut h = Harness::new();
    let mut op = Operation::new(OperationSpec::Token, &mut h.session).unwrap();
    assert!(matches!(op.next(&mut h.session, T0), Ok(Step::Sign(_))));
    assert_eq!(op.next(&mut h.session, T0).unwrap_err().code(), ErrorCode::ApiMisuse);
    assert_eq!(op.provide_signatures(&[vec![0; 256]]).unwrap_err().code(), ErrorCode::ApiMisuse, "two signatures were asked for");
    assert_eq!(op.handle_response(&mut h.session, &Response::default(), T0).unwrap_err().code(), ErrorCode::ApiMisuse);
    assert_eq!(op.handle_failure(&h.session, Failure::Network).unwrap_err().code(), ErrorCode::ApiMisuse);
    let empty = OperationSpec::SetPassword { user: UserRef::parse(USER_ID).unwrap(), password: Zeroizing::new(String::new()), revoke_sessions: false };
    assert_eq!(Operation::new(empty, &mut h.session).err().map(|e| e.code()), Some(ErrorCode::InvalidArgument));
}

#[test]
fn tokens_are_shared_through_a_cache_only_between_identical_sessions() {
    let key = SigningKey::parse(include_str!("fixtures/keys/rsa2048.okta.jwk.json"), None).unwrap();
    let derived = || DpopKey::derive(&key, ORG, "0oa1bcdefghijklmnop2").unwrap();
    let session = |dpop: &DpopKey| Session::new(org(), "0oa1bcdefghijklmnop2".into(), &key, dpop.public_jwk().clone(), SessionOptions::default());

    let mut first = Harness::new();
    first.session = session(&derived());
    first.dpop = derived();
    let mut calls = 0;
    first.run(get_user(), &mut |r| {
        if r.url.ends_with("/token") {
            calls += 1;
            return if calls == 1 { nonce_challenge("n-9") } else { token_ok() };
        }
        respond(200, &[], user_json("ACTIVE"))
    }).unwrap();
    let (value, ttl) = first.session.export_token(T0).unwrap();
    assert_eq!(ttl, 3540);
    assert!(value.contains("\"tokenNonce\":\"n-9\""));

    // A second isolate with the same derived DPoP key adopts it: no token request at all.
    let mut second = Harness::new();
    second.session = session(&derived());
    second.dpop = derived();
    assert_eq!(second.session.token_cache_key(), first.session.token_cache_key());
    assert!(second.session.import_token(&value, T0));
    second.run(get_user(), &mut |r| if r.url.ends_with("/token") { panic!("no token request") } else { respond(200, &[], user_json("ACTIVE")) }).unwrap();

    // A random DPoP key means another cache key; stale, malformed or rejected entries are refused.
    assert_ne!(Harness::new().session.token_cache_key(), first.session.token_cache_key());
    let mut third = session(&derived());
    assert!(!third.import_token(&value, T0 + 3_600_000));
    assert!(!third.import_token("{\"v\":2}", T0));
    assert!(!third.import_token("not json", T0));
    let far = value.replace(&format!("\"expiresAt\":{}", T0 + 3_600_000), &format!("\"expiresAt\":{}", T0 + 172_800_000));
    assert_ne!(far, value);
    assert!(!third.import_token(&far, T0), "no cached token outlives a day");
    let mut fourth = Harness::new();
    fourth.session = session(&derived());
    fourth.dpop = derived();
    assert!(fourth.session.import_token(&value, T0));
    let mut api = 0;
    fourth.run(get_user(), &mut |r| {
        if r.url.ends_with("/token") {
            return respond(200, &[], json!({"token_type": "DPoP", "expires_in": 3600, "access_token": "at-2", "scope": "okta.users.manage"}));
        }
        api += 1;
        if api == 1 { respond(401, &[], json!({"errorCode": "E0000011"})) } else { respond(200, &[], user_json("ACTIVE")) }
    }).unwrap();
    assert!(!fourth.session.import_token(&value, T0), "a token Okta rejected is never adopted again");
}
