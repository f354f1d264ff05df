//! Config validation, and the org URL policy that guards against SSRF.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use okta_connect::config::{self, ConfigInput, UrlPolicy};
use okta_connect::{ErrorCode, Field, Severity};

fn org(input: &str, policy: &UrlPolicy) -> Result<String, ErrorCode> {
    let (url, findings) = config::org_url::parse(input, policy);
    match url {
        Some(url) => Ok(url.as_str().to_owned()),
        None => Err(findings.first().map(|f| f.code).unwrap()),
    }
}

fn strict(input: &str) -> Result<String, ErrorCode> {
    org(input, &UrlPolicy::default())
}

#[test]
fn org_url_normalisation() {
    for (input, expected) in [
        ("acme.okta.com", "https://acme.okta.com"),
        ("  https://acme.okta.com/  ", "https://acme.okta.com"),
        ("HTTPS://ACME.OKTA.COM", "https://acme.okta.com"),
        ("https://acme.okta.com///", "https://acme.okta.com"),
        ("https://acme.okta.com/admin/dashboard?x=1#top", "https://acme.okta.com"),
        ("https://acme.okta.com?x", "https://acme.okta.com"),
        ("https://acme.okta.com#x", "https://acme.okta.com"),
        ("//acme.okta.com", "https://acme.okta.com"),
        ("https://acme.okta.com.", "https://acme.okta.com"),
        ("https://acme-admin.okta.com/admin/dashboard", "https://acme.okta.com"),
        ("dev-123456-admin.okta.com", "https://dev-123456.okta.com"),
        ("https://acme.oktapreview.com", "https://acme.oktapreview.com"),
        ("https://acme.okta-emea.com", "https://acme.okta-emea.com"),
        ("https://acme.okta-gov.com", "https://acme.okta-gov.com"),
        ("https://acme.okta.mil", "https://acme.okta.mil"),
        ("https://acme.okta-miltest.com", "https://acme.okta-miltest.com"),
        ("https://acme.trex-govcloud.com", "https://acme.trex-govcloud.com"),
        ("https://integrator-1234567.okta.com", "https://integrator-1234567.okta.com"),
    ] {
        assert_eq!(strict(input), Ok(expected.to_owned()), "{input}");
    }
}

#[test]
fn org_url_rejections() {
    use ErrorCode::*;
    for (input, code) in [
        ("", OrgUrlMissing),
        ("   ", OrgUrlMissing),
        ("http://acme.okta.com", OrgUrlInsecure),
        ("ftp://acme.okta.com", OrgUrlInsecure),
        ("javascript:alert(1)", OrgUrlInvalid),
        ("https://acme.okta.com@evil.com", OrgUrlUserinfo),
        ("https://user:pass@acme.okta.com", OrgUrlUserinfo),
        ("https://acme.okta.com:8443", OrgUrlPort),
        ("https://acme.okta.com:443", OrgUrlPort),
        ("https://127.0.0.1", OrgUrlIpLiteral),
        ("https://[::1]", OrgUrlIpLiteral),
        ("https://[fe80::1]/x", OrgUrlIpLiteral),
        ("https://2130706433", OrgUrlIpLiteral),
        ("https://0x7f000001", OrgUrlIpLiteral),
        ("https://0177.0.0.1", OrgUrlIpLiteral),
        ("https://169.254.169.254/latest/meta-data", OrgUrlIpLiteral),
        ("http://localhost:8080", OrgUrlInsecure),
        ("https://localhost", OrgUrlNotOkta),
        ("https://acme.okta.com.evil.com", OrgUrlNotOkta),
        ("https://evilokta.com", OrgUrlNotOkta),
        ("https://okta.com", OrgUrlNotOkta),
        ("https://.okta.com", OrgUrlInvalid),
        ("https://acme.okta.co", OrgUrlNotOkta),
        ("https://acme..okta.com", OrgUrlInvalid),
        ("https://ac me.okta.com", OrgUrlInvalid),
        ("https://acme.okta.com\\@evil.com", OrgUrlInvalid),
        ("https://acme\u{2024}okta.com", OrgUrlNonAscii),
        ("https://аcme.okta.com", OrgUrlNonAscii),
        ("https://xn--cme-8cd.okta.com", OrgUrlNonAscii),
        ("https://acme_corp.okta.com", OrgUrlInvalid),
        ("https://-acme.okta.com", OrgUrlInvalid),
        ("https://{yourOktaDomain}", OrgUrlInvalid),
        (&format!("https://{}.okta.com", "a".repeat(3000)), OrgUrlInvalid),
        (&format!("{}.okta.com", ["abcdefghij"; 25].join(".")), OrgUrlInvalid),
        ("https://a--admin.okta.com", OrgUrlInvalid),
        ("https://a-admin-admin.okta.com", OrgUrlInvalid),
    ] {
        assert_eq!(strict(input), Err(code), "{input}");
    }
}

#[test]
fn allowed_hosts_and_loopback() {
    let policy = UrlPolicy { allowed_hosts: vec![" Login.Example.com ".into()], allow_insecure_loopback: false };
    assert_eq!(org("https://login.example.com/", &policy), Ok("https://login.example.com".into()));
    assert_eq!(org("https://evil.login.example.com", &policy), Err(ErrorCode::OrgUrlNotOkta));
    assert_eq!(org("http://login.example.com", &policy), Err(ErrorCode::OrgUrlInsecure));
    assert_eq!(org("https://login.example.com:444", &policy), Err(ErrorCode::OrgUrlPort));

    let loopback = UrlPolicy { allowed_hosts: vec![], allow_insecure_loopback: true };
    assert_eq!(org("http://127.0.0.1:8787/", &loopback), Ok("http://127.0.0.1:8787".into()));
    assert_eq!(org("http://localhost:3000", &loopback), Ok("http://localhost:3000".into()));
    assert_eq!(org("http://[::1]:3000", &loopback), Ok("http://[::1]:3000".into()));
    assert_eq!(org("http://127.0.0.1:99999", &loopback), Err(ErrorCode::OrgUrlPort));
    assert_eq!(org("http://10.0.0.1:80", &loopback), Err(ErrorCode::OrgUrlInsecure));
    assert_eq!(org("https://10.0.0.1", &loopback), Err(ErrorCode::OrgUrlIpLiteral));
    assert_eq!(org("http://acme.okta.com", &loopback), Err(ErrorCode::OrgUrlInsecure));
}

fn key(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn validate_reports_every_field() {
    let pem = key("rsa2048.pkcs8.pem");
    let good = ConfigInput { org_url: "acme-admin.okta.com/", client_id: " 0oa1bcdefghijklmnop2 ", private_key: &pem, key_id: None };
    let report = config::validate(&good, &UrlPolicy::default());
    assert!(report.ok());
    assert_eq!(report.org_url.as_ref().map(|u| u.token_url()), Some("https://acme.okta.com/oauth2/v1/token".to_owned()));
    assert_eq!(report.problems.len(), 1);
    assert_eq!((report.problems[0].code, report.problems[0].severity), (ErrorCode::OrgUrlAdminRewritten, Severity::Notice));
    let config = report.into_config().unwrap();
    assert_eq!(config.client_id, "0oa1bcdefghijklmnop2");

    let unusual = config::validate(&ConfigInput { client_id: "my-app", ..good }, &UrlPolicy::default());
    assert!(unusual.ok());
    assert!(unusual.problems.iter().any(|p| p.code == ErrorCode::ClientIdUnusual && p.severity == Severity::Warning && p.fix().is_some()));

    let public = key("rsa2048.public.pem");
    let bad = ConfigInput { org_url: "https://evil.com", client_id: "0oa1\u{0}x", private_key: &public, key_id: None };
    let report = config::validate(&bad, &UrlPolicy::default());
    assert!(!report.ok());
    let fields: Vec<(Field, ErrorCode)> = report.problems.iter().map(|p| (p.field, p.code)).collect();
    assert_eq!(fields, vec![
        (Field::OrgUrl, ErrorCode::OrgUrlNotOkta),
        (Field::ClientId, ErrorCode::ClientIdInvalid),
        (Field::PrivateKey, ErrorCode::KeyIsPublic),
    ]);
    assert!(report.problems.iter().all(|p| p.fix().is_some()));
    assert_eq!(report.into_config().unwrap_err().field(), Some(Field::OrgUrl));

    let jwk = key("p256.jwk.json");
    let mismatch = config::validate(&ConfigInput { private_key: &jwk, key_id: Some("other"), ..good }, &UrlPolicy::default());
    assert_eq!(mismatch.problems.last().map(|p| (p.field, p.code)), Some((Field::KeyId, ErrorCode::KeyIdMismatch)));
    let empty = config::validate(&ConfigInput::default(), &UrlPolicy::default());
    let codes: Vec<ErrorCode> = empty.problems.iter().map(|p| p.code).collect();
    assert_eq!(codes, vec![ErrorCode::OrgUrlMissing, ErrorCode::ClientIdMissing, ErrorCode::KeyMissing]);
}

#[test]
fn readme_troubleshooting_table_lists_every_error_code() {
    let readme = std::fs::read_to_string(format!("{}/README.md", env!("CARGO_MANIFEST_DIR"))).unwrap();
    for code in okta_connect::ErrorCode::ALL {
        assert!(readme.contains(&format!("| `{}` |", code.as_str())), "README lacks a troubleshooting row for {code}");
    }
}

#[test]
fn typescript_error_code_union_lists_every_error_code() {
    let boundary = std::fs::read_to_string(format!("{}/src/wasm.rs", env!("CARGO_MANIFEST_DIR"))).unwrap();
    for code in okta_connect::ErrorCode::ALL {
        assert!(boundary.contains(&format!("'{}'", code.as_str())), "the ErrorCode TypeScript union lacks {code}");
    }
}

#[test]
fn a_normalised_org_url_is_a_fixed_point() {
    for input in ["acme-admin.okta.com/x", "https://ACME.okta.com.", "//acme.oktapreview.com?x", "a-b-admin.okta-emea.com"] {
        let once = strict(input).unwrap();
        assert_eq!(strict(&once), Ok(once.clone()), "{input}");
    }
}

#[test]
fn org_and_client_alone_for_a_session() {
    let policy = UrlPolicy::default();
    let (org, client) = config::org_and_client(" acme-admin.okta.com/ ", " 0oa1bcdefghijklmnop2 ", &policy).unwrap();
    assert_eq!((org.as_str(), client.as_str()), ("https://acme.okta.com", "0oa1bcdefghijklmnop2"));
    let error = config::org_and_client("https://evil.com", "0oa1bcdefghijklmnop2", &policy).unwrap_err();
    assert_eq!((error.code(), error.field()), (ErrorCode::OrgUrlNotOkta, Some(Field::OrgUrl)));
    let error = config::org_and_client("acme.okta.com", "a b", &policy).unwrap_err();
    assert_eq!((error.code(), error.field()), (ErrorCode::ClientIdInvalid, Some(Field::ClientId)));
}
