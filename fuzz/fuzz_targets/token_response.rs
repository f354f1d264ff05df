//! The token endpoint's answers (success, OAuth errors, the DPoP nonce challenge, rate limits, 5xx, network
//! failures) and cached-token entries (`import` lines), through a `Token` operation. Input: a scenario
//! (fuzz/README.md) whose blocks answer each token request in turn.
#![no_main]

use okta_connect_fuzz::{Mode, protocol};

const MODE: Mode = Mode { default_ops: &["token", "token", "token"], ops_from_input: false, auto_token: false, canned_bodies: false };

libfuzzer_sys::fuzz_target!(|data: &[u8]| protocol(data, &MODE));
