//! The Connect verification: ordered checks that prove the credentials and privileges work, without
//! changing any user.
//!
//! config → reachable → client_auth → dpop → scope → role. The token exchange covers the first five. The role
//! check lists one user (any admin role can), then sends a password reset and a password set to a user id that
//! cannot exist: Okta checks the role's permission before it looks the user up, so `404 E0000007` proves the
//! permission and `403 E0000006` proves its absence, and no user is touched either way.

use std::collections::VecDeque;

use crate::json::{Object, Value};
use zeroize::Zeroizing;

use super::call::{ApiCall, Call};
use super::http::Method;
use super::operation::Outcome;
use super::session::{SCOPE, Session};
use crate::error::{Error, ErrorCode, Result};

/// A well-formed user id that Okta never issues (ids are random base62; this one spells out its purpose).
pub const PROBE_USER_ID: &str = "00u0KTAC0NNECTPR0BE0";

/// The checks, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckId {
    /// The pasted configuration is valid.
    Config,
    /// The org answers at its token endpoint.
    Reachable,
    /// Okta accepted the client assertion.
    ClientAuth,
    /// DPoP worked (or the app does not require it).
    Dpop,
    /// `okta.users.manage` is granted.
    Scope,
    /// The admin role allows listing users, resetting and setting passwords.
    Role,
}

impl CheckId {
    /// The check's name (`config`, `reachable`, `client_auth`, `dpop`, `scope`, `role`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Config => "config",
            Self::Reachable => "reachable",
            Self::ClientAuth => "client_auth",
            Self::Dpop => "dpop",
            Self::Scope => "scope",
            Self::Role => "role",
        }
    }
}

const ORDER: [CheckId; 6] = [CheckId::Config, CheckId::Reachable, CheckId::ClientAuth, CheckId::Dpop, CheckId::Scope, CheckId::Role];

/// A check's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckStatus {
    /// Being checked now (progress only).
    Running,
    /// Passed.
    Pass,
    /// Failed: see `fix`.
    Fail,
    /// Not checked because an earlier check failed.
    Skip,
}

impl CheckStatus {
    /// The state's name (`running`, `pass`, `fail`, `skip`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Skip => "skip",
        }
    }
}

/// One check's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// Which check.
    pub id: CheckId,
    /// Its state.
    pub status: CheckStatus,
    /// What was found.
    pub detail: String,
    /// The setup step that fixes a failure.
    pub fix: Option<&'static str>,
    /// The error code of a failure.
    pub code: Option<&'static str>,
}

impl Check {
    /// The check as JSON (`fix` and `code` left out when absent).
    #[must_use]
    pub fn to_json(&self) -> String {
        Object::new()
            .str("id", self.id.as_str())
            .str("status", self.status.as_str())
            .str("detail", &self.detail)
            .opt_str("fix", self.fix)
            .opt_str("code", self.code)
            .finish()
    }

    fn new(id: CheckId, status: CheckStatus, detail: impl Into<String>) -> Self {
        Self { id, status, detail: detail.into(), fix: None, code: None }
    }

    fn failed(id: CheckId, error: &Error, lead: &str) -> Self {
        Self { id, status: CheckStatus::Fail, detail: format!("{lead}{}", error.message()), fix: error.fix(), code: Some(error.code().as_str()) }
    }
}

/// Which check a failed token exchange belongs to.
fn token_check(code: ErrorCode) -> CheckId {
    match code {
        ErrorCode::OktaScopeNotGranted => CheckId::Scope,
        ErrorCode::OktaDpopRejected | ErrorCode::OktaDpopNonceLoop => CheckId::Dpop,
        ErrorCode::NetworkError | ErrorCode::Timeout | ErrorCode::Aborted | ErrorCode::OktaOrgNotFound | ErrorCode::OktaBadResponse | ErrorCode::OktaServerError => {
            CheckId::Reachable
        }
        _ => CheckId::ClientAuth,
    }
}

enum Phase {
    Token,
    ListUsers,
    ProbeReset,
    ProbeSet,
}

pub(crate) struct VerifyPlan {
    phase: Phase,
    results: Vec<Check>,
    progress: VecDeque<Check>,
    pub call: Call,
}

fn probe(path: String, query: &str, body: Option<&str>) -> Call {
    Call::api(ApiCall { method: Method::Post, path, query: query.to_owned(), body: body.map(|b| Zeroizing::new(b.to_owned())), changes: false })
}

impl VerifyPlan {
    pub fn new(session: &mut Session, config_detail: String) -> Self {
        // A cached token proves nothing about the credentials as they are now.
        session.clear_token();
        let mut plan = Self { phase: Phase::Token, results: Vec::new(), progress: VecDeque::new(), call: Call::token() };
        plan.record(Check::new(CheckId::Config, CheckStatus::Pass, config_detail));
        plan.progress.push_back(Check::new(CheckId::Reachable, CheckStatus::Running, format!("requesting a token from {}", session.org_url().token_url())));
        plan
    }

    pub fn take_progress(&mut self) -> Option<Check> {
        self.progress.pop_front()
    }

    fn record(&mut self, check: Check) {
        self.progress.push_back(check.clone());
        self.results.push(check);
    }

    fn finish(&mut self) -> Outcome {
        for id in ORDER {
            if !self.results.iter().any(|c| c.id == id) {
                self.record(Check::new(id, CheckStatus::Skip, "not checked: an earlier check failed"));
            }
        }
        let ok = self.results.iter().all(|c| c.status == CheckStatus::Pass);
        Outcome::Verified { ok, checks: self.results.clone() }
    }

    pub fn on_success(&mut self, session: &Session, _body: &Value) -> Result<Option<Outcome>> {
        match self.phase {
            Phase::Token => {
                self.record(Check::new(CheckId::Reachable, CheckStatus::Pass, format!("{} answered", session.org_url().as_str())));
                self.record(Check::new(CheckId::ClientAuth, CheckStatus::Pass, "Okta accepted the client assertion signed with the pasted key"));
                let dpop = if session.token_is_dpop() == Some(true) {
                    let nonce = if self.call.used_nonce_retry() { " after the DPoP-Nonce challenge" } else { "" };
                    format!("Okta issued a DPoP-bound token{nonce} (jkt {})", session.dpop_thumbprint())
                } else {
                    "the app does not require DPoP: Okta issued a Bearer token".to_owned()
                };
                self.record(Check::new(CheckId::Dpop, CheckStatus::Pass, dpop));
                let scope = session.token_scope().unwrap_or_default();
                if !scope.split_ascii_whitespace().any(|s| s == SCOPE) {
                    let error = Error::new(ErrorCode::OktaScopeNotGranted, format!("the token's scopes are \"{scope}\""));
                    self.record(Check::failed(CheckId::Scope, &error, ""));
                    return Ok(Some(self.finish()));
                }
                self.record(Check::new(CheckId::Scope, CheckStatus::Pass, format!("{SCOPE} is granted")));
                self.progress.push_back(Check::new(CheckId::Role, CheckStatus::Running, "checking the app's admin role"));
                self.phase = Phase::ListUsers;
                self.call = Call::api(ApiCall { method: Method::Get, path: "/api/v1/users".into(), query: "limit=1".into(), body: None, changes: false });
                Ok(None)
            }
            Phase::ListUsers | Phase::ProbeReset | Phase::ProbeSet => {
                // A 2xx from a probe would mean the impossible id exists; the role evidently allows the operation.
                self.advance_role()
            }
        }
    }

    fn advance_role(&mut self) -> Result<Option<Outcome>> {
        match self.phase {
            Phase::Token => Ok(None),
            Phase::ListUsers => {
                self.phase = Phase::ProbeReset;
                self.call = probe(format!("/api/v1/users/{PROBE_USER_ID}/lifecycle/reset_password"), "sendEmail=false", None);
                Ok(None)
            }
            Phase::ProbeReset => {
                self.phase = Phase::ProbeSet;
                let body = r#"{"credentials":{"password":{"value":"okta-connect-probe-never-applied"}}}"#;
                self.call = probe(format!("/api/v1/users/{PROBE_USER_ID}"), "strict=true", Some(body));
                Ok(None)
            }
            Phase::ProbeSet => {
                self.record(Check::new(CheckId::Role, CheckStatus::Pass, "the admin role can list users, reset and set passwords"));
                Ok(Some(self.finish()))
            }
        }
    }

    pub fn on_error(&mut self, error: &Error) -> Result<Option<Outcome>> {
        let denied = error.code() == ErrorCode::OktaPermissionDenied;
        let lead = match self.phase {
            Phase::Token => {
                let failed = token_check(error.code());
                for id in ORDER.iter().copied().skip(1).take_while(|id| *id != failed) {
                    let detail = match id {
                        CheckId::Reachable => "the org's token endpoint answered",
                        CheckId::ClientAuth => "Okta accepted the client assertion signed with the pasted key",
                        _ => "Okta accepted the DPoP proof",
                    };
                    self.record(Check::new(id, CheckStatus::Pass, detail));
                }
                self.record(Check::failed(failed, error, ""));
                return Ok(Some(self.finish()));
            }
            Phase::ProbeReset | Phase::ProbeSet if error.code() == ErrorCode::OktaUserNotFound => return self.advance_role(),
            Phase::ListUsers if denied => "no admin role is assigned to the app: ",
            Phase::ProbeReset if denied => "the app's admin role cannot reset passwords (e.g. Read-only Administrator): ",
            Phase::ProbeSet if denied => "the app's admin role can reset but not set passwords (e.g. Help Desk Administrator): ",
            _ => "",
        };
        self.record(Check::failed(CheckId::Role, error, lead));
        Ok(Some(self.finish()))
    }
}
