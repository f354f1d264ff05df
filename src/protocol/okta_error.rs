//! What Okta's error answers mean: the OAuth error object of the token endpoint, the Okta error object of
//! `/api/v1`, and DPoP errors in `WWW-Authenticate`, each mapped to one stable code with its fix.

use crate::json::Value;

use super::http::Response;
use crate::error::{Error, ErrorCode, OktaDetails};

/// Largest number of error causes kept.
const MAX_CAUSES: usize = 20;
/// Longest Okta-provided text kept in a message.
const MAX_TEXT: usize = 1000;

fn text(value: Option<&Value>) -> Option<String> {
    value.and_then(Value::as_str).map(|s| s.chars().take(MAX_TEXT).collect())
}

/// A parameter of a `WWW-Authenticate: DPoP k="v", …` header.
pub(crate) fn www_authenticate_param(response: &Response, name: &str) -> Option<String> {
    let header = response.header("www-authenticate")?;
    let needle = format!("{name}=\"");
    let start = header.match_indices(&needle).find(|(at, _)| {
        header.get(..*at).is_some_and(|before| before.ends_with(' ') || before.ends_with(',') || before.is_empty())
    })?.0 + needle.len();
    let rest = header.get(start..)?;
    let end = rest.find('"')?;
    rest.get(..end).map(|v| v.chars().take(MAX_TEXT).collect())
}

/// Everything Okta said, from the body (Okta or OAuth error object) or from `WWW-Authenticate`.
pub(crate) fn details(response: &Response) -> OktaDetails {
    let mut details = OktaDetails { status: response.status, ..OktaDetails::default() };
    if let Ok(body) = Value::parse(&response.body) {
        if body.get("errorCode").is_some() {
            details.error_code = text(body.get("errorCode"));
            details.error_summary = text(body.get("errorSummary"));
            details.error_id = text(body.get("errorId"));
            details.error_causes = body
                .get("errorCauses")
                .and_then(Value::as_array)
                .map(|causes| causes.iter().filter_map(|c| text(c.get("errorSummary"))).take(MAX_CAUSES).collect())
                .unwrap_or_default();
        } else if body.get("error").is_some() {
            details.error_code = text(body.get("error"));
            details.error_summary = text(body.get("error_description"));
        }
    }
    if details.error_code.is_none() {
        details.error_code = www_authenticate_param(response, "error");
        details.error_summary = www_authenticate_param(response, "error_description");
    }
    details
}

fn build(code: ErrorCode, lead: &str, details: OktaDetails, retryable: bool) -> Error {
    let mut message = match &details.error_summary {
        Some(summary) => format!("{lead}: {summary}"),
        None => format!("{lead} (HTTP {})", details.status),
    };
    if !details.error_causes.is_empty() {
        message.push_str(" — ");
        message.push_str(&details.error_causes.join("; "));
    }
    Error::new(code, message).with_okta(details).with_retryable(retryable)
}

/// The meaning of a failed token request.
pub(crate) fn token_error(response: &Response) -> Error {
    let details = details(response);
    let error = details.error_code.clone().unwrap_or_default();
    let description = details.error_summary.clone().unwrap_or_default();
    let has = |needle: &str| description.contains(needle);
    let (code, lead, retryable) = match (response.status, error.as_str()) {
        (429, _) => (ErrorCode::OktaRateLimited, "Okta's rate limit for the token endpoint was exceeded", true),
        (500..=599, _) => (ErrorCode::OktaServerError, "Okta's token endpoint failed", true),
        (404, _) => (ErrorCode::OktaOrgNotFound, "there is no Okta token endpoint at this org URL", false),
        (_, "invalid_client" | "unauthorized_client") => {
            let code = if has("token_endpoint_auth_method") {
                ErrorCode::OktaClientSecretSelected
            } else if has("signature is invalid") || has("signature algorithm") || has("signed using a signing key") {
                ErrorCode::OktaWrongKey
            } else if has("kid is invalid") {
                ErrorCode::OktaWrongKid
            } else if has("audience") {
                ErrorCode::OktaWrongAudience
            } else if has("expired") || has("issued before") || has("too far into the future") {
                ErrorCode::OktaClockSkew
            } else if has("already been used") {
                ErrorCode::OktaAssertionReplayed
            } else if has("JWKSet") || has("'use' parameter") {
                ErrorCode::OktaNoPublicKey
            } else if has("application_type") {
                ErrorCode::OktaNotServiceApp
            } else {
                ErrorCode::OktaUnknownClient
            };
            (code, "Okta rejected the client authentication", code == ErrorCode::OktaAssertionReplayed)
        }
        (_, "invalid_scope" | "consent_required") => {
            (ErrorCode::OktaScopeNotGranted, "Okta refused the scope okta.users.manage", false)
        }
        (_, "invalid_dpop_proof") => (ErrorCode::OktaDpopRejected, "Okta rejected the DPoP proof", false),
        (_, "use_dpop_nonce") => (ErrorCode::OktaDpopNonceLoop, "Okta asked for a new DPoP nonce again", true),
        (_, "") => (ErrorCode::OktaBadResponse, "the token endpoint's answer is not an Okta error object", false),
        _ => (ErrorCode::OktaApiError, "Okta refused the token request", false),
    };
    build(code, lead, details, retryable)
}

/// The meaning of a failed `/api/v1` request.
pub(crate) fn api_error(response: &Response) -> Error {
    let details = details(response);
    let error = details.error_code.clone().unwrap_or_default();
    let password_cause = details.error_causes.iter().any(|c| c.to_ascii_lowercase().contains("password"));
    let insufficient_scope = www_authenticate_param(response, "error").as_deref() == Some("insufficient_scope");
    let (code, lead, retryable) = match (response.status, error.as_str()) {
        (403, _) if insufficient_scope => {
            (ErrorCode::OktaScopeNotGranted, "the token lacks the scope okta.users.manage", false)
        }
        (429, _) | (_, "E0000047") => (ErrorCode::OktaRateLimited, "Okta's rate limit was exceeded", true),
        (500..=599, _) => (ErrorCode::OktaServerError, "Okta failed", true),
        (_, "E0000006" | "E0000015") => {
            (ErrorCode::OktaPermissionDenied, "the app's admin role does not allow this", false)
        }
        (_, "E0000007") => (ErrorCode::OktaUserNotFound, "no such user", false),
        (_, "E0000001") if password_cause => (ErrorCode::OktaPasswordPolicy, "the password was refused", false),
        (_, "E0000014" | "E0000080" | "E0000259") => (ErrorCode::OktaPasswordPolicy, "the password was refused", false),
        (_, "E0000001" | "E0000003" | "E0000031") => (ErrorCode::OktaValidation, "Okta refused the request", false),
        (_, "E0000016" | "E0000017" | "E0000038" | "E0000112" | "E0000119" | "E0000155" | "E0000156") => {
            (ErrorCode::OktaUserStatus, "not allowed for this user's current status", false)
        }
        (_, "E0000004" | "E0000005" | "E0000011" | "invalid_token") => {
            (ErrorCode::OktaInvalidToken, "Okta rejected the access token", false)
        }
        (_, "invalid_dpop_proof" | "use_dpop_nonce" | "invalid_request") => {
            (ErrorCode::OktaDpopRejected, "Okta rejected the DPoP proof", false)
        }
        (_, "") => (ErrorCode::OktaBadResponse, "the answer is not an Okta error object", false),
        _ => (ErrorCode::OktaApiError, "Okta refused the request", false),
    };
    build(code, lead, details, retryable)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str, headers: &[(&str, &str)]) -> Response {
        Response {
            status,
            body: body.to_owned(),
            headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
        }
    }

    #[test]
    fn token_errors_map_to_setup_steps() {
        let cases = [
            ("The client_assertion signature is invalid.", ErrorCode::OktaWrongKey),
            ("The client_assertion JWT kid is invalid.", ErrorCode::OktaWrongKid),
            ("Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method.", ErrorCode::OktaClientSecretSelected),
            ("The audience claim for client_assertion must be the endpoint invoked for the request.", ErrorCode::OktaWrongAudience),
            ("The client_assertion token must be issued before the current time.", ErrorCode::OktaClockSkew),
            ("The client_assertion token has already been used.", ErrorCode::OktaAssertionReplayed),
            ("The issuer claim for client_assertion is not a valid client_id.", ErrorCode::OktaUnknownClient),
            ("The client does not have a JWKSet configured, but the client_assertion requires one.", ErrorCode::OktaNoPublicKey),
        ];
        for (description, code) in cases {
            let body = crate::json::Object::new().str("error", "invalid_client").str("error_description", description).finish();
            let error = token_error(&response(401, &body, &[]));
            assert_eq!(error.code(), code, "{description}");
            assert!(error.message().contains(description));
            assert_eq!(error.okta().map(|d| d.status), Some(401));
        }
        let scope = token_error(&response(400, r#"{"error":"invalid_scope","error_description":"x"}"#, &[]));
        assert_eq!(scope.code(), ErrorCode::OktaScopeNotGranted);
        assert!(scope.fix().is_some_and(|f| f.contains("okta.users.manage")));
        assert_eq!(token_error(&response(404, "<html>", &[])).code(), ErrorCode::OktaOrgNotFound);
        assert_eq!(token_error(&response(400, "<html>", &[])).code(), ErrorCode::OktaBadResponse);
        assert!(token_error(&response(503, "", &[])).retryable());
    }

    #[test]
    fn api_errors_keep_okta_fields() {
        let body = r#"{"errorCode":"E0000001","errorSummary":"Api validation failed: password","errorLink":"E0000001","errorId":"oae123","errorCauses":[{"errorSummary":"password: Password requirements were not met."}]}"#;
        let error = api_error(&response(400, body, &[]));
        assert_eq!(error.code(), ErrorCode::OktaPasswordPolicy);
        let okta = error.okta().cloned().unwrap_or_default();
        assert_eq!((okta.error_code.as_deref(), okta.error_id.as_deref()), (Some("E0000001"), Some("oae123")));
        assert_eq!(okta.error_causes, vec!["password: Password requirements were not met.".to_owned()]);
        assert!(error.message().contains("Password requirements were not met"));
        let scope = response(403, r#"{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action"}"#, &[("WWW-Authenticate", r#"Bearer realm="IdpMyAccountAPI", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.""#)]);
        assert_eq!(api_error(&scope).code(), ErrorCode::OktaScopeNotGranted);
        let forbidden = api_error(&response(403, r#"{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action"}"#, &[]));
        assert_eq!(forbidden.code(), ErrorCode::OktaPermissionDenied);
        assert_eq!(api_error(&response(403, r#"{"errorCode":"E0000038"}"#, &[])).code(), ErrorCode::OktaUserStatus);
    }

    #[test]
    fn dpop_errors_from_www_authenticate() {
        let header = r#"DPoP algs="RS256 ES256", realm="https://a.okta.com", error="invalid_dpop_proof", error_description="The DPoP proof JWT has already been used.""#;
        let r = response(401, "", &[("WWW-Authenticate", header)]);
        assert_eq!(www_authenticate_param(&r, "error").as_deref(), Some("invalid_dpop_proof"));
        let error = api_error(&r);
        assert_eq!(error.code(), ErrorCode::OktaDpopRejected);
        assert!(error.message().contains("already been used"));
    }
}
