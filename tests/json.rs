//! The crate's own JSON (src/json.rs) against serde_json, an independent implementation: the same texts are
//! accepted and rejected, read to the same strings and integers, and what we write, serde_json reads back.

use okta_connect::json::{Object, Value};

/// Texts near every edge of the grammar, and some that Okta, a cache or a paste could plausibly produce.
fn corpus() -> Vec<String> {
    let mut texts: Vec<String> = [
        "", " ", "null", "true", "false", "nul", "truee", "0", "-0", "01", "-01", "1.", ".1", "1.5", "1e5", "1E+5", "1e-5",
        "1e", "-", "+1", "NaN", "Infinity", "18446744073709551615", "18446744073709551616", "1.0", "\"\"", "\"a\"",
        "\"\\u0041\"", "\"\\u00e9\"", "\"\\ud83d\\ude00\"", "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83d\\u0041\"", "\"\\x\"",
        "\"\\/\"", "\"tab\there\"", "\"nl\nhere\"", "\"\u{7f}\"", "\"é😀\"", "'a'", "[]", "[1,]", "[,1]", "[1 2]", "[[[]]]",
        "{}", "{\"a\":1}", "{\"a\":1,}", "{a:1}", "{\"a\" 1}", "{\"a\":}", "{\"a\":1 \"b\":2}", "{\"a\":1}x", "{\"a\":1} ",
        " \t\r\n{\"a\" : [ 1 , { \"b\" : null } ] }\n", "\u{feff}{}", "/*c*/{}", "{\"a\":1}{}", "[1]]", "{\"a\":[}", "\"abc",
        "{\"access_token\":\"eyJ.x.y\",\"token_type\":\"DPoP\",\"expires_in\":3600,\"scope\":\"okta.users.manage\"}",
        "{\"errorCode\":\"E0000011\",\"errorSummary\":\"Invalid token provided\",\"errorCauses\":[{\"errorSummary\":\"x\"}]}",
        "{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\",\"kty\":\"EC\"}",
    ]
    .map(String::from)
    .to_vec();
    let depth = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    texts.extend([depth(127), depth(128), depth(129), "[".repeat(10_000)]);
    // Every prefix of a rich document: each must be rejected exactly where serde_json rejects it.
    let rich = r#"{"id":"00u1","profile":{"login":"a+b@example.com","n":[1,-2.5e3,true,null,"\u00e9\"\\"]},"x":{}}"#;
    texts.extend((0..rich.len()).filter_map(|end| rich.get(..end)).map(String::from));
    texts
}

#[test]
fn accepts_and_rejects_what_serde_json_does() {
    for text in corpus() {
        let ours = Value::parse(&text);
        let theirs = serde_json::from_str::<serde_json::Value>(&text);
        // serde_json's only extra limit is its recursion limit of 128, which ours matches.
        assert_eq!(ours.is_ok(), theirs.is_ok(), "{text:?}: ours {ours:?}, serde_json {theirs:?}");
        if let (Err(ours), Err(theirs)) = (ours, theirs)
            && theirs.is_eof()
        {
            assert!(ours.eof, "{text:?}: serde_json says the text is cut off");
        }
    }
}

fn same(ours: &Value, theirs: &serde_json::Value) -> bool {
    match (ours, theirs) {
        (Value::Null, serde_json::Value::Null) => true,
        (Value::Bool(a), serde_json::Value::Bool(b)) => a == b,
        (Value::Number(_), serde_json::Value::Number(n)) => ours.as_u64() == n.as_u64(),
        (Value::String(a), serde_json::Value::String(b)) => a == b,
        (Value::Array(a), serde_json::Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)),
        // serde_json keeps the last of duplicate members, as `get` reads them.
        (Value::Object(_), serde_json::Value::Object(b)) => b.iter().all(|(k, v)| ours.get(k).is_some_and(|o| same(o, v))),
        _ => false,
    }
}

#[test]
fn reads_the_same_values() {
    for text in corpus() {
        if let (Ok(ours), Ok(theirs)) = (Value::parse(&text), serde_json::from_str::<serde_json::Value>(&text)) {
            assert!(same(&ours, &theirs), "{text:?}: ours {ours:?}, serde_json {theirs:?}");
        }
    }
}

#[test]
fn what_we_write_serde_json_reads_and_writes_identically() {
    let nasty = ["", "plain", "quote\" backslash\\ slash/", "\u{0}\u{1}\u{8}\u{c}\n\r\t\u{1f}\u{7f}", "é 😀 \u{2028}\u{2029}"];
    for (i, text) in nasty.iter().enumerate() {
        let written = Object::new().str(text, text).num("n", i as u64).bool("b", i % 2 == 0).opt_str("none", None).finish();
        let theirs: serde_json::Value = serde_json::from_str(&written).unwrap_or_else(|e| panic!("{written}: {e}"));
        assert_eq!(theirs[*text].as_str(), Some(*text));
        assert_eq!(theirs["n"].as_u64(), Some(i as u64));
        assert!(theirs.get("none").is_none());
        // Byte for byte what serde_json itself writes for the same members, in the same order.
        let mut map = serde_json::Map::new();
        map.insert((*text).to_owned(), serde_json::Value::from(*text));
        let expected = format!("{{{}:{},\"n\":{i},\"b\":{}}}", serde_json::to_string(text).unwrap(), serde_json::to_string(text).unwrap(), i % 2 == 0);
        assert_eq!(written, expected);
        assert_eq!(serde_json::to_string(&map).unwrap().trim_matches(['{', '}']), expected.split(",\"n\"").next().unwrap().trim_start_matches('{'));
    }
}
