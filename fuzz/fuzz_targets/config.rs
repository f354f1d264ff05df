//! The whole connection form (`config::validate`) and the org URL policy (`config::org_url::parse`, the SSRF
//! guard). Input: `<org url>\n<client id>\n<policy words>\n<key id or ->\n<private key text>`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| okta_connect_fuzz::config(data));
