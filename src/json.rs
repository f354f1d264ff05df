//! The JSON this crate reads and writes (RFC 8259), in one small module instead of serde.
//!
//! Reading: [`Value::parse`] builds a tree of exactly what the text holds. It is strict (no comments, no
//! trailing commas, nothing after the value), bounds nesting at [`MAX_DEPTH`], keeps numbers as their text
//! (nothing here needs a float, so no float parser or formatter is compiled in) and, as JSON objects are
//! usually read, lets the last of duplicate members win in [`Value::get`]. A tree can be wiped
//! ([`Zeroize`]) when its strings held key material.
//!
//! Writing: [`Object`] appends members to a string, escaping as serde_json does (`"`, `\`, control characters;
//! nothing else), so output is byte-identical to what a serde-based writer would produce.

use zeroize::Zeroize;

/// Deepest nesting of arrays and objects accepted (what serde_json accepts under its default limit).
pub const MAX_DEPTH: usize = 127;

/// A parsed JSON value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as its (grammar-checked) text.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object's members in document order (duplicates kept).
    Object(Vec<(String, Value)>),
}

/// Why a text is not JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The text ended before the value was complete.
    pub eof: bool,
}

impl Value {
    /// Parse a whole text as one JSON value.
    ///
    /// # Errors
    /// [`ParseError`] when the text is not exactly one JSON value (surrounding whitespace allowed).
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let mut parser = Parser { bytes: text.as_bytes(), text, at: 0 };
        let value = parser.value(0)?;
        parser.skip_whitespace();
        if parser.at == parser.bytes.len() { Ok(value) } else { Err(ParseError { eof: false }) }
    }

    /// The member `key` of an object (the last one when it is repeated); `None` for other values.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.members()?.iter().rev().find(|(name, _)| name == key).map(|(_, value)| value)
    }

    /// The members of an object.
    #[must_use]
    pub fn members(&self) -> Option<&[(String, Value)]> {
        match self {
            Self::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The string, if this is one.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The items, if this is an array.
    #[must_use]
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Self::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The number, if this is a non-negative integer written without fraction or exponent that fits a `u64`.
    #[must_use]
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Self::Number(text) if text.bytes().all(|b| b.is_ascii_digit()) => text.parse().ok(),
            _ => None,
        }
    }

    /// Whether this is `null`.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }
}

impl Zeroize for Value {
    fn zeroize(&mut self) {
        match self {
            Self::Null | Self::Bool(_) => {}
            Self::Number(text) | Self::String(text) => text.zeroize(),
            Self::Array(items) => items.iter_mut().for_each(Zeroize::zeroize),
            Self::Object(members) => members.iter_mut().for_each(|(name, value)| {
                name.zeroize();
                value.zeroize();
            }),
        }
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
}

const EOF: ParseError = ParseError { eof: true };
const BAD: ParseError = ParseError { eof: false };

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn bump(&mut self) -> Result<u8, ParseError> {
        let byte = self.peek().ok_or(EOF)?;
        self.at += 1;
        Ok(byte)
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Result<Value, ParseError> {
        for &expected in word {
            if self.bump()? != expected {
                return Err(BAD);
            }
        }
        Ok(value)
    }

    fn value(&mut self, depth: usize) -> Result<Value, ParseError> {
        self.skip_whitespace();
        match self.peek().ok_or(EOF)? {
            b'n' => self.literal(b"null", Value::Null),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'"' => self.string().map(Value::String),
            b'-' | b'0'..=b'9' => self.number(),
            b'[' | b'{' if depth >= MAX_DEPTH => Err(BAD),
            b'[' => self.array(depth + 1),
            b'{' => self.object(depth + 1),
            _ => Err(BAD),
        }
    }

    /// After an item: `,` (more follow) or the closing byte (done).
    fn separator(&mut self, close: u8) -> Result<bool, ParseError> {
        self.skip_whitespace();
        match self.bump()? {
            b',' => Ok(true),
            byte if byte == close => Ok(false),
            _ => Err(BAD),
        }
    }

    /// After the opening byte: whether the container is empty (and then consume its closing byte).
    fn empty(&mut self, close: u8) -> Result<bool, ParseError> {
        self.at += 1;
        self.skip_whitespace();
        if self.peek().ok_or(EOF)? == close {
            self.at += 1;
            return Ok(true);
        }
        Ok(false)
    }

    fn array(&mut self, depth: usize) -> Result<Value, ParseError> {
        let mut items = Vec::new();
        if !self.empty(b']')? {
            loop {
                items.push(self.value(depth)?);
                if !self.separator(b']')? {
                    break;
                }
            }
        }
        Ok(Value::Array(items))
    }

    fn object(&mut self, depth: usize) -> Result<Value, ParseError> {
        let mut members = Vec::new();
        if !self.empty(b'}')? {
            loop {
                self.skip_whitespace();
                if self.peek().ok_or(EOF)? != b'"' {
                    return Err(BAD);
                }
                let name = self.string()?;
                self.skip_whitespace();
                if self.bump()? != b':' {
                    return Err(BAD);
                }
                members.push((name, self.value(depth)?));
                if !self.separator(b'}')? {
                    break;
                }
            }
        }
        Ok(Value::Object(members))
    }

    fn digits(&mut self) -> Result<usize, ParseError> {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        match self.at - start {
            0 if self.at == self.bytes.len() => Err(EOF),
            0 => Err(BAD),
            n => Ok(n),
        }
    }

    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let leading_zero = self.peek() == Some(b'0');
        if self.digits()? > 1 && leading_zero {
            return Err(BAD);
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.digits()?;
        }
        self.text.get(start..self.at).map(|n| Value::Number(n.to_owned())).ok_or(BAD)
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = char::from(self.bump()?).to_digit(16).ok_or(BAD)?;
            code = code * 16 + digit;
        }
        Ok(code)
    }

    /// A string literal (at its opening quote), unescaped. Sized once so that the text is never copied by a
    /// growing buffer (it may be key material).
    fn string(&mut self) -> Result<String, ParseError> {
        self.at += 1;
        let mut out = String::with_capacity(self.string_length_bound());
        loop {
            let run = self.at;
            while self.peek().is_some_and(|b| b != b'"' && b != b'\\' && b >= 0x20) {
                self.at += 1;
            }
            // `at` stops only at ASCII bytes or the end, so both ends are char boundaries.
            out.push_str(self.text.get(run..self.at).ok_or(BAD)?);
            match self.bump()? {
                b'"' => return Ok(out),
                b'\\' => {}
                _ => return Err(BAD),
            }
            let escaped = match self.bump()? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => self.unicode_escape()?,
                _ => return Err(BAD),
            };
            out.push(escaped);
        }
    }

    /// After `\u`: one code point, from a surrogate pair when it is one.
    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if self.bump()? != b'\\' || self.bump()? != b'u' {
                    return Err(BAD);
                }
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(BAD);
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(BAD),
            code => code,
        };
        char::from_u32(code).ok_or(BAD)
    }

    /// The unescaped length of the string starting here is at most its raw length up to the closing quote.
    fn string_length_bound(&self) -> usize {
        let rest = self.bytes.get(self.at..).unwrap_or_default();
        let mut escaped = false;
        rest.iter()
            .position(|&b| {
                let end = b == b'"' && !escaped;
                escaped = b == b'\\' && !escaped;
                end
            })
            .unwrap_or(rest.len())
    }
}

/// Append `text` as a JSON string literal.
pub fn write_str(out: &mut String, text: &str) {
    out.push('"');
    let mut rest = text;
    // Copy the runs that need no escaping whole; only the characters between them go one at a time. The
    // characters to escape are ASCII, so a byte position found here is a char boundary.
    while let Some(at) = rest.bytes().position(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.push_str(rest.get(..at).unwrap_or_default());
        let Some(c) = rest.get(at..).and_then(|r| r.chars().next()) else { break };
        rest = rest.get(at + c.len_utf8()..).unwrap_or_default();
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let byte = u32::from(c) as usize;
                out.push_str("\\u00");
                for nibble in [byte >> 4, byte & 15] {
                    out.push(char::from(*HEX.get(nibble).unwrap_or(&b'0')));
                }
            }
            c => out.push(c),
        }
    }
    out.push_str(rest);
    out.push('"');
}

/// A JSON object being written, member by member.
#[derive(Debug)]
pub struct Object {
    out: String,
}

impl Default for Object {
    fn default() -> Self {
        Self::new()
    }
}

impl Object {
    /// An empty object.
    #[must_use]
    pub fn new() -> Self {
        Self::with_capacity(256)
    }

    /// An empty object with room for `capacity` bytes (size it for secrets, so that they are never copied by a
    /// growing buffer).
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        let mut out = String::with_capacity(capacity);
        out.push('{');
        Self { out }
    }

    fn key(&mut self, name: &str) {
        if self.out.len() > 1 {
            self.out.push(',');
        }
        write_str(&mut self.out, name);
        self.out.push(':');
    }

    /// A string member.
    #[must_use]
    pub fn str(mut self, name: &str, value: &str) -> Self {
        self.key(name);
        write_str(&mut self.out, value);
        self
    }

    /// A string member, left out when `None`.
    #[must_use]
    pub fn opt_str(self, name: &str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.str(name, value),
            None => self,
        }
    }

    /// An integer member.
    #[must_use]
    pub fn num(mut self, name: &str, value: u64) -> Self {
        self.key(name);
        self.out.push_str(&value.to_string());
        self
    }

    /// A boolean member.
    #[must_use]
    pub fn bool(mut self, name: &str, value: bool) -> Self {
        self.key(name);
        self.out.push_str(if value { "true" } else { "false" });
        self
    }

    /// A member whose value is already JSON (written by this module).
    #[must_use]
    pub fn raw(mut self, name: &str, json: &str) -> Self {
        self.key(name);
        self.out.push_str(json);
        self
    }

    /// A member whose value is already JSON, left out when `None`.
    #[must_use]
    pub fn opt_raw(self, name: &str, json: Option<&str>) -> Self {
        match json {
            Some(json) => self.raw(name, json),
            None => self,
        }
    }

    /// The finished object.
    #[must_use]
    pub fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// A JSON array of already-written JSON values.
#[must_use]
pub fn array<I: IntoIterator<Item = String>>(items: I) -> String {
    let mut out = String::from("[");
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&item);
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Value, ParseError> {
        Value::parse(text)
    }

    #[test]
    fn parses_every_kind_of_value() -> Result<(), ParseError> {
        let value = parse(r#" {"a": [1, -2.5e+3, true, false, null], "b": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "a": 0} "#)?;
        assert_eq!(value.get("a"), Some(&Value::Number("0".into())), "the last duplicate wins");
        assert_eq!(value.get("b").and_then(Value::as_str), Some("x\"\\/\u{8}\u{c}\n\r\t\u{e9}\u{1F600}"));
        let first = value.members().and_then(|m| m.first()).map(|(_, v)| v.clone());
        let expected = ["1", "-2.5e+3"].map(|n| Value::Number(n.into()));
        assert_eq!(first.as_ref().and_then(Value::as_array).map(|a| a.get(..2) == Some(&expected[..])), Some(true));
        assert_eq!(parse("[]")?, Value::Array(vec![]));
        assert_eq!(parse("{}")?, Value::Object(vec![]));
        assert_eq!(parse("\"é\"")?.as_str(), Some("é"));
        Ok(())
    }

    #[test]
    fn integers_only_as_u64() -> Result<(), ParseError> {
        assert_eq!(parse("3600")?.as_u64(), Some(3600));
        assert_eq!(parse("18446744073709551615")?.as_u64(), Some(u64::MAX));
        for text in ["18446744073709551616", "-1", "1.0", "1e3", "\"1\""] {
            assert_eq!(parse(text)?.as_u64(), None, "{text}");
        }
        Ok(())
    }

    #[test]
    fn rejects_what_is_not_json() {
        for text in [
            "", " ", "{", "[1,", "\"abc", "nul", "tru", "01", "1.", "1e", "-", ".5", "+1", "[1,]", "{\"a\":1,}", "{a:1}",
            "{\"a\" 1}", "[1 2]", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\nb\"", "1 2",
            "// c\n1", "'a'", "NaN", "[1]]", "\u{feff}1",
        ] {
            assert!(parse(text).is_err(), "{text:?} must be rejected");
        }
        assert_eq!(parse("{\"a\":").map(|_| ()), Err(ParseError { eof: true }));
        assert_eq!(parse("{\"a\":1 x").map(|_| ()), Err(ParseError { eof: false }));
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse(&deep(MAX_DEPTH)).is_ok());
        assert!(parse(&deep(MAX_DEPTH + 1)).is_err());
        assert!(parse(&"[".repeat(100_000)).is_err(), "no stack overflow");
    }

    #[test]
    fn writes_as_serde_json_does() {
        let mut s = String::new();
        write_str(&mut s, "a\"b\\c/\u{1}\u{8}\u{c}\n\r\t\u{1f}é\u{7f}");
        assert_eq!(s, "\"a\\\"b\\\\c/\\u0001\\b\\f\\n\\r\\t\\u001fé\u{7f}\"");
        let object = Object::new().str("k", "v").opt_str("none", None).num("n", 42).bool("t", true).raw("a", &array(["1".into(), "{}".into()]));
        assert_eq!(object.finish(), r#"{"k":"v","n":42,"t":true,"a":[1,{}]}"#);
        assert_eq!(Object::new().finish(), "{}");
    }

    #[test]
    fn written_json_reads_back() -> Result<(), ParseError> {
        let nasty = "\u{0}\u{1f}\"\\\u{2028}😀";
        let text = Object::new().str(nasty, nasty).finish();
        assert_eq!(parse(&text)?.get(nasty).and_then(Value::as_str), Some(nasty));
        Ok(())
    }

    #[test]
    fn zeroize_wipes_every_string() -> Result<(), ParseError> {
        let mut value = parse(r#"{"d":"secret","keys":[{"p":"x"}],"n":12}"#)?;
        value.zeroize();
        assert_eq!(value, Value::Object(vec![("".into(), Value::String("".into())), ("".into(), Value::Array(vec![Value::Object(vec![("".into(), Value::String("".into()))])])), ("".into(), Value::Number("".into()))]));
        Ok(())
    }
}
