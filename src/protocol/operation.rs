//! One operation, driven step by step by the host.

use zeroize::Zeroizing;

use super::call::{Call, CallStep};
use super::http::{Failure, HttpRequest, Response, SignRequest};
use super::session::Session;
use super::users::{Action, Secret, User, UserRef, UsersPlan, check_password};
use super::verify::{Check, VerifyPlan};
use crate::error::{Error, ErrorCode, Result};

/// What the platform asks for.
#[derive(Clone, PartialEq, Eq)]
pub enum OperationSpec {
    /// Obtain (or renew) the session's access token.
    Token,
    /// Look a user up.
    GetUser {
        /// Id or login.
        user: UserRef,
    },
    /// Set a password (admin set, `strict=true`: Okta enforces history and minimum age as well).
    SetPassword {
        /// Id or login.
        user: UserRef,
        /// The new password.
        password: Zeroizing<String>,
        /// Revoke the user's sessions afterwards.
        revoke_sessions: bool,
    },
    /// Start a password reset: Okta emails the user, or returns a one-time link.
    ResetPassword {
        /// Id or login.
        user: UserRef,
        /// Email the link (true) or return it (false).
        send_email: bool,
        /// Revoke the user's sessions.
        revoke_sessions: bool,
    },
    /// Expire the password, optionally setting a temporary one that Okta returns.
    ExpirePassword {
        /// Id or login.
        user: UserRef,
        /// Set and return a temporary password.
        temp_password: bool,
        /// Revoke the user's sessions.
        revoke_sessions: bool,
    },
    /// Revoke all of the user's sessions.
    RevokeSessions {
        /// Id or login.
        user: UserRef,
    },
    /// The Connect verification.
    Verify,
}

/// What the host does next.
#[derive(Debug)]
pub enum Step {
    /// Sign each input with the named key (in order), then call [`Operation::provide_signatures`].
    Sign(Vec<SignRequest>),
    /// Perform this request, then report with [`Operation::handle_response`] or [`Operation::handle_failure`].
    Send(HttpRequest),
    /// Run (or join an already running) [`OperationSpec::Token`] operation on the same session, then continue.
    NeedToken,
    /// Sleep this many milliseconds, then continue.
    Wait(u64),
    /// A verification check changed state (report it, then continue).
    Progress(Check),
    /// Finished.
    Done(Outcome),
}

/// The result of a finished operation. Secrets inside are redacted from `Debug`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The session holds a fresh token.
    Token,
    /// The user.
    User(User),
    /// The password was set; the user as Okta returned it.
    PasswordSet(User),
    /// The reset started; the one-time link when `send_email` was false.
    ResetPassword {
        /// `resetPasswordUrl`.
        reset_password_url: Option<Secret>,
    },
    /// The password expired.
    ExpirePassword {
        /// The temporary password, when asked for.
        temp_password: Option<Secret>,
        /// The user, when Okta returned it.
        user: Option<User>,
    },
    /// All sessions revoked.
    SessionsRevoked,
    /// The verification's checks.
    Verified {
        /// True when every check passed.
        ok: bool,
        /// The checks in order.
        checks: Vec<Check>,
    },
}

enum Plan {
    Token(Box<Call>),
    Users(Box<UsersPlan>),
    Verify(Box<VerifyPlan>),
}

/// One operation in progress.
pub struct Operation {
    plan: Plan,
    finished: Option<Outcome>,
    done: bool,
}

impl Operation {
    /// Start an operation.
    ///
    /// # Errors
    /// `invalid_argument` for an unusable password.
    pub fn new(spec: OperationSpec, session: &mut Session) -> Result<Self> {
        let users = |action, user| Plan::Users(Box::new(UsersPlan::new(action, user)));
        let plan = match spec {
            OperationSpec::Token => Plan::Token(Box::new(Call::token())),
            OperationSpec::GetUser { user } => users(Action::Get, user),
            OperationSpec::SetPassword { user, password, revoke_sessions } => {
                check_password(&password)?;
                users(Action::SetPassword { password, revoke_sessions }, user)
            }
            OperationSpec::ResetPassword { user, send_email, revoke_sessions } => {
                users(Action::ResetPassword { send_email, revoke_sessions }, user)
            }
            OperationSpec::ExpirePassword { user, temp_password, revoke_sessions } => {
                users(Action::ExpirePassword { temp_password, revoke_sessions }, user)
            }
            OperationSpec::RevokeSessions { user } => users(Action::RevokeSessions, user),
            OperationSpec::Verify => {
                let detail = format!("org {}, client key accepted", session.org_url().as_str());
                Plan::Verify(Box::new(VerifyPlan::new(session, detail)))
            }
        };
        Ok(Self { plan, finished: None, done: false })
    }

    fn call(&mut self) -> &mut Call {
        match &mut self.plan {
            Plan::Token(call) => call,
            Plan::Users(plan) => &mut plan.call,
            Plan::Verify(plan) => &mut plan.call,
        }
    }

    /// The next step. An `Err` is final: the operation failed.
    ///
    /// # Errors
    /// The operation's failure (an Okta error, a network failure …), or `api_misuse` when called out of order.
    pub fn next(&mut self, session: &mut Session, now_ms: u64) -> Result<Step> {
        loop {
            if let Plan::Verify(plan) = &mut self.plan
                && let Some(check) = plan.take_progress()
            {
                return Ok(Step::Progress(check));
            }
            if let Some(outcome) = self.finished.take() {
                self.done = true;
                return Ok(Step::Done(outcome));
            }
            if self.done {
                return Err(Error::new(ErrorCode::ApiMisuse, "this operation has already finished"));
            }
            let step = self.call().next(session, now_ms);
            let outcome = match (&mut self.plan, step) {
                (_, Ok(CallStep::Host(step))) => return Ok(step),
                (Plan::Token(_), Ok(CallStep::Done(_))) => Some(Outcome::Token),
                (Plan::Users(plan), Ok(CallStep::Done(body))) => plan.on_success(&body).map_err(|e| plan.on_error(e))?,
                (Plan::Verify(plan), Ok(CallStep::Done(body))) => plan.on_success(session, &body)?,
                (Plan::Verify(plan), Err(error)) if error.code() != ErrorCode::ApiMisuse => plan.on_error(&error)?,
                (Plan::Users(plan), Err(error)) => {
                    self.done = true;
                    return Err(plan.on_error(error));
                }
                (_, Err(error)) => {
                    self.done = true;
                    return Err(error);
                }
            };
            self.finished = outcome;
        }
    }

    /// The signatures for the last [`Step::Sign`], in the order requested.
    ///
    /// # Errors
    /// `api_misuse` when none were requested; `invalid_argument` for a signature of the wrong size.
    pub fn provide_signatures(&mut self, signatures: &[Vec<u8>]) -> Result<()> {
        self.call().provide_signatures(signatures)
    }

    /// The response to the last [`Step::Send`].
    ///
    /// # Errors
    /// `api_misuse` when no request is in flight.
    pub fn handle_response(&mut self, session: &mut Session, response: &Response, now_ms: u64) -> Result<()> {
        self.call().handle_response(session, response, now_ms)
    }

    /// The last [`Step::Send`] got no response.
    ///
    /// # Errors
    /// `api_misuse` when no request is in flight.
    pub fn handle_failure(&mut self, session: &Session, failure: Failure) -> Result<()> {
        self.call().handle_failure(session, failure)
    }
}
