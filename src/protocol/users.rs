//! Users API operations: look a user up, set a password, send or create a reset link, expire a password,
//! revoke sessions. Logins are resolved to ids with a search first, so every path carries an id only
//! (Okta compares the decoded `htu`, and logins may hold `/`, `+`, `@` or non-ASCII characters).

use core::fmt;

use crate::json::{Object, Value};
use zeroize::Zeroizing;

use super::call::{ApiCall, Call};
use super::http::Method;
use super::operation::Outcome;
use crate::error::{Error, ErrorCode, Result};

/// Longest user reference accepted.
const MAX_USER_REF: usize = 512;
/// Longest password accepted (Okta's own limit is lower; it answers with its policy).
const MAX_PASSWORD: usize = 1024;

/// A user, by Okta id or by login.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserRef {
    /// An Okta user id (`00u` + 17 characters).
    Id(String),
    /// A login (usually an email address).
    Login(String),
}

impl UserRef {
    /// Classify what the caller passed.
    ///
    /// # Errors
    /// `invalid_argument` when empty, too long or holding control characters.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.is_empty() || text.len() > MAX_USER_REF || text.chars().any(char::is_control) {
            return Err(Error::new(ErrorCode::InvalidArgument, "the user must be an Okta user id or a login"));
        }
        let is_id = text.len() == 20 && text.starts_with("00u") && text.bytes().all(|b| b.is_ascii_alphanumeric());
        Ok(if is_id { Self::Id(text.to_owned()) } else { Self::Login(text.to_owned()) })
    }
}

/// A secret string from Okta (a reset URL, a temporary password): zeroized on drop, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// The value, for handing to the caller.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The user fields the platform needs (Okta's `User` object, trimmed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct User {
    /// Okta id.
    pub id: String,
    /// Lifecycle status (ACTIVE, RECOVERY, PASSWORD_EXPIRED, …).
    pub status: String,
    /// `profile.login`.
    pub login: String,
    /// `profile.email`.
    pub email: Option<String>,
    /// `profile.firstName`.
    pub first_name: Option<String>,
    /// `profile.lastName`.
    pub last_name: Option<String>,
    /// Target status while an asynchronous transition runs.
    pub transitioning_to_status: Option<String>,
    /// Last password change (ISO 8601).
    pub password_changed: Option<String>,
    /// Last sign-in (ISO 8601).
    pub last_login: Option<String>,
}

fn string(value: &Value, path: &[&str]) -> Option<String> {
    path.iter().try_fold(value, |v, key| v.get(key)).and_then(Value::as_str).map(|s| s.chars().take(1024).collect())
}

fn safe_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl User {
    /// The user as JSON (camelCase members; absent optional members left out).
    #[must_use]
    pub fn to_json(&self) -> String {
        Object::new()
            .str("id", &self.id)
            .str("status", &self.status)
            .str("login", &self.login)
            .opt_str("email", self.email.as_deref())
            .opt_str("firstName", self.first_name.as_deref())
            .opt_str("lastName", self.last_name.as_deref())
            .opt_str("transitioningToStatus", self.transitioning_to_status.as_deref())
            .opt_str("passwordChanged", self.password_changed.as_deref())
            .opt_str("lastLogin", self.last_login.as_deref())
            .finish()
    }

    fn from_json(value: &Value) -> Result<Self> {
        let id = string(value, &["id"]).filter(|id| safe_id(id));
        let id = id.ok_or_else(|| Error::new(ErrorCode::OktaBadResponse, "Okta's user object has no valid id"))?;
        Ok(Self {
            id,
            status: string(value, &["status"]).unwrap_or_default(),
            login: string(value, &["profile", "login"]).unwrap_or_default(),
            email: string(value, &["profile", "email"]),
            first_name: string(value, &["profile", "firstName"]),
            last_name: string(value, &["profile", "lastName"]),
            transitioning_to_status: string(value, &["transitioningToStatus"]),
            password_changed: string(value, &["passwordChanged"]),
            last_login: string(value, &["lastLogin"]),
        })
    }
}

/// What to do to the user.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Action {
    Get,
    SetPassword { password: Zeroizing<String>, revoke_sessions: bool },
    ResetPassword { send_email: bool, revoke_sessions: bool },
    ExpirePassword { temp_password: bool, revoke_sessions: bool },
    RevokeSessions,
}

pub(crate) fn check_password(password: &str) -> Result<()> {
    if password.is_empty() || password.len() > MAX_PASSWORD || password.contains('\0') {
        return Err(Error::new(ErrorCode::InvalidArgument, "the password must be a non-empty string"));
    }
    Ok(())
}

enum Phase {
    Resolve,
    Main,
    Revoke(Box<Outcome>),
}

pub(crate) struct UsersPlan {
    action: Action,
    user_id: String,
    phase: Phase,
    pub call: Call,
}

/// Percent-encode everything but RFC 3986 unreserved characters.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn search_call(login: &str) -> Call {
    let literal = login.replace('\\', "\\\\").replace('"', "\\\"");
    Call::api(ApiCall {
        method: Method::Get,
        path: "/api/v1/users".into(),
        query: format!("search={}&limit=2", encode(&format!("profile.login eq \"{literal}\""))),
        body: None,
        changes: false,
    })
}

fn revoke_call(user_id: &str) -> Call {
    Call::api(ApiCall { method: Method::Delete, path: format!("/api/v1/users/{user_id}/sessions"), query: String::new(), body: None, changes: false })
}

fn main_call(action: &Action, user_id: &str) -> Call {
    let base = format!("/api/v1/users/{user_id}");
    let (method, path, query, body, changes) = match action {
        Action::Get => (Method::Get, base, String::new(), None, false),
        Action::SetPassword { password, .. } => {
            // Sized for the worst-case escaping up front: the password is never copied by a growing buffer.
            let mut body = String::with_capacity(password.len() * 6 + 48);
            body.push_str(r#"{"credentials":{"password":{"value":"#);
            crate::json::write_str(&mut body, password);
            body.push_str("}}}");
            (Method::Post, base, "strict=true".to_owned(), Some(Zeroizing::new(body)), true)
        }
        Action::ResetPassword { send_email, revoke_sessions } => {
            let query = format!("sendEmail={send_email}&revokeSessions={revoke_sessions}");
            (Method::Post, format!("{base}/lifecycle/reset_password"), query, None, true)
        }
        Action::ExpirePassword { temp_password: true, revoke_sessions } => {
            let query = format!("revokeSessions={revoke_sessions}");
            (Method::Post, format!("{base}/lifecycle/expire_password_with_temp_password"), query, None, true)
        }
        Action::ExpirePassword { temp_password: false, .. } => {
            (Method::Post, format!("{base}/lifecycle/expire_password"), String::new(), None, true)
        }
        Action::RevokeSessions => (Method::Delete, format!("{base}/sessions"), String::new(), None, false),
    };
    Call::api(ApiCall { method, path, query, body, changes })
}

impl UsersPlan {
    pub fn new(action: Action, user: UserRef) -> Self {
        match user {
            UserRef::Id(id) => {
                let call = main_call(&action, &id);
                Self { action, user_id: id, phase: Phase::Main, call }
            }
            UserRef::Login(login) => {
                Self { call: search_call(&login), action, user_id: login, phase: Phase::Resolve }
            }
        }
    }

    /// The current call finished with `body`: the outcome, or `None` once the next call is set up.
    pub fn on_success(&mut self, body: &Value) -> Result<Option<Outcome>> {
        match core::mem::replace(&mut self.phase, Phase::Main) {
            Phase::Resolve => {
                let login = self.user_id.clone();
                let users = body.as_array().ok_or_else(|| Error::new(ErrorCode::OktaBadResponse, "the user search did not return a list"))?;
                // `profile.login eq` is Okta's own exact (case-insensitive) match and logins are unique, so one
                // result is the user; several can only be told apart by an exact spelling.
                let found = match users.as_slice() {
                    [] => None,
                    [only] => Some(only),
                    several => several.iter().find(|u| string(u, &["profile", "login"]).as_deref() == Some(login.as_str())),
                };
                let found = found.ok_or_else(|| Error::new(ErrorCode::OktaUserNotFound, "no user has this login"))?;
                let user = User::from_json(found)?;
                if self.action == Action::Get {
                    return Ok(Some(Outcome::User(user)));
                }
                self.user_id = user.id;
                self.call = main_call(&self.action, &self.user_id);
                Ok(None)
            }
            Phase::Main => {
                let outcome = match &self.action {
                    Action::Get => Outcome::User(User::from_json(body)?),
                    Action::SetPassword { .. } => Outcome::PasswordSet(User::from_json(body)?),
                    Action::ResetPassword { .. } => Outcome::ResetPassword {
                        reset_password_url: string(body, &["resetPasswordUrl"]).map(|u| Secret(Zeroizing::new(u))),
                    },
                    Action::ExpirePassword { temp_password: true, .. } => Outcome::ExpirePassword {
                        temp_password: string(body, &["tempPassword"]).map(|p| Secret(Zeroizing::new(p))),
                        user: None,
                    },
                    Action::ExpirePassword { temp_password: false, .. } => {
                        Outcome::ExpirePassword { temp_password: None, user: Some(User::from_json(body)?) }
                    }
                    Action::RevokeSessions => Outcome::SessionsRevoked,
                };
                let revoke_after = match &self.action {
                    Action::SetPassword { revoke_sessions, .. } => *revoke_sessions,
                    Action::ExpirePassword { temp_password: false, revoke_sessions } => *revoke_sessions,
                    _ => false,
                };
                if revoke_after {
                    self.call = revoke_call(&self.user_id);
                    self.phase = Phase::Revoke(Box::new(outcome));
                    return Ok(None);
                }
                Ok(Some(outcome))
            }
            Phase::Revoke(outcome) => Ok(Some(*outcome)),
        }
    }

    /// An error of the current call: in the revoke phase, say that the password part did happen.
    pub fn on_error(&self, error: Error) -> Error {
        match self.phase {
            Phase::Revoke(_) => {
                let message = format!("the password change was applied, but revoking the user's sessions failed: {}", error.message());
                let mut wrapped = Error::new(error.code(), message).with_retryable(error.retryable());
                if let Some(okta) = error.okta() {
                    wrapped = wrapped.with_okta(okta.clone());
                }
                wrapped
            }
            _ => error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_refs() -> Result<()> {
        assert_eq!(UserRef::parse(" 00u1abcdefghijklmnop ")?, UserRef::Id("00u1abcdefghijklmnop".into()));
        assert_eq!(UserRef::parse("alice@example.com")?, UserRef::Login("alice@example.com".into()));
        assert!(UserRef::parse("").is_err() && UserRef::parse("a\nb").is_err());
        Ok(())
    }

    #[test]
    fn search_escapes_quotes_and_encodes() {
        assert_eq!(encode("a b/\"+@ë"), "a%20b%2F%22%2B%40%C3%AB");
        let literal = "x\"y\\".replace('\\', "\\\\").replace('"', "\\\"");
        assert_eq!(literal, "x\\\"y\\\\");
    }

    #[test]
    fn secrets_are_redacted() {
        let secret = Secret(Zeroizing::new("https://acme.okta.com/reset_password/abc".into()));
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
    }
}
