//! The HTTP vocabulary between the core and its host.

use core::fmt;

use zeroize::Zeroizing;

use crate::key::Algorithm;

/// HTTP methods okta-connect uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// DELETE
    Delete,
}

impl Method {
    /// Upper-case name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Delete => "DELETE",
        }
    }
}

/// Which key must sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signer {
    /// The customer's client key (client assertions).
    Client,
    /// The session's DPoP key (proofs).
    Dpop,
}

impl Signer {
    /// `client` or `dpop`, as JS sees it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::Dpop => "dpop",
        }
    }
}

/// One JWS signing input the host must sign with the named key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignRequest {
    /// Which key.
    pub signer: Signer,
    /// Which algorithm (RS256… for the client key, ES256 for DPoP).
    pub algorithm: Algorithm,
    /// The exact ASCII text to sign.
    pub input: String,
}

/// A request to perform exactly as given.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// Method.
    pub method: Method,
    /// Absolute URL.
    pub url: String,
    /// Header name/value pairs.
    pub headers: Vec<(String, String)>,
    /// Body, when any (may hold a password: zeroized on drop, never printed).
    pub body: Option<Zeroizing<String>>,
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &self.body.as_ref().map(|b| format!("<{} bytes>", b.len())))
            .finish()
    }
}

/// What came back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Header name/value pairs (names in any case).
    pub headers: Vec<(String, String)>,
    /// Body text (the host caps its size).
    pub body: String,
}

impl Response {
    /// The first value of a header, case-insensitively.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim())
    }
}

/// Why no response came back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No answer within the host's timeout.
    Timeout,
    /// DNS, TLS, connection reset, CORS refusal, or the response body could not be read.
    Network,
    /// The caller aborted.
    Aborted,
}
