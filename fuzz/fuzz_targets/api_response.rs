//! The users API's answers (user objects, search lists, reset links, temporary passwords, Okta error
//! objects) and the Connect verification's probes, for every users operation. Token requests get a good DPoP
//! token; the scenario's blocks answer each `/api/v1` request in turn. Input: a scenario (fuzz/README.md).
#![no_main]

use okta_connect_fuzz::{Mode, protocol};

const MODE: Mode = Mode { default_ops: &["get 00u1abcdefghijklmnop"], ops_from_input: true, auto_token: true, canned_bodies: false };

libfuzzer_sys::fuzz_target!(|data: &[u8]| protocol(data, &MODE));
