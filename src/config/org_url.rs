//! The org URL policy: normalise what admins type, and accept only Okta's own domains (or hosts the
//! platform operator allowed). This is the SSRF guard: the platform fetches whatever this accepts.

use crate::error::{ErrorCode, Severity};

/// Okta's domains: an org is always a subdomain of one of these.
pub const OKTA_DOMAINS: &[&str] =
    &["okta.com", "oktapreview.com", "okta-emea.com", "okta-gov.com", "okta.mil", "okta-miltest.com", "trex-govcloud.com"];

/// Longest org URL accepted before parsing.
const MAX_LEN: usize = 2048;
/// Longest host name (DNS).
const MAX_HOST: usize = 253;

/// How the org URL is checked.
#[derive(Clone, Debug, Default)]
pub struct UrlPolicy {
    /// Extra exact hosts (custom URL domains) accepted besides Okta's domains.
    pub allowed_hosts: Vec<String>,
    /// Accept `http://` (and any port) on loopback hosts, for local emulators and tests.
    pub allow_insecure_loopback: bool,
}

/// A normalised, accepted org URL: `https://host` (or `http://127.0.0.1:port` under the loopback option).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgUrl {
    origin: String,
}

impl OrgUrl {
    /// The origin, e.g. `https://acme.okta.com`; no trailing slash.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.origin
    }

    /// The org authorization server's token endpoint (the assertion's `aud`).
    #[must_use]
    pub fn token_url(&self) -> String {
        format!("{}/oauth2/v1/token", self.origin)
    }
}

/// A finding about the URL: rejections, and notices about what was normalised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Stable code.
    pub code: ErrorCode,
    /// How serious.
    pub severity: Severity,
    /// Human text (never contains secrets).
    pub message: String,
}

fn reject(code: ErrorCode, message: impl Into<String>) -> (Option<OrgUrl>, Vec<Finding>) {
    (None, vec![Finding { code, severity: Severity::Error, message: message.into() }])
}

/// Check and normalise an org URL. Returns the URL when accepted, plus every finding.
#[must_use]
pub fn parse(input: &str, policy: &UrlPolicy) -> (Option<OrgUrl>, Vec<Finding>) {
    let input = input.trim();
    if input.is_empty() {
        return reject(ErrorCode::OrgUrlMissing, "enter your Okta organization URL");
    }
    if input.len() > MAX_LEN || input.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') {
        return reject(ErrorCode::OrgUrlInvalid, "the URL has spaces, backslashes or control characters");
    }
    let (scheme, rest) = match input.find("://") {
        Some(at) => (input.get(..at).unwrap_or_default().to_ascii_lowercase(), input.get(at + 3..).unwrap_or_default()),
        None if input.contains(':') && !input.contains('.') => {
            return reject(ErrorCode::OrgUrlInvalid, "the URL is not an https address");
        }
        None => ("https".to_owned(), input.trim_start_matches('/')),
    };
    if scheme != "https" && scheme != "http" {
        return reject(ErrorCode::OrgUrlInsecure, format!("\"{scheme}\" URLs are not accepted; use https"));
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..authority_end).unwrap_or_default();
    let trailing = rest.get(authority_end..).unwrap_or_default();
    if authority.contains('@') {
        return reject(ErrorCode::OrgUrlUserinfo, "the URL has a user name or password before '@'");
    }
    if !authority.is_ascii() {
        return reject(ErrorCode::OrgUrlNonAscii, "the host has non-ASCII characters (possible look-alike)");
    }
    let (host, port) = split_port(authority);
    let host = host.to_ascii_lowercase();
    if host.is_empty() {
        return reject(ErrorCode::OrgUrlInvalid, "the URL has no host");
    }

    if is_loopback(&host) && policy.allow_insecure_loopback {
        let origin = match port {
            Some(port) if valid_port(port) => format!("{scheme}://{host}:{port}"),
            Some(_) => return reject(ErrorCode::OrgUrlPort, "the port is not a number from 1 to 65535"),
            None => format!("{scheme}://{host}"),
        };
        return (Some(OrgUrl { origin }), normalisation_notice(trailing));
    }
    if scheme != "https" {
        return reject(ErrorCode::OrgUrlInsecure, "http:// is not accepted; Okta orgs are served over https");
    }
    if port.is_some() {
        return reject(ErrorCode::OrgUrlPort, "Okta orgs are served on the default https port; remove the port");
    }
    if is_ip_literal(&host) {
        return reject(ErrorCode::OrgUrlIpLiteral, "the host is an IP address, not an Okta domain");
    }
    let host = host.strip_suffix('.').unwrap_or(&host);
    if host.len() > MAX_HOST || !host.split('.').all(valid_label) {
        return reject(ErrorCode::OrgUrlInvalid, "the host name is not valid");
    }
    if host.split('.').any(|label| label.starts_with("xn--")) {
        return reject(ErrorCode::OrgUrlNonAscii, "the host uses punycode (internationalised) labels, a look-alike risk");
    }

    let mut findings = normalisation_notice(trailing);
    let allowed_custom = policy.allowed_hosts.iter().any(|h| h.trim().trim_end_matches('.').eq_ignore_ascii_case(host));
    let host = if allowed_custom {
        host.to_owned()
    } else {
        let Some(domain) = okta_domain(host) else {
            return reject(
                ErrorCode::OrgUrlNotOkta,
                format!("\"{host}\" is not an Okta domain (*.okta.com, *.oktapreview.com, *.okta-emea.com, …)"),
            );
        };
        match strip_admin(host, domain) {
            // Okta reserves `-admin` for the Admin Console, so an org's own label never ends with it (or a
            // normalised URL would be rewritten again, to another org, the next time it is validated).
            Some(org) if !org.split('.').next().is_some_and(|label| valid_label(label) && !label.ends_with("-admin")) => {
                return reject(ErrorCode::OrgUrlInvalid, "this is not the address of an Okta org (its name cannot end in -admin)");
            }
            Some(org) => {
                findings.push(Finding {
                    code: ErrorCode::OrgUrlAdminRewritten,
                    severity: Severity::Notice,
                    message: format!("this is the Admin Console address; using the org URL https://{org} instead"),
                });
                org
            }
            None => host.to_owned(),
        }
    };
    (Some(OrgUrl { origin: format!("https://{host}") }), findings)
}

fn normalisation_notice(trailing: &str) -> Vec<Finding> {
    if trailing.trim_start_matches('/').is_empty() {
        return Vec::new();
    }
    vec![Finding {
        code: ErrorCode::OrgUrlNormalized,
        severity: Severity::Notice,
        message: "the path, query or fragment after the host was removed".to_owned(),
    }]
}

/// Split `host:port` (a bracketed IPv6 host keeps its colons).
fn split_port(authority: &str) -> (&str, Option<&str>) {
    if authority.starts_with('[') {
        return match authority.find(']') {
            Some(end) => {
                let host = authority.get(..=end).unwrap_or(authority);
                let port = authority.get(end + 1..).and_then(|p| p.strip_prefix(':'));
                (host, port)
            }
            None => (authority, None),
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    }
}

fn valid_port(port: &str) -> bool {
    !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u16>().is_ok_and(|p| p > 0)
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host == "[::1]" || is_dotted_ipv4(host) && host.starts_with("127.")
}

fn is_dotted_ipv4(host: &str) -> bool {
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4 && parts.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Any host a resolver could read as an IP address: IPv6 in brackets, dotted or single-number IPv4 in decimal,
/// octal or hex (`2130706433`, `0x7f.1`, `0177.0.0.1`).
fn is_ip_literal(host: &str) -> bool {
    if host.starts_with('[') {
        return true;
    }
    let host = host.strip_suffix('.').unwrap_or(host);
    let last = host.rsplit('.').next().unwrap_or(host);
    let numeric = |label: &str| {
        !label.is_empty()
            && (label.bytes().all(|b| b.is_ascii_digit())
                || label.strip_prefix("0x").is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit())))
    };
    numeric(last)
}

fn valid_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

/// The Okta domain `host` is a proper subdomain of, if any.
fn okta_domain(host: &str) -> Option<&'static str> {
    OKTA_DOMAINS.iter().copied().find(|domain| {
        host.strip_suffix(domain).and_then(|prefix| prefix.strip_suffix('.')).is_some_and(|sub| !sub.is_empty())
    })
}

/// `acme-admin.okta.com` → `acme.okta.com`.
fn strip_admin(host: &str, domain: &str) -> Option<String> {
    let sub = host.strip_suffix(domain)?.strip_suffix('.')?;
    let (first, rest) = match sub.split_once('.') {
        Some((first, rest)) => (first, Some(rest)),
        None => (sub, None),
    };
    let org = first.strip_suffix("-admin").filter(|o| !o.is_empty())?;
    Some(match rest {
        Some(rest) => format!("{org}.{rest}.{domain}"),
        None => format!("{org}.{domain}"),
    })
}
