//! Response headers the core reads: `DPoP-Nonce`, `Date` (clock correction), `X-Rate-Limit-Reset` (waits)
//! and `WWW-Authenticate` (DPoP and scope errors), on token and API answers alike. A block without a body
//! gets a realistic one for its status, so the input is mostly status lines and headers. Input: a scenario
//! (fuzz/README.md).
#![no_main]

use okta_connect_fuzz::{Mode, protocol};

const MODE: Mode = Mode { default_ops: &["get alice@example.com"], ops_from_input: true, auto_token: false, canned_bodies: true };

libfuzzer_sys::fuzz_target!(|data: &[u8]| protocol(data, &MODE));
