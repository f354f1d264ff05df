//! What the okta-connect fuzz targets share: the key and config checks, and a scripted-Okta harness that
//! drives the sans-IO protocol through its public API with responses taken from the fuzzer's input.
//!
//! Inputs are text (invalid UTF-8 is replaced), so the seed corpus under `fuzz/corpus/` is made of readable
//! Okta answers and pasted keys; `fuzz/README.md` describes each format. A panic anywhere — in okta-connect
//! or in one of the invariant checks below — is a finding; an `Err` from okta-connect never is.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::VecDeque;
use std::sync::LazyLock;

use base64ct::{Base64, Encoding};
use okta_connect::config::org_url::{self, OKTA_DOMAINS};
use okta_connect::config::{self, ConfigInput, UrlPolicy};
use okta_connect::dpop::DpopKey;
use okta_connect::protocol::{
    Failure, HttpRequest, Method, Operation, OperationSpec, Outcome, PROBE_USER_ID, Response, Session, SessionOptions, Signer, Step, UserRef,
};
use okta_connect::{Algorithm, Field, KeyType, Severity, SigningKey};
use zeroize::Zeroizing;

/// The org every protocol scenario talks to.
pub const ORG: &str = "https://acme.okta.com";
const CLIENT_ID: &str = "0oa1bcdefghijklmnop2";
/// Default clock: 2027-01-15T08:00:00Z, as in tests/protocol.rs.
const T0: u64 = 1_800_000_000_000;
/// The password every `set` operation sends; it must never show in a URL, a `Debug` output or an error.
pub const PASSWORD: &str = "N3w-Passw0rd!fuzz";
/// The access token of the canned token response; never in a `Debug` output or an error either.
pub const CANNED_TOKEN: &str = "at-fuzz-canned-0123456789";
/// A protocol run that takes more host steps than this is stuck in a loop (retries are bounded by design).
const MAX_STEPS: usize = 5_000;
const MAX_OPS: usize = 4;
const MAX_BLOCKS: usize = 64;
/// Retry counts from `opts` are capped so that one input stays fast.
const MAX_RETRIES: u8 = 10;
/// The longest server-error back-off the protocol may ask for (250 ms << 6).
const MAX_BACKOFF_MS: u64 = 16_000;

// ---------------------------------------------------------------------------------------------------------
// Key text

/// `key_text` target: `<key text>[\0<key id>]`.
pub fn key_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (text, key_id) = match text.split_once('\0') {
        Some((text, key_id)) => (text, Some(key_id)),
        None => (&*text, None),
    };
    let key = match SigningKey::parse(text, key_id) {
        Ok(key) => key,
        Err(error) => {
            for secret in key_secrets(text).into_iter().filter(|s| !key_id.is_some_and(|k| k.contains(s.as_str()))) {
                assert!(!error.message().contains(&secret), "an error message repeats private key material");
            }
            return;
        }
    };
    check_key(&key);
    let debug = format!("{key:?}");
    for secret in key_secrets(text).into_iter().filter(|s| !key_id.is_some_and(|k| k.contains(s.as_str()))) {
        assert!(!debug.contains(&secret), "Debug of a key shows private key material: {debug}");
    }

    // The key, exported as PKCS#8 and pasted again as PEM, is the same key.
    let der = key.to_pkcs8_der().expect("a parsed key exports as PKCS#8");
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for line in Base64::encode_string(&der).as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    let again = SigningKey::parse(&pem, None).expect("the key's own PKCS#8 export parses");
    assert_eq!(again.thumbprint(), key.thumbprint(), "the PKCS#8 export is another key");
    assert_eq!(again.key_type(), key.key_type());
    assert_eq!(again.bits(), key.bits());
}

/// Private key material visible in the text: the private members of a JWK (or of each key of a JWKS) and the
/// lines of PEM bodies, when they look like base64 (16 characters or more) and occur once. No error message may
/// repeat them.
fn key_secrets(text: &str) -> Vec<String> {
    let mut secrets = Vec::new();
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text.trim()) {
        let keys = value.get("keys").and_then(serde_json::Value::as_array).cloned().unwrap_or_else(|| vec![value]);
        for key in &keys {
            for member in ["d", "p", "q", "dp", "dq", "qi"] {
                if let Some(v) = key.get(member).and_then(serde_json::Value::as_str) {
                    secrets.push(v.to_owned());
                }
            }
        }
    }
    secrets.extend(text.lines().map(str::trim).map(str::to_owned));
    // Key material looks like base64: no words of a message (mixed case with a digit, no spaces).
    let looks_random = |s: &String| {
        s.len() >= 16
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
            && s.bytes().any(|b| b.is_ascii_digit())
            && s.bytes().any(|b| b.is_ascii_uppercase())
            && s.bytes().any(|b| b.is_ascii_lowercase())
    };
    secrets.retain(looks_random);
    // Text that also appears elsewhere in the input (say, a copy in "alg", which messages quote) is not only secret.
    secrets.retain(|secret| text.matches(secret.as_str()).count() == 1);
    secrets
}

/// What every parsed key must be able to do.
fn check_key(key: &SigningKey) {
    let thumbprint = key.thumbprint();
    assert!(thumbprint.len() == 43 && thumbprint.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "thumbprint {thumbprint:?}");
    if let Some(kid) = key.key_id() {
        assert!(!kid.trim().is_empty(), "a blank kid was kept");
    }
    let signature = key.sign(b"okta-connect fuzz").expect("a parsed key signs");
    let expected = match (key.key_type(), key.algorithm()) {
        (KeyType::Ec, alg) => {
            assert_eq!(alg, Algorithm::Es256, "an EC key signs with ES256");
            64
        }
        (_, alg) => {
            assert_ne!(alg, Algorithm::Es256, "an RSA key signs with RS*");
            key.bits().div_ceil(8)
        }
    };
    assert_eq!(signature.len(), expected, "signature size for {:?}", key.algorithm());
    let debug = format!("{key:?}");
    assert!(debug.contains("SigningKey"), "{debug}");
}

// ---------------------------------------------------------------------------------------------------------
// Config

/// `config` target: five parts, one a line —
/// `<org url>\n<client id>\n<policy>\n<key id or ->\n<private key text, the rest>`,
/// where the policy line's words are allowed custom hosts, and the word `loopback` allows insecure loopback.
pub fn config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(5, '\n');
    let org = parts.next().unwrap_or_default();
    let client_id = parts.next().unwrap_or_default();
    let policy_line = parts.next().unwrap_or_default();
    let key_id = parts.next().unwrap_or("-");
    let private_key = parts.next().unwrap_or_default();
    let policy = UrlPolicy {
        allowed_hosts: policy_line.split(' ').filter(|w| !w.is_empty() && *w != "loopback").map(str::to_owned).collect(),
        allow_insecure_loopback: policy_line.split(' ').any(|w| w == "loopback"),
    };
    let key_id = (key_id != "-").then_some(key_id);

    check_org_url(org, &policy);

    let report = config::validate(&ConfigInput { org_url: org, client_id, private_key, key_id }, &policy);
    let complete = report.org_url.is_some() && report.client_id.is_some() && report.key.is_some();
    assert_eq!(report.ok(), complete, "ok() disagrees with the fields: {:?}", report.problems);
    // Key material must not show in the key's problems (other fields' problems may quote their own text).
    let elsewhere = |secret: &String| [org, client_id, key_id.unwrap_or_default()].iter().any(|f| f.contains(secret.as_str()));
    let secrets: Vec<String> = key_secrets(private_key).into_iter().filter(|s| !elsewhere(s)).collect();
    for problem in &report.problems {
        assert!(!problem.message.is_empty());
        if !matches!(problem.field, Field::PrivateKey | Field::KeyId) {
            continue;
        }
        for secret in &secrets {
            assert!(!problem.message.contains(secret.as_str()), "a problem message repeats private key material");
        }
    }
    if let Some(key) = &report.key {
        check_key(key);
    }
    assert_eq!(report.into_config().is_ok(), complete);
}

/// The SSRF guard: whatever `org_url::parse` accepts is an origin on an Okta domain, an allowed host, or (only
/// when allowed) loopback; and it is a fixed point.
fn check_org_url(input: &str, policy: &UrlPolicy) {
    let (url, findings) = org_url::parse(input, policy);
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    let Some(url) = url else {
        assert!(errors > 0, "refused without an error finding: {findings:?}");
        return;
    };
    assert_eq!(errors, 0, "accepted with an error finding: {findings:?}");
    let origin = url.as_str();
    let (scheme, authority) = origin.split_once("://").expect("an origin has a scheme");
    assert!(!authority.is_empty() && !authority.contains(['/', '?', '#', '@', '\\']) && authority.bytes().all(|b| b.is_ascii_graphic()), "origin {origin:?}");
    let host = if authority.starts_with('[') {
        authority.get(..=authority.find(']').expect("bracketed host closes")).expect("slice")
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    let loopback = host == "localhost" || host == "[::1]" || host.starts_with("127.") && host.split('.').count() == 4;
    if loopback && policy.allow_insecure_loopback {
        assert!(scheme == "http" || scheme == "https", "origin {origin:?}");
    } else {
        assert_eq!(scheme, "https", "origin {origin:?}");
        assert_eq!(host, authority, "a port on a non-loopback origin: {origin:?}");
        let okta = OKTA_DOMAINS.iter().any(|d| host.strip_suffix(d).and_then(|s| s.strip_suffix('.')).is_some_and(|s| !s.is_empty()));
        let allowed = policy.allowed_hosts.iter().any(|h| h.trim().trim_end_matches('.').eq_ignore_ascii_case(host));
        assert!(okta || allowed, "accepted a host that is neither Okta's nor allowed: {origin:?}");
    }
    assert!(url.token_url().starts_with(origin));
    let (again, findings) = org_url::parse(origin, policy);
    assert_eq!(again.as_ref().map(|u| u.as_str()), Some(origin), "the normalised org URL is not accepted as it is: {findings:?}");
}

// ---------------------------------------------------------------------------------------------------------
// Protocol scenarios

/// How a protocol target answers.
pub struct Mode {
    /// Operations when the input names none (and whether the input may name them).
    pub default_ops: &'static [&'static str],
    /// Take `op` lines from the input.
    pub ops_from_input: bool,
    /// Answer every token request with a good DPoP token instead of the next block (API-response fuzzing).
    pub auto_token: bool,
    /// A block without a body gets a realistic body for its status and endpoint (header fuzzing).
    pub canned_bodies: bool,
}

/// One scripted answer.
enum Block {
    Http { status: u16, headers: Vec<(String, String)>, body: Option<String> },
    Fail(Failure),
}

#[derive(Default)]
struct Scenario {
    ops: Vec<String>,
    imports: Vec<String>,
    now_ms: Option<u64>,
    options: SessionOptions,
    rsa_client: bool,
    misuse: bool,
    blocks: VecDeque<Block>,
}

fn is_block_start(line: &str) -> bool {
    line.starts_with("HTTP ") || line == "FAIL" || line.starts_with("FAIL ")
}

fn parse_scenario(text: &str) -> Scenario {
    let mut s = Scenario::default();
    // A file's final line break ends the last line; it does not start an (empty) body.
    let text = text.strip_suffix('\n').unwrap_or(text);
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next_if(|l| !is_block_start(l)) {
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        match word {
            "op" if s.ops.len() < MAX_OPS => s.ops.push(rest.to_owned()),
            "import" if s.imports.len() < MAX_OPS => s.imports.push(rest.to_owned()),
            "now" => s.now_ms = rest.trim().parse().ok(),
            "key" => s.rsa_client = rest.trim() == "rsa",
            "misuse" => s.misuse = true,
            "opts" => {
                let mut n = rest.split_whitespace();
                let defaults = SessionOptions::default();
                s.options = SessionOptions {
                    max_rate_limit_wait_ms: n.next().and_then(|v| v.parse().ok()).unwrap_or(defaults.max_rate_limit_wait_ms),
                    max_rate_limit_retries: n.next().and_then(|v| v.parse().ok()).unwrap_or(defaults.max_rate_limit_retries).min(MAX_RETRIES),
                    max_server_retries: n.next().and_then(|v| v.parse().ok()).unwrap_or(defaults.max_server_retries).min(MAX_RETRIES),
                };
            }
            _ => {} // comments, blank lines
        }
    }
    while let Some(line) = lines.next() {
        if s.blocks.len() >= MAX_BLOCKS {
            break;
        }
        if let Some(kind) = line.strip_prefix("FAIL") {
            s.blocks.push_back(Block::Fail(match kind.trim() {
                "timeout" => Failure::Timeout,
                "aborted" => Failure::Aborted,
                _ => Failure::Network,
            }));
            continue;
        }
        let status = line.strip_prefix("HTTP ").map_or(0, |s| s.trim().parse().unwrap_or(0));
        let (mut headers, mut body) = (Vec::new(), None);
        while let Some(line) = lines.next_if(|l| !is_block_start(l)) {
            if line.is_empty() || line == "\r" {
                let mut text = Vec::new();
                while let Some(line) = lines.next_if(|l| !is_block_start(l)) {
                    text.push(line);
                }
                body = Some(text.join("\n"));
                break;
            }
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            headers.push((name.to_owned(), value.strip_prefix(' ').unwrap_or(value).to_owned()));
        }
        s.blocks.push_back(Block::Http { status, headers, body });
    }
    s
}

/// `op NAME [USER] [+flag …]` → the operation (`None` for an unusable user, which the host would refuse).
fn op_spec(line: &str) -> Option<OperationSpec> {
    let (name, rest) = line.split_once(' ').unwrap_or((line, ""));
    let mut user = rest;
    let mut flags = Vec::new();
    while let Some((head, last)) = user.rsplit_once(' ').filter(|(_, last)| last.starts_with('+')) {
        flags.push(last);
        user = head;
    }
    if user.starts_with('+') {
        flags.push(user);
        user = "";
    }
    let flag = |f: &str| flags.contains(&f);
    let user = || UserRef::parse(user).ok();
    Some(match name.trim() {
        "token" => OperationSpec::Token,
        "verify" => OperationSpec::Verify,
        "get" => OperationSpec::GetUser { user: user()? },
        "set" => OperationSpec::SetPassword { user: user()?, password: Zeroizing::new(PASSWORD.to_owned()), revoke_sessions: flag("+revoke") },
        "reset" => OperationSpec::ResetPassword { user: user()?, send_email: flag("+email"), revoke_sessions: flag("+revoke") },
        "expire" => OperationSpec::ExpirePassword { user: user()?, temp_password: flag("+temp"), revoke_sessions: flag("+revoke") },
        "revoke" => OperationSpec::RevokeSessions { user: user()? },
        _ => return None,
    })
}

struct Keys {
    rsa: SigningKey,
    p256: SigningKey,
    dpop: DpopKey,
}

/// `FUZZ_TRACE=1` prints each operation's result (for writing seeds: `FUZZ_TRACE=1 target -runs=0 file`).
static TRACE: LazyLock<bool> = LazyLock::new(|| std::env::var_os("FUZZ_TRACE").is_some());

static KEYS: LazyLock<Keys> = LazyLock::new(|| Keys {
    rsa: SigningKey::parse(include_str!("../../tests/fixtures/keys/rsa2048.okta.jwk.json"), None).expect("RSA fixture"),
    p256: SigningKey::parse(include_str!("../../tests/fixtures/keys/p256.jwk.json"), None).expect("P-256 fixture"),
    dpop: DpopKey::generate().expect("DPoP key"),
});

fn org() -> okta_connect::config::OrgUrl {
    org_url::parse(ORG, &UrlPolicy::default()).0.expect("the fixed org URL is accepted")
}

fn new_session(client: &SigningKey, options: SessionOptions) -> Session {
    Session::new(org(), CLIENT_ID.to_owned(), client, KEYS.dpop.public_jwk().clone(), options)
}

const USER: &str = r#"{"id":"00u1abcdefghijklmnop","status":"ACTIVE","profile":{"login":"alice@example.com","email":"alice@example.com"},"credentials":{"password":{}}}"#;

fn canned_token() -> String {
    format!(r#"{{"token_type":"DPoP","expires_in":3600,"access_token":"{CANNED_TOKEN}","scope":"okta.users.manage"}}"#)
}

/// A realistic body for a block that has none (header fuzzing).
fn canned_body(token_endpoint: bool, request: &HttpRequest, status: u16) -> String {
    let text = match (token_endpoint, status) {
        (true, 200..=299) => return canned_token(),
        (true, 400) => r#"{"error":"use_dpop_nonce","error_description":"Authorization server requires nonce in DPoP proof."}"#,
        (true, 401) => r#"{"error":"invalid_client","error_description":"The client_assertion token is expired."}"#,
        (true, 403) => r#"{"error":"invalid_scope","error_description":"The requested scope is invalid."}"#,
        (_, 429) => r#"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorLink":"E0000047","errorId":"oaeRate","errorCauses":[]}"#,
        (false, 200..=299) if request.url.contains("search=") => return format!("[{USER}]"),
        (false, 200..=299) => USER,
        (false, 400) => r#"{"errorCode":"E0000001","errorSummary":"Api validation failed: password","errorCauses":[{"errorSummary":"password: Password requirements were not met."}]}"#,
        (false, 404) => r#"{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: x (User)"}"#,
        _ => "",
    };
    text.to_owned()
}

struct Harness<'a> {
    mode: &'a Mode,
    session: Session,
    client: &'static SigningKey,
    now_ms: u64,
    blocks: VecDeque<Block>,
    steps: usize,
    max_wait_ms: u64,
    misuse: bool,
}

impl Harness<'_> {
    fn run(&mut self, spec: OperationSpec) -> okta_connect::Result<Outcome> {
        let mut op = Operation::new(spec, &mut self.session)?;
        // Password-changing requests that got an ambiguous answer (2xx, 5xx or no answer): never sent again.
        let mut ambiguous: Vec<String> = Vec::new();
        loop {
            self.steps += 1;
            assert!(self.steps <= MAX_STEPS, "no end after {MAX_STEPS} host steps: a retry loop");
            match op.next(&mut self.session, self.now_ms)? {
                Step::Sign(inputs) => {
                    assert!(!inputs.is_empty() && inputs.len() <= 2, "{} signatures requested", inputs.len());
                    if self.misuse {
                        assert!(op.handle_response(&mut self.session, &Response::default(), self.now_ms).is_err());
                        assert!(op.handle_failure(&self.session, Failure::Network).is_err());
                    }
                    let mut signatures = Vec::with_capacity(inputs.len());
                    for input in &inputs {
                        assert!(input.input.is_ascii() && input.input.split('.').count() == 2, "signing input {:?}", input.input);
                        let signature = match input.signer {
                            Signer::Client => {
                                assert_eq!(input.algorithm, self.client.algorithm(), "the client key is asked for another algorithm");
                                self.client.sign(input.input.as_bytes())
                            }
                            Signer::Dpop => {
                                assert_eq!(input.algorithm, Algorithm::Es256, "DPoP proofs are ES256");
                                KEYS.dpop.sign(input.input.as_bytes())
                            }
                        };
                        signatures.push(signature.expect("the fixture keys sign"));
                    }
                    op.provide_signatures(&signatures)?;
                }
                Step::Send(request) => {
                    check_request(&request);
                    let changes = request.method == Method::Post && request.url.contains("/api/v1/users/") && !request.url.contains(PROBE_USER_ID);
                    assert!(!ambiguous.contains(&request.url), "a password change was sent again after an ambiguous answer: {}", request.url);
                    if self.misuse {
                        assert!(op.provide_signatures(&[]).is_err());
                    }
                    let token_endpoint = request.url == format!("{ORG}/oauth2/v1/token");
                    let answer = if token_endpoint && self.mode.auto_token {
                        Block::Http { status: 200, headers: Vec::new(), body: Some(canned_token()) }
                    } else {
                        // Out of answers: the host gives up (an aborted request is never retried).
                        self.blocks.pop_front().unwrap_or(Block::Fail(Failure::Aborted))
                    };
                    let unclear = match &answer {
                        Block::Fail(_) => true,
                        Block::Http { status, .. } => (200..300).contains(status) || *status >= 500,
                    };
                    if changes && unclear {
                        ambiguous.push(request.url.clone());
                    }
                    match answer {
                        Block::Fail(failure) => op.handle_failure(&self.session, failure)?,
                        Block::Http { status, headers, body } => {
                            let body = body.unwrap_or_else(|| if self.mode.canned_bodies { canned_body(token_endpoint, &request, status) } else { String::new() });
                            op.handle_response(&mut self.session, &Response { status, headers, body }, self.now_ms)?;
                        }
                    }
                }
                Step::NeedToken => {
                    self.run(OperationSpec::Token)?;
                }
                Step::Wait(ms) => {
                    assert!(ms <= self.max_wait_ms, "asked to wait {ms} ms (bound {} ms)", self.max_wait_ms);
                    self.now_ms = self.now_ms.saturating_add(ms);
                }
                Step::Progress(check) => assert!(!check.detail.is_empty()),
                Step::Done(outcome) => {
                    if self.misuse {
                        assert!(op.next(&mut self.session, self.now_ms).is_err(), "next() after Done");
                    }
                    return Ok(outcome);
                }
            }
        }
    }
}

/// Every request stays on the org, and carries no line break or secret where it must not.
fn check_request(request: &HttpRequest) {
    let url = &request.url;
    assert!(url.starts_with(&format!("{ORG}/")), "a request left the org: {url:?}");
    assert!(url.bytes().all(|b| b.is_ascii_graphic()), "URL with spaces or non-ASCII: {url:?}");
    assert!(!url.contains(PASSWORD), "the password is in the URL");
    for (name, value) in &request.headers {
        assert!(!name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':'), "header name {name:?}");
        assert!(value.bytes().all(|b| b == b' ' || b.is_ascii_graphic()), "header {name} has a control or non-ASCII byte: {value:?}");
        if name.eq_ignore_ascii_case("authorization") {
            assert!(value.starts_with("DPoP ") || value.starts_with("Bearer "), "Authorization: {value:?}");
        }
    }
    assert!(!format!("{request:?}").contains(PASSWORD), "Debug of a request shows the password");
}

/// A protocol target: run the scenario's operations on one session.
pub fn protocol(data: &[u8], mode: &Mode) {
    let text = String::from_utf8_lossy(data);
    let scenario = parse_scenario(&text);
    let client = if scenario.rsa_client { &KEYS.rsa } else { &KEYS.p256 };
    let options = scenario.options.clone();
    let max_wait_ms = options.max_rate_limit_wait_ms.max(MAX_BACKOFF_MS);
    let mut h = Harness {
        mode,
        session: new_session(client, options.clone()),
        client,
        now_ms: scenario.now_ms.unwrap_or(T0),
        blocks: scenario.blocks,
        steps: 0,
        max_wait_ms,
        misuse: scenario.misuse,
    };
    // Secrets may show only where the input itself holds them.
    let secrets: Vec<&str> = [PASSWORD, CANNED_TOKEN].into_iter().filter(|s| !text.contains(s)).collect();
    let leaks = |what: &str, shown: &str| {
        for secret in &secrets {
            assert!(!shown.contains(secret), "{what} shows a secret: {shown}");
        }
    };

    for value in &scenario.imports {
        if h.session.import_token(value, h.now_ms) {
            assert!(h.session.access_token(h.now_ms).is_some(), "an adopted token is not usable");
        }
    }
    let names: Vec<&str> = if mode.ops_from_input && !scenario.ops.is_empty() { scenario.ops.iter().map(String::as_str).collect() } else { mode.default_ops.to_vec() };
    for (i, name) in names.into_iter().enumerate() {
        // Later operations only while answers remain (or tokens come for free), so that no time goes into
        // operations that can only fail.
        if i > 0 && h.blocks.is_empty() {
            break;
        }
        let Some(spec) = op_spec(name) else { continue };
        let result = h.run(spec);
        if *TRACE {
            eprintln!("op {name:?}: {result:?} ({} steps, now {})", h.steps, h.now_ms);
        }
        match result {
            Ok(outcome) => leaks("an outcome", &format!("{outcome:?}")),
            Err(error) => {
                leaks("an error", &format!("{error:?}"));
                leaks("an error message", error.message());
            }
        }
        leaks("the session", &format!("{:?}", h.session));
    }

    // Whatever token the session holds survives the trip through a shared cache.
    if let Some((value, ttl_s)) = h.session.export_token(h.now_ms) {
        assert!(ttl_s >= 60, "cache TTL {ttl_s} s");
        let mut other = new_session(client, options);
        assert_eq!(other.token_cache_key(), h.session.token_cache_key());
        assert!(other.import_token(&value, h.now_ms), "a session refuses the token its twin exported: {value}");
        assert_eq!(other.access_token(h.now_ms), h.session.access_token(h.now_ms));
    }
}
