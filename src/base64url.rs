//! Unpadded base64url (RFC 4648 §5), as JOSE uses it.

use base64ct::{Base64UrlUnpadded, Encoding};

/// Encode bytes as unpadded base64url.
#[must_use]
pub fn encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Decode unpadded base64url; `None` when the text is not canonical base64url.
#[must_use]
pub fn decode(text: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(text).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip_and_rejects() {
        assert_eq!(super::encode(b"\xfb\xff"), "-_8");
        assert_eq!(super::decode("-_8").as_deref(), Some(&b"\xfb\xff"[..]));
        assert_eq!(super::decode("+/8"), None);
        assert_eq!(super::decode("-_8="), None);
    }
}
