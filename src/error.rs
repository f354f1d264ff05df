//! The one error type of okta-connect.
//!
//! Every failure carries a stable machine [`ErrorCode`] (its `as_str()` is what JS sees as `error.code`),
//! a human message and, where the cause lies in the customer's Okta setup or in what they pasted, the exact
//! step that fixes it. Messages never contain secrets: no key material, passwords, tokens or reset URLs.

use core::fmt;

/// Which configuration field a problem belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The Okta organization URL.
    OrgUrl,
    /// The API Services app's client ID.
    ClientId,
    /// The pasted private key.
    PrivateKey,
    /// The optional Key ID (kid).
    KeyId,
}

impl Field {
    /// The name of the field as the JS API spells it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::OrgUrl => "orgUrl",
            Self::ClientId => "clientId",
            Self::PrivateKey => "privateKey",
            Self::KeyId => "keyId",
        }
    }
}

/// How serious a configuration problem is. Only `Error` makes a configuration unusable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The configuration cannot be used.
    Error,
    /// Usable, but probably not what was meant.
    Warning,
    /// Something was normalised on the admin's behalf.
    Notice,
}

impl Severity {
    /// Lower-case name, as JS sees it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Notice => "notice",
        }
    }
}

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, fix: $fix:expr; )*) => {
        /// Stable machine-readable error codes. The string forms never change once released.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, in declaration order (used by docs and tests).
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The stable string form, e.g. `"key_is_public"`.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $( Self::$variant => $code, )* }
            }

            /// The setup step that fixes this failure, when the fix is on the customer's side.
            #[must_use]
            pub const fn fix(self) -> Option<&'static str> {
                match self { $( Self::$variant => $fix, )* }
            }
        }
    };
}

const CONSOLE_KEYS: &str = "In the Okta Admin Console open Applications > Applications > your API Services app > General > Client Credentials, choose \"Public key / Private key\", click Add key > Generate new key, and copy the private key (JWK, or PEM) before closing the dialog.";

error_codes! {
    /// A JS argument had the wrong type or shape (a programming error on the caller's side).
    InvalidArgument = "invalid_argument", fix: None;
    /// The platform's random number generator failed.
    RandomUnavailable = "random_unavailable", fix: None;

    /// No org URL was given.
    OrgUrlMissing = "org_url_missing", fix: Some("Enter your Okta organization URL, e.g. https://acme.okta.com (Admin Console > your name in the top right shows the Okta domain).");
    /// The org URL could not be parsed as an https URL.
    OrgUrlInvalid = "org_url_invalid", fix: Some("Enter just the Okta domain, e.g. https://acme.okta.com.");
    /// The org URL uses http (or another scheme) instead of https.
    OrgUrlInsecure = "org_url_insecure", fix: Some("Use the https:// address of your Okta org.");
    /// The org URL carries a user name or password (`user@host`), a classic way to smuggle another host.
    OrgUrlUserinfo = "org_url_userinfo", fix: Some("Remove everything before the '@': enter just https://your-org.okta.com.");
    /// The org URL names a port; Okta orgs are only served on 443.
    OrgUrlPort = "org_url_port", fix: Some("Remove the port: enter just https://your-org.okta.com.");
    /// The org URL's host is an IP address.
    OrgUrlIpLiteral = "org_url_ip_literal", fix: Some("Use your org's Okta domain name, e.g. https://acme.okta.com, not an IP address.");
    /// The org URL's host has non-ASCII or punycode characters (possible look-alike).
    OrgUrlNonAscii = "org_url_non_ascii", fix: Some("Type the Okta domain by hand using plain letters: look-alike characters are not accepted.");
    /// The org URL's host is not an Okta domain and not in the allowed custom domains.
    OrgUrlNotOkta = "org_url_not_okta", fix: Some("Use your org's Okta domain (your-org.okta.com, .oktapreview.com, .okta-emea.com or a US government Okta domain). A custom domain must be added to the allowed hosts by the platform operator.");
    /// The org URL was the Admin Console URL (`acme-admin.okta.com`) and was rewritten.
    OrgUrlAdminRewritten = "org_url_admin_rewritten", fix: None;
    /// Path, query, fragment or trailing slashes were removed from the org URL.
    OrgUrlNormalized = "org_url_normalized", fix: None;

    /// No client ID was given.
    ClientIdMissing = "client_id_missing", fix: Some("Copy the Client ID from Applications > your API Services app > General > Client Credentials.");
    /// The client ID contains whitespace or control characters, or is far too long.
    ClientIdInvalid = "client_id_invalid", fix: Some("Copy the Client ID again from Applications > your API Services app > General > Client Credentials; it has no spaces.");
    /// The client ID does not look like an Okta client ID (20 characters starting with `0oa`).
    ClientIdUnusual = "client_id_unusual", fix: Some("Okta client IDs are 20 characters starting with 0oa; check you copied the Client ID, not the app name or the Key ID.");

    /// No private key was given.
    KeyMissing = "key_missing", fix: Some(CONSOLE_KEYS);
    /// The key text is larger than any private key.
    KeyTooLarge = "key_too_large", fix: Some("Paste only the private key (a JWK object or a PEM block), not a whole file or bundle.");
    /// The text is not a key in any accepted form.
    KeyUnrecognized = "key_unrecognized", fix: Some("Paste the private key exactly as the Admin Console shows it: the JSON object starting with {\"kty\": or the PEM block whose first line ends in \"PRIVATE KEY-----\".");
    /// The text is a key in a recognised container but its contents are malformed or truncated.
    KeyMalformed = "key_malformed", fix: Some("The key looks cut off or altered: copy it again in full from where you saved it.");
    /// A public key was pasted instead of the private key.
    KeyIsPublic = "key_is_public", fix: Some("This is the public key: copy the private key (the JWK with a \"d\" member, or the PEM block that says PRIVATE KEY). The private key is shown only once, when the key is generated; if it is lost, generate a new key in the Admin Console.");
    /// A certificate was pasted instead of the private key.
    KeyIsCertificate = "key_is_certificate", fix: Some("This is a certificate, which holds only the public key: copy the private key (PEM block saying PRIVATE KEY, or the JWK with a \"d\" member).");
    /// The PEM key is encrypted with a passphrase.
    KeyEncrypted = "key_encrypted", fix: Some("Remove the passphrase first, e.g. `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-plain.pem`, and paste the result.");
    /// An RSA key under 2048 bits.
    KeyRsaTooSmall = "key_rsa_too_small", fix: Some("Okta requires RSA keys of at least 2048 bits: generate a new key in the Admin Console (Add key > Generate new key) and paste its private key.");
    /// An RSA key over 8192 bits.
    KeyRsaTooLarge = "key_rsa_too_large", fix: Some("Use an RSA key of 2048 to 8192 bits; the Admin Console generates 2048-bit keys.");
    /// A key type Okta does not accept for client authentication (e.g. Ed25519, symmetric).
    KeyUnsupportedType = "key_unsupported_type", fix: Some("Use an RSA (2048+ bits) or EC P-256 key; the Admin Console's Generate new key produces a suitable RSA key.");
    /// An EC key on a curve other than P-256.
    KeyUnsupportedCurve = "key_unsupported_curve", fix: Some("Use an EC key on curve P-256 (ES256) or an RSA key.");
    /// A JWK whose private members do not belong to its public members.
    KeyMismatch = "key_mismatch", fix: Some("The private and public parts of this JWK do not belong together: copy the complete private key again from where you saved it.");
    /// A JWK whose `alg` does not fit the key (e.g. ES256 on an RSA key, or an encryption algorithm).
    KeyAlgMismatch = "key_alg_mismatch", fix: Some("The key's \"alg\" does not fit its type: use RS256/RS384/RS512 for RSA keys and ES256 for P-256 keys, or remove \"alg\".");
    /// A JWK marked for encryption (`use: enc`).
    KeyWrongUse = "key_wrong_use", fix: Some("This key is marked for encryption (\"use\": \"enc\"); Okta needs a signing key (\"use\": \"sig\").");
    /// A JWKS with several private keys and no Key ID to choose one.
    KeyAmbiguous = "key_ambiguous", fix: Some("The key set holds several private keys: enter the Key ID (KID) shown in the app's Public keys table, or paste only one key.");
    /// The requested Key ID is not in the JWKS.
    KeyIdNotFound = "key_id_not_found", fix: Some("No key in the pasted set has this Key ID: copy the KID from the app's Public keys table in the Admin Console.");
    /// The Key ID differs from the JWK's own `kid`.
    KeyIdMismatch = "key_id_mismatch", fix: Some("The Key ID does not match the pasted key's \"kid\": clear the Key ID field, or copy the KID that belongs to this key from the app's Public keys table.");
    /// The Key ID has whitespace or control characters, or is too long.
    KeyIdInvalid = "key_id_invalid", fix: Some("Copy the Key ID (KID) again from the app's Public keys table; it has no spaces.");

    /// A client-assertion option is out of range (e.g. lifetime over 3600 s).
    AssertionInvalid = "assertion_invalid", fix: None;
    /// A DPoP proof option is invalid (e.g. an empty method or a non-http URL).
    DpopInvalid = "dpop_invalid", fix: None;
    /// The API was used out of order (e.g. a response reported for a request never sent). A bug in the caller.
    ApiMisuse = "api_misuse", fix: None;

    /// The org could not be reached (DNS, TLS, network, or CORS in a browser).
    NetworkError = "network_error", fix: Some("Check the org URL, and the network path to Okta. In a browser, add this page's origin as a Trusted Origin (Security > API > Trusted Origins, CORS).");
    /// Okta did not answer within the timeout.
    Timeout = "timeout", fix: None;
    /// The caller aborted the request.
    Aborted = "aborted", fix: None;
    /// A password-changing request failed without a clear answer; it may or may not have been applied.
    OutcomeUnknown = "outcome_unknown", fix: Some("The change may have been applied: look the user up (or check the System Log) before trying again.");
    /// The response was not what Okta sends (not JSON, missing members, or too large).
    OktaBadResponse = "okta_bad_response", fix: Some("Check that the org URL points at Okta itself, not at a proxy or a custom page.");
    /// The token endpoint does not exist at this URL: not an Okta org, or a mistyped subdomain.
    OktaOrgNotFound = "okta_org_not_found", fix: Some("Check the org URL: it is the address you sign in to, e.g. https://acme.okta.com (Admin Console > your name in the top right).");
    /// The app still authenticates with a client secret.
    OktaClientSecretSelected = "okta_client_secret_selected", fix: Some("In the Admin Console open the app > General > Client Credentials > Edit, choose \"Public key / Private key\", add the public key, and Save.");
    /// Okta does not know this client ID in this org.
    OktaUnknownClient = "okta_unknown_client", fix: Some("Copy the Client ID again from the app's General tab, and check the org URL is the org the app lives in.");
    /// The assertion's signature does not verify with any key registered for the app.
    OktaWrongKey = "okta_wrong_key", fix: Some("The private key does not belong to any public key of this app: in General > Client Credentials > Public keys, check the key is listed and Active, or generate a new key and paste its private key.");
    /// The Key ID is not one of the app's keys, or is missing while the app has several keys.
    OktaWrongKid = "okta_wrong_kid", fix: Some("Enter the Key ID (KID) shown next to this key in the app's Public keys table (required when the app has several keys).");
    /// The app has no public keys registered.
    OktaNoPublicKey = "okta_no_public_key", fix: Some("In the app's General > Client Credentials > Public keys, click Add key and add (or generate) the key pair whose private key you pasted.");
    /// The assertion's audience did not match the endpoint invoked.
    OktaWrongAudience = "okta_wrong_audience", fix: Some("Use the org's Okta domain (https://your-org.okta.com) as the org URL, not a custom domain alias.");
    /// Okta rejected the assertion's timestamps: this machine's clock is off.
    OktaClockSkew = "okta_clock_skew", fix: Some("Synchronise this machine's clock (NTP); Okta rejects assertions issued in the future or already expired.");
    /// Okta says the assertion was already used.
    OktaAssertionReplayed = "okta_assertion_replayed", fix: None;
    /// The app is not an API Services (service) app.
    OktaNotServiceApp = "okta_not_service_app", fix: Some("Create the integration as Applications > Create App Integration > API Services; other app types cannot use client credentials.");
    /// `okta.users.manage` is not granted to the app.
    OktaScopeNotGranted = "okta_scope_not_granted", fix: Some("In the Admin Console open the app > Okta API Scopes and click Grant next to okta.users.manage (a Super Administrator must do this).");
    /// Okta rejected the DPoP proof.
    OktaDpopRejected = "okta_dpop_rejected", fix: None;
    /// Okta kept asking for a new DPoP nonce.
    OktaDpopNonceLoop = "okta_dpop_nonce_loop", fix: None;
    /// The app's admin role does not allow this (no role, too weak a role, or the target user is an administrator).
    OktaPermissionDenied = "okta_permission_denied", fix: Some("Assign the Organization Administrator role to the app (the app > Admin roles > Edit assignments > Add assignment). Users who hold admin roles can only be changed by a Super Administrator.");
    /// The access token was rejected.
    OktaInvalidToken = "okta_invalid_token", fix: None;
    /// No user with this id or login.
    OktaUserNotFound = "okta_user_not_found", fix: None;
    /// The operation is not allowed in the user's current status.
    OktaUserStatus = "okta_user_status", fix: None;
    /// The password does not meet the org's password policy; `causes` says why.
    OktaPasswordPolicy = "okta_password_policy", fix: Some("Choose a password that meets the org's password policy (Security > Authenticators > Password > Edit).");
    /// Okta refused the request as invalid.
    OktaValidation = "okta_validation", fix: None;
    /// Rate limit still exceeded after waiting.
    OktaRateLimited = "okta_rate_limited", fix: Some("Okta's rate limit for this app is exhausted: wait for X-Rate-Limit-Reset, or raise the app's share under Applications > the app > Application rate limits.");
    /// Okta answered with a server error.
    OktaServerError = "okta_server_error", fix: None;
    /// Any other Okta error.
    OktaApiError = "okta_api_error", fix: None;
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What Okta said, when an error comes from an Okta response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OktaDetails {
    /// HTTP status.
    pub status: u16,
    /// Okta's `errorCode` (`E0000001`) or OAuth `error` (`invalid_client`).
    pub error_code: Option<String>,
    /// Okta's `errorSummary` or OAuth `error_description`.
    pub error_summary: Option<String>,
    /// `errorCauses[].errorSummary`.
    pub error_causes: Vec<String>,
    /// Okta's `errorId`, for support cases and the System Log.
    pub error_id: Option<String>,
}

/// The error type of every fallible operation in okta-connect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
    field: Option<Field>,
    retryable: bool,
    okta: Option<Box<OktaDetails>>,
}

impl Error {
    /// A new error with a message; the fix comes from the code.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), field: None, retryable: false, okta: None }
    }

    /// Mark whether trying again later may succeed.
    #[must_use]
    pub fn with_retryable(mut self, retryable: bool) -> Self {
        self.retryable = retryable;
        self
    }

    /// Attach what Okta answered.
    #[must_use]
    pub fn with_okta(mut self, okta: OktaDetails) -> Self {
        self.okta = Some(Box::new(okta));
        self
    }

    /// Whether trying the same operation again later may succeed.
    #[must_use]
    pub fn retryable(&self) -> bool {
        self.retryable
    }

    /// What Okta answered, when the error comes from a response.
    #[must_use]
    pub fn okta(&self) -> Option<&OktaDetails> {
        self.okta.as_deref()
    }

    /// Attach the configuration field the error belongs to.
    #[must_use]
    pub fn with_field(mut self, field: Field) -> Self {
        self.field = Some(field);
        self
    }

    /// The stable code.
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// Human-readable description (never contains secrets).
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The setup step that fixes it, if the cause is on the customer's side.
    #[must_use]
    pub fn fix(&self) -> Option<&'static str> {
        self.code.fix()
    }

    /// The configuration field concerned, if any.
    #[must_use]
    pub fn field(&self) -> Option<Field> {
        self.field
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

/// Result alias used throughout the crate.
pub type Result<T> = core::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{s}");
        }
    }

    #[test]
    fn display_has_code_and_message() {
        let e = Error::new(ErrorCode::KeyIsPublic, "a public key").with_field(Field::PrivateKey);
        assert_eq!(e.to_string(), "key_is_public: a public key");
        assert_eq!(e.field(), Some(Field::PrivateKey));
        assert!(e.fix().is_some_and(|f| f.contains("public key")));
    }
}
