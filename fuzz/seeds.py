#!/usr/bin/env python3
"""Writes the protocol and config seed corpora (fuzz/corpus/{config,token_response,api_response,headers}/).

The key_text seeds are copies of tests/fixtures/keys/ files plus a few pasted variants (see fuzz/README.md).
Bodies are Okta's verbatim answers, as in tests/protocol.rs and tests/emulator/. Run from anywhere:
`python3 fuzz/seeds.py`; it rewrites only the files it names.
"""
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent
KEYS = ROOT.parent / "tests" / "fixtures" / "keys"
USER_ID = "00u1abcdefghijklmnop"
DATE = "Fri, 15 Jan 2027 08:00:00 GMT"          # = T0, the harness's default clock
DATE_AHEAD = "Fri, 15 Jan 2027 08:10:00 GMT"    # T0 + 600 s


def user(status="ACTIVE", login="alice@example.com"):
    return {"id": USER_ID, "status": status, "created": "2026-01-01T00:00:00.000Z", "lastLogin": "2026-12-01T10:00:00.000Z",
            "passwordChanged": "2026-06-01T00:00:00.000Z", "profile": {"login": login, "email": login, "firstName": "Alice", "lastName": "Doe"},
            "credentials": {"password": {}, "provider": {"type": "OKTA", "name": "OKTA"}}, "_links": {"self": {"href": f"https://acme.okta.com/api/v1/users/{USER_ID}"}}}


def okta_error(code, summary, causes=()):
    return {"errorCode": code, "errorSummary": summary, "errorLink": code, "errorId": "oaeAbCdEfGhIjKlMnOpQrStUv", "errorCauses": [{"errorSummary": c} for c in causes]}


def oauth(error, description):
    return {"error": error, "error_description": description}


TOKEN = {"token_type": "DPoP", "expires_in": 3600, "access_token": "eyJraWQiOiJr.eyJ2ZXIiOjF9.c2ln", "scope": "okta.users.manage"}
NONCE = oauth("use_dpop_nonce", "Authorization server requires nonce in DPoP proof.")
RATE = okta_error("E0000047", "API call exceeded rate limit due to too many requests.")
NOT_FOUND = okta_error("E0000007", "Not found: Resource not found: 00u0KTAC0NNECTPR0BE0 (User)")
FORBIDDEN = okta_error("E0000006", "You do not have permission to perform the requested action")
RATE_HEADERS = [("Date", DATE), ("X-Rate-Limit-Limit", "600"), ("X-Rate-Limit-Remaining", "0"), ("X-Rate-Limit-Reset", "1800000007")]
CHALLENGE = 'DPoP algs="RS256 RS384 RS512 ES256 ES384 ES512", realm="https://acme.okta.com", error="{}", error_description="{}"'


def block(status, body=None, headers=()):
    """One answer; body None = no blank line (the headers target then uses its canned body)."""
    lines = [f"HTTP {status}"] + [f"{n}: {v}" for n, v in headers]
    if body is not None:
        lines += ["", body if isinstance(body, str) else json.dumps(body)]
    return "\n".join(lines) + "\n"


def scenario(preamble, *blocks):
    return "".join(line + "\n" for line in preamble) + "".join(blocks)


def write(target, name, text):
    path = ROOT / "corpus" / target / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())


# --- token_response: every block answers a token request -------------------------------------------------
T = "token_response"
write(T, "nonce-dance", scenario([], block(400, NONCE, [("DPoP-Nonce", "dGhlLW5vbmNlLTE"), ("Cache-Control", "no-store")]), block(200, TOKEN)))
write(T, "bearer", scenario([], block(200, dict(TOKEN, token_type="Bearer", expires_in=300))))
write(T, "nonce-loop", scenario([], block(400, NONCE, [("DPoP-Nonce", "n-1")]), block(400, NONCE, [("DPoP-Nonce", "n-2")])))
for i, description in enumerate([
    "The client_assertion signature is invalid.",
    "The client_assertion JWT kid is invalid.",
    "Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method.",
    "The audience claim for client_assertion must be the endpoint invoked for the request.",
    "The issuer claim for client_assertion is not a valid client_id.",
    "The client does not have a JWKSet configured, but the client_assertion requires one.",
    "Only clients with 'application_type' of 'service' may use the client_credentials 'grant_type' with the Org Authorization Server.",
    "Browser requests to the token endpoint must use Proof Key for Code Exchange.",
]):
    write(T, f"invalid-client-{i}", scenario([], block(401, oauth("invalid_client", description))))
write(T, "clock-skew-corrected", scenario([], block(401, oauth("invalid_client", "The client_assertion token is expired."), [("Date", DATE_AHEAD)]), block(200, TOKEN, [("Date", DATE_AHEAD)])))
write(T, "replayed-then-ok", scenario([], block(401, oauth("invalid_client", "The client_assertion token has already been used.")), block(200, TOKEN)))
write(T, "invalid-scope", scenario([], block(400, oauth("invalid_scope", "The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner."))))
write(T, "unauthorized-client", scenario([], block(400, oauth("unauthorized_client", "The client is not authorized to use the provided grant type. Configured grant types: [client_credentials]."))))
write(T, "dpop-proof-rejected", scenario([], block(400, oauth("invalid_dpop_proof", "The DPoP proof JWT header is missing."))))
write(T, "rate-limited", scenario([], block(429, RATE, RATE_HEADERS), block(200, TOKEN)))
write(T, "server-errors", scenario(["opts 60000 3 2"], block(503, ""), "FAIL timeout\n", block(200, TOKEN)))
write(T, "not-found-html", scenario([], block(404, "<!DOCTYPE html><html><body>Not Found</body></html>")))
write(T, "rsa-client-key", scenario(["key rsa"], block(400, NONCE, [("DPoP-Nonce", "n-rsa")]), block(200, TOKEN), block(401, oauth("invalid_client", "The client_assertion JWT kid is invalid."))))
cached = {"v": 1, "accessToken": "at-cached", "tokenType": "DPoP", "scope": "okta.users.manage", "expiresAt": 1800003600000, "tokenNonce": "n-9", "apiNonce": "n-10"}
write(T, "import-cached", scenario(["import " + json.dumps(cached, separators=(",", ":"))], block(200, TOKEN)))
write(T, "import-stale", scenario(["import " + json.dumps(dict(cached, expiresAt=1800000030000), separators=(",", ":")), "misuse"], block(200, dict(TOKEN, expires_in=86400))))
write(T, "odd-token-fields", scenario([], block(200, {"token_type": "dpop", "expires_in": 0, "access_token": "x", "scope": 7})))

# --- api_response: token requests are answered for us; blocks answer /api/v1 ------------------------------
A = "api_response"
write(A, "get-by-id", scenario([f"op get {USER_ID}"], block(200, user())))
write(A, "get-by-login", scenario(["op get alice@example.com"], block(200, [user()])))
write(A, "get-login-several", scenario(["op get Alice@Example.com"], block(200, [user(login="alice@example.com.au"), user(login="Alice@Example.com")])))
write(A, "get-login-none", scenario(["op get nobody@example.com"], block(200, [])))
write(A, "set-by-login", scenario(["key rsa", 'op set a+b/é"x@example.com'], block(200, [user(login='A+B/é"x@example.com')]), block(200, user())))
write(A, "set-revoke-fails", scenario([f"op set {USER_ID} +revoke"], block(200, user()), block(403, FORBIDDEN)))
write(A, "set-policy", scenario([f"op set {USER_ID}"], block(400, okta_error("E0000001", "Api validation failed: password", ["password: Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number, no parts of your username.", "password: This password was found in a list of commonly used passwords. Please try another password."]))))
write(A, "set-server-error", scenario([f"op set {USER_ID}"], block(500, okta_error("E0000009", "Internal Server Error"))))
write(A, "set-timeout", scenario([f"op set {USER_ID}"], "FAIL timeout\n"))
write(A, "reset-link", scenario([f"op reset {USER_ID} +revoke"], block(200, {"summary": "Reset password without sending email", "resetPasswordUrl": "https://acme.okta.com/reset_password/XE6wE17zmphl3KqAPFxO"})))
write(A, "reset-email", scenario([f"op reset {USER_ID} +email"], block(200, "{}")))
write(A, "reset-status", scenario([f"op reset {USER_ID}"], block(403, okta_error("E0000038", "This operation is not allowed in the user's current status."))))
write(A, "expire-temp", scenario([f"op expire {USER_ID} +temp +revoke"], block(200, {"tempPassword": "F46gy7X4"})))
write(A, "expire", scenario([f"op expire {USER_ID} +revoke"], block(200, user("PASSWORD_EXPIRED")), block(204)))
write(A, "revoke", scenario([f"op revoke {USER_ID}"], block(204)))
write(A, "verify-pass", scenario(["op verify"], block(200, [user()]), block(404, NOT_FOUND), block(404, NOT_FOUND)))
write(A, "verify-help-desk", scenario(["op verify"], block(200, []), block(404, NOT_FOUND), block(403, FORBIDDEN)))
write(A, "verify-no-role", scenario(["op verify"], block(403, FORBIDDEN)))
write(A, "verify-read-only", scenario(["op verify"], block(200, [user()]), block(403, FORBIDDEN)))
write(A, "token-renewed", scenario([f"op get {USER_ID}", f"op get {USER_ID}"], block(401, okta_error("E0000011", "Invalid token provided")), block(200, user()), block(200, user())))
write(A, "rate-then-ok", scenario([f"op get {USER_ID}"], block(429, RATE, RATE_HEADERS), block(200, user())))
write(A, "not-json", scenario([f"op get {USER_ID}", f"op set {USER_ID}"], block(200, "<html>"), block(200, "{\"id\":")))
write(A, "bad-user-ids", scenario(["op get bob@example.com", f"op expire {USER_ID}"], block(200, [{"id": "../../oauth2/v1/token", "profile": {"login": "bob@example.com"}}]), block(200, {"id": "00u 1"})))
write(A, "validation-errors", scenario([f"op get {USER_ID}", "op get x@y", f"op revoke {USER_ID}"], block(400, okta_error("E0000031", "Invalid search criteria.")), block(400, okta_error("E0000003", "The request body was not well-formed.")), block(405, okta_error("E0000022", "The endpoint does not support the provided HTTP method"))))

# --- headers: blocks without a body get a realistic one -----------------------------------------------------
H = "headers"
write(H, "token-nonce", scenario([f"op get {USER_ID}"], block(400, headers=[("DPoP-Nonce", "eyJ7S_zG.1Qm-4fz1Hd3Qzy1_Yy3E")]), block(200), block(200)))
write(H, "api-nonce", scenario(["key rsa", f"op get {USER_ID}"], block(200), block(401, headers=[("WWW-Authenticate", CHALLENGE.format("use_dpop_nonce", "Resource server requires nonce in DPoP proof")), ("DPoP-Nonce", "api-nonce-1")]), block(200)))
write(H, "proof-rejected-skew", scenario([f"op get {USER_ID}"], block(200), block(401, headers=[("WWW-Authenticate", CHALLENGE.format("invalid_dpop_proof", "The DPoP proof JWT was issued in the future.")), ("Date", DATE_AHEAD)]), block(200)))
write(H, "insufficient-scope", scenario([f"op get {USER_ID}"], block(200), block(403, headers=[("WWW-Authenticate", 'Bearer realm="IdpMyAccountAPI", error="insufficient_scope", error_description="The access token provided does not contain the required scopes."')])))
write(H, "invalid-token-header", scenario([f"op get {USER_ID}"], block(200), block(401, headers=[("www-authenticate", 'DPoP error="invalid_token", error_description="The access token is invalid."')]), block(200), block(200)))
write(H, "rate-limit-token", scenario(["op token"], block(429, headers=RATE_HEADERS), block(200)))
write(H, "rate-limit-api", scenario([f"op get {USER_ID}"], block(200), block(429, headers=[("x-rate-limit-reset", "1800000059"), ("date", DATE)]), block(429, headers=[("X-Rate-Limit-Reset", "1800009999")])))
write(H, "rate-limit-no-reset", scenario([f"op get {USER_ID}"], block(200), block(429), block(429, headers=[("X-Rate-Limit-Reset", "soon")]), block(200)))
write(H, "clock-ahead", scenario(["op token"], block(401, headers=[("Date", DATE_AHEAD)]), block(200, headers=[("Date", DATE_AHEAD)])))
write(H, "clock-behind", scenario(["op token"], block(401, headers=[("Date", "Thu, 14 Jan 2027 08:00:00 GMT")]), block(200, headers=[("Date", "Sun, 06 Nov 1994 08:49:37 GMT")])))
write(H, "date-formats", scenario(["op token"], block(401, headers=[("Date", "Sunday, 06-Nov-94 08:49:37 GMT")]), block(401, headers=[("Date", "Sun Nov  6 08:49:37 1994")]), block(200, headers=[("Date", "Tue, 29 Feb 2028 12:00:60 GMT")])))
write(H, "nonce-odd-values", scenario([f"op get {USER_ID}"], block(400, headers=[("DPoP-Nonce", ""), ("dpop-nonce", "second")]), block(400, headers=[("DPoP-Nonce", " spaced value ")]), block(200)))
write(H, "verify-headers", scenario(["op verify"], block(400, headers=[("DPoP-Nonce", "n-v")]), block(200, headers=[("Date", DATE)]), block(200), block(404), block(404)))
write(H, "set-headers", scenario([f"op set {USER_ID} +revoke", "now 1800000000000"], block(200), block(401, headers=[("WWW-Authenticate", CHALLENGE.format("use_dpop_nonce", "Resource server requires nonce in DPoP proof")), ("DPoP-Nonce", "n-s")]), block(200), block(204)))

# --- config: <org url> / <client id> / <policy words> / <key id or -> / <key text> --------------------------
C = "config"
p256 = (KEYS / "p256.jwk.json").read_text()
p256_pem = (KEYS / "p256.pkcs8.pem").read_text()
sec1 = (KEYS / "p256.sec1.pem").read_text()
rsa_okta = (KEYS / "rsa2048.okta.jwk.json").read_text()


def config(org, client_id, policy, kid, key):
    return f"{org}\n{client_id}\n{policy}\n{kid}\n{key}"


write(C, "okta-jwk", config("https://acme.okta.com", "0oa1bcdefghijklmnop2", "", "-", p256))
write(C, "admin-console-rsa", config("acme-admin.okta.com/admin/dashboard", "0oa1bcdefghijklmnop2", "", "Z25zy6fQZkvgcMOi5e-5qdFOsP__bn8NoLMbd10z0Io", rsa_okta))
write(C, "emulator-loopback", config("http://127.0.0.1:8787", "0oaEmulatorClient000", "loopback", "-", p256_pem))
write(C, "custom-domain", config("https://login.acme.com/", "my client", "login.acme.com id.acme.com.", "key-1", sec1))
write(C, "userinfo", config("https://user:pw@evil.okta.com.attacker.net", "", "", "kid", ""))
write(C, "ip-literals", config("https://0x7f.1", "0oa1bcdefghijklmnop2", "loopback", "-", p256_pem.strip().replace("\n", "\\n")))
write(C, "trailing-dot", config("https://acme.oktapreview.com.", "0oa1bcdefghijklmnop2", "", "-", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG user@host"))
write(C, "punycode", config("https://xn--acme-9ra.okta.com", "0oa1bcdefghijklmnop2", "", "-", "{}"))
write(C, "ipv6-loopback", config("https://[::1]:443/x", "0oa1bcdefghijklmnop2", "loopback", "-", '"' + p256.replace('"', '\\"').replace("\n", "\\n") + '"'))
write(C, "upper-case-path", config("HTTPS://ACME.OKTA-EMEA.COM:443/oauth2/v1/token?x=1#y", "0OA1BCDEFGHIJKLMNOP2", "", "-", p256))
write(C, "gov-and-mil", config("acme.okta-gov.com", "0oa1bcdefghijklmnop2\t", "", "ec-key-1", p256))
write(C, "not-okta", config("https://okta.com.evil.com", "0oa1bcdefghijklmnop2", "evil.com", "-", p256))
write(C, "admin-nested", config("https://acme-admin.eu1.okta.com", "0oa1bcdefghijklmnop2", "", "-", p256))
