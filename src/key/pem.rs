//! PEM containers (RFC 7468), tolerant of what copy and paste does to them.

use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

use super::{Parsed, der};
use crate::error::{Error, ErrorCode, Result};

/// What a PEM label says the block holds.
enum Kind {
    Pkcs8,
    Pkcs1,
    Sec1,
    Encrypted,
    Public,
    Certificate,
    OpenSsh,
    OtherPrivate,
    Unknown,
}

fn kind(label: &str) -> Kind {
    match label {
        "PRIVATE KEY" => Kind::Pkcs8,
        "RSA PRIVATE KEY" => Kind::Pkcs1,
        "EC PRIVATE KEY" => Kind::Sec1,
        "ENCRYPTED PRIVATE KEY" => Kind::Encrypted,
        "PUBLIC KEY" | "RSA PUBLIC KEY" | "EC PUBLIC KEY" | "SSH2 PUBLIC KEY" => Kind::Public,
        "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" | "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
            Kind::Certificate
        }
        "OPENSSH PRIVATE KEY" => Kind::OpenSsh,
        "DSA PRIVATE KEY" | "ED25519 PRIVATE KEY" => Kind::OtherPrivate,
        _ => Kind::Unknown,
    }
}

/// One `-----BEGIN label----- … -----END label-----` block.
struct Block<'a> {
    label: &'a str,
    body: &'a str,
}

/// Find every block. A block without its END line is reported as truncated.
fn blocks(text: &str) -> Result<Vec<Block<'_>>> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after_begin = rest.get(start + "-----BEGIN ".len()..).unwrap_or_default();
        let Some(label_end) = after_begin.find("-----") else {
            return Err(truncated());
        };
        let label = after_begin.get(..label_end).unwrap_or_default().trim();
        let after_label = after_begin.get(label_end + 5..).unwrap_or_default();
        let end_marker = format!("-----END {label}-----");
        let Some(body_end) = after_label.find(&end_marker) else {
            return Err(truncated());
        };
        found.push(Block { label, body: after_label.get(..body_end).unwrap_or_default() });
        rest = after_label.get(body_end + end_marker.len()..).unwrap_or_default();
    }
    Ok(found)
}

fn truncated() -> Error {
    Error::new(ErrorCode::KeyMalformed, "the PEM block is cut off: its -----END …----- line is missing")
}

/// Parse the first private key found among the PEM blocks; explain what was found instead otherwise.
#[inline(never)] // see key::text::parse
pub(super) fn parse(text: &str) -> Result<Parsed> {
    let blocks = blocks(text)?;
    let mut first_problem = None;
    for block in &blocks {
        let outcome = match kind(block.label) {
            Kind::Pkcs8 => decode_body(block.body).and_then(|der| der::parse_pkcs8(&der)),
            Kind::Pkcs1 => decode_body(block.body).and_then(|der| der::parse_pkcs1(&der)),
            Kind::Sec1 => decode_body(block.body).and_then(|der| der::parse_sec1(&der)),
            Kind::Encrypted => Err(Error::new(ErrorCode::KeyEncrypted, "the private key is encrypted with a passphrase")),
            Kind::Public => Err(Error::new(ErrorCode::KeyIsPublic, "this is a public key (PEM PUBLIC KEY), not the private key")),
            Kind::Certificate => {
                Err(Error::new(ErrorCode::KeyIsCertificate, "this is a certificate, not the private key"))
            }
            Kind::OpenSsh => Err(Error::new(
                ErrorCode::KeyUnsupportedType,
                "OpenSSH private keys are not accepted; convert it with `ssh-keygen -p -m PKCS8 -f <file>` or use the key Okta generated",
            )),
            Kind::OtherPrivate => {
                Err(Error::new(ErrorCode::KeyUnsupportedType, format!("{} keys are not accepted by Okta", block.label)))
            }
            Kind::Unknown => Err(Error::new(ErrorCode::KeyUnrecognized, "the PEM block is not a private key")),
        };
        match outcome {
            Ok(parsed) => return Ok(parsed),
            Err(error) => {
                first_problem.get_or_insert(error);
            }
        }
    }
    Err(first_problem.unwrap_or_else(truncated))
}

/// Base64-decode a PEM body, ignoring all whitespace (so a PEM collapsed onto one line works) and rejecting
/// legacy encryption headers.
fn decode_body(body: &str) -> Result<Zeroizing<Vec<u8>>> {
    if body.contains("Proc-Type:") && body.contains("ENCRYPTED") {
        return Err(Error::new(ErrorCode::KeyEncrypted, "the private key is encrypted with a passphrase (Proc-Type: 4,ENCRYPTED)"));
    }
    let compact: Zeroizing<String> = Zeroizing::new(body.chars().filter(|c| !c.is_whitespace()).collect());
    Base64::decode_vec(&compact)
        .map(Zeroizing::new)
        .map_err(|_| Error::new(ErrorCode::KeyMalformed, "the PEM body is not valid base64: part of the key is missing or altered"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_blocks_and_reports_truncation() -> Result<()> {
        let found = blocks("junk -----BEGIN A B-----\nQUJD\n-----END A B----- x -----BEGIN C-----Zg==-----END C-----")?;
        assert_eq!(found.len(), 2);
        assert_eq!(found.first().map(|b| b.label), Some("A B"));
        assert_eq!(blocks("-----BEGIN A-----\nQUJD").err().map(|e| e.code()), Some(ErrorCode::KeyMalformed));
        assert_eq!(blocks("-----BEGIN A").err().map(|e| e.code()), Some(ErrorCode::KeyMalformed));
        Ok(())
    }

    #[test]
    fn body_ignores_whitespace() -> Result<()> {
        assert_eq!(decode_body(" QU JD\n RA== ")?.as_slice(), b"ABCD");
        Ok(())
    }
}
