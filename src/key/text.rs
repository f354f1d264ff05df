//! From pasted text to a key: undo the ways text gets mangled on its way here, then pick the decoder.

use zeroize::Zeroizing;

use super::{Parsed, der, jwk, pem, MAX_KEY_TEXT};
use crate::error::{Error, ErrorCode, Result};

/// Parse pasted key text of any accepted form.
pub(super) fn parse(text: &str, key_id: Option<&str>) -> Result<Parsed> {
    if text.len() > MAX_KEY_TEXT {
        return Err(Error::new(
            ErrorCode::KeyTooLarge,
            format!("the key text is {} bytes; a private key is at most {} KiB", text.len(), MAX_KEY_TEXT / 1024),
        ));
    }
    let text = unwrap_text(text);
    let text = text.as_str();
    if text.is_empty() {
        return Err(Error::new(ErrorCode::KeyMissing, "no private key was given"));
    }
    // The decoders are not inlined here (#[inline(never)]): a wasm engine compiles a function on its first call,
    // so a cold start compiles only the decoder of the form the key was pasted in.
    if text.starts_with('{') || text.starts_with('[') {
        return jwk::parse(text, key_id);
    }
    if text.contains("-----BEGIN") {
        return pem::parse(text);
    }
    if text.starts_with("ssh-") || text.starts_with("ecdsa-sha2-") {
        return Err(Error::new(ErrorCode::KeyIsPublic, "this is an OpenSSH public key, not a private key"));
    }
    if looks_like_base64(text) {
        return der::parse_unlabelled(text);
    }
    Err(Error::new(ErrorCode::KeyUnrecognized, "the text is neither a JWK, a JWKS nor a PEM private key"))
}

/// Strip what surrounds the key: whitespace, a BOM, quotes (or a JSON string literal, decoded), literal `\n`
/// escapes and CRLF line ends.
fn unwrap_text(text: &str) -> Zeroizing<String> {
    let mut current = Zeroizing::new(trim(text).to_owned());
    // A few rounds cover a JSON string inside quotes inside an env var; each round only ever shrinks the text.
    for _ in 0..4 {
        let next = if current.starts_with('"') && current.ends_with('"') && current.len() >= 2 {
            match crate::json::Value::parse(&current) {
                Ok(crate::json::Value::String(decoded)) => Zeroizing::new(decoded),
                _ => Zeroizing::new(strip_ends(&current).to_owned()),
            }
        } else if (current.starts_with('\'') && current.ends_with('\'') || current.starts_with('`') && current.ends_with('`'))
            && current.len() >= 2
        {
            Zeroizing::new(strip_ends(&current).to_owned())
        } else {
            break;
        };
        current = Zeroizing::new(trim(&next).to_owned());
    }
    if !current.starts_with('{') && !current.starts_with('[') && current.contains('\\') {
        // PEM pasted from a .env file or JSON config: "-----BEGIN…\nMIIE…" with literal backslash-n.
        current = Zeroizing::new(current.replace("\\r\\n", "\n").replace("\\n", "\n").replace("\\r", "\n"));
    }
    if current.contains('\r') {
        current = Zeroizing::new(current.replace("\r\n", "\n").replace('\r', "\n"));
    }
    current
}

fn trim(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

/// The text without its first and last character (both ASCII quotes, checked by the caller).
fn strip_ends(text: &str) -> &str {
    text.get(1..text.len().saturating_sub(1)).unwrap_or_default()
}

fn looks_like_base64(text: &str) -> bool {
    text.len() >= 64
        && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_') || c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::unwrap_text;

    #[test]
    fn unwraps_quotes_json_strings_and_escapes() {
        assert_eq!(unwrap_text("  'abc'  ").as_str(), "abc");
        assert_eq!(unwrap_text("\"{\\\"kty\\\":\\\"RSA\\\"}\"").as_str(), "{\"kty\":\"RSA\"}");
        assert_eq!(unwrap_text("\"-----BEGIN X-----\\nAB\\n-----END X-----\"").as_str(), "-----BEGIN X-----\nAB\n-----END X-----");
        assert_eq!(unwrap_text("-----BEGIN X-----\\r\\nAB").as_str(), "-----BEGIN X-----\nAB");
        assert_eq!(unwrap_text("\u{feff}a\r\nb\r").as_str(), "a\nb");
        assert_eq!(unwrap_text("\"").as_str(), "\"");
        assert_eq!(unwrap_text("`\"'x'\"`").as_str(), "x");
    }
}
