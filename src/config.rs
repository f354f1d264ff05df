//! Config validation: org URL, client ID and private key, checked together and reported field by field.
//!
//! [`validate`] never fails: every problem, with its severity and fix, is in the returned [`Report`]. A
//! report without errors turns into a [`Config`], the only way to build one.

pub mod org_url;

use crate::error::{Error, ErrorCode, Field, Severity};
use crate::key::SigningKey;
pub use org_url::{OrgUrl, UrlPolicy};

/// Longest client ID accepted.
const MAX_CLIENT_ID: usize = 256;

/// The fields an admin fills in.
#[derive(Clone, Copy, Debug, Default)]
pub struct ConfigInput<'a> {
    /// Okta organization URL.
    pub org_url: &'a str,
    /// The API Services app's client ID.
    pub client_id: &'a str,
    /// The private key text, in any accepted form.
    pub private_key: &'a str,
    /// Optional Key ID (kid).
    pub key_id: Option<&'a str>,
}

/// One problem with one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The field concerned.
    pub field: Field,
    /// Stable code.
    pub code: ErrorCode,
    /// How serious.
    pub severity: Severity,
    /// Human text (never contains secrets).
    pub message: String,
}

impl Problem {
    /// The setup step that fixes it.
    #[must_use]
    pub fn fix(&self) -> Option<&'static str> {
        self.code.fix()
    }

    fn from_error(field: Field, error: &Error) -> Self {
        Self { field, code: error.code(), severity: Severity::Error, message: error.message().to_owned() }
    }
}

/// A usable configuration: accepted org URL, client ID and parsed key.
#[derive(Debug)]
pub struct Config {
    /// The normalised org URL.
    pub org_url: OrgUrl,
    /// The trimmed client ID.
    pub client_id: String,
    /// The signing key.
    pub key: SigningKey,
}

/// The outcome of [`validate`].
#[derive(Debug, Default)]
pub struct Report {
    /// The normalised org URL, when acceptable.
    pub org_url: Option<OrgUrl>,
    /// The trimmed client ID, when acceptable.
    pub client_id: Option<String>,
    /// The parsed key, when acceptable.
    pub key: Option<SigningKey>,
    /// Every problem found, in field order.
    pub problems: Vec<Problem>,
}

impl Report {
    /// True exactly when no problem is an error.
    #[must_use]
    pub fn ok(&self) -> bool {
        !self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    /// The configuration, or the first error.
    ///
    /// # Errors
    /// The first error-severity problem, with its field.
    pub fn into_config(self) -> Result<Config, Error> {
        if let Some(problem) = self.problems.iter().find(|p| p.severity == Severity::Error) {
            return Err(Error::new(problem.code, problem.message.clone()).with_field(problem.field));
        }
        match (self.org_url, self.client_id, self.key) {
            (Some(org_url), Some(client_id), Some(key)) => Ok(Config { org_url, client_id, key }),
            _ => Err(Error::new(ErrorCode::InvalidArgument, "the configuration is incomplete")),
        }
    }
}

/// Validate every field; never fails.
#[must_use]
pub fn validate(input: &ConfigInput<'_>, policy: &UrlPolicy) -> Report {
    let mut report = Report::default();

    let (org_url, findings) = org_url::parse(input.org_url, policy);
    report.org_url = org_url;
    report.problems.extend(findings.into_iter().map(|f| Problem {
        field: Field::OrgUrl,
        code: f.code,
        severity: f.severity,
        message: f.message,
    }));

    match check_client_id(input.client_id) {
        Ok((client_id, warning)) => {
            report.client_id = Some(client_id);
            report.problems.extend(warning);
        }
        Err(problem) => report.problems.push(problem),
    }

    match SigningKey::parse(input.private_key, input.key_id) {
        Ok(key) => report.key = Some(key),
        Err(error) => {
            let field = match error.code() {
                ErrorCode::KeyIdInvalid | ErrorCode::KeyIdMismatch | ErrorCode::KeyIdNotFound => Field::KeyId,
                _ => Field::PrivateKey,
            };
            report.problems.push(Problem::from_error(field, &error));
        }
    }
    report
}

/// The org URL and client ID alone, for a session (which never sees the key text): both normalised, or the
/// first error with its field.
///
/// # Errors
/// The org URL's or the client ID's first error-severity problem.
pub fn org_and_client(org_url: &str, client_id: &str, policy: &UrlPolicy) -> Result<(OrgUrl, String), Error> {
    let (org, findings) = org_url::parse(org_url, policy);
    let org = org.ok_or_else(|| {
        let finding = findings.into_iter().find(|f| f.severity == Severity::Error);
        finding.map_or_else(|| Error::new(ErrorCode::OrgUrlInvalid, "the org URL is not valid"), |f| Error::new(f.code, f.message))
            .with_field(Field::OrgUrl)
    })?;
    let (client_id, _unusual) = check_client_id(client_id).map_err(|p| Error::new(p.code, p.message).with_field(p.field))?;
    Ok((org, client_id))
}

fn check_client_id(client_id: &str) -> Result<(String, Option<Problem>), Problem> {
    let problem = |code, severity, message: &str| Problem { field: Field::ClientId, code, severity, message: message.to_owned() };
    let client_id = client_id.trim();
    if client_id.is_empty() {
        return Err(problem(ErrorCode::ClientIdMissing, Severity::Error, "enter the app's client ID"));
    }
    if client_id.len() > MAX_CLIENT_ID || client_id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(problem(ErrorCode::ClientIdInvalid, Severity::Error, "the client ID has spaces or control characters, or is too long"));
    }
    let okta_shaped = client_id.len() == 20 && client_id.starts_with("0oa") && client_id.bytes().all(|b| b.is_ascii_alphanumeric());
    let warning = (!okta_shaped).then(|| {
        problem(ErrorCode::ClientIdUnusual, Severity::Warning, "this does not look like an Okta client ID (20 characters starting with 0oa)")
    });
    Ok((client_id.to_owned(), warning))
}
