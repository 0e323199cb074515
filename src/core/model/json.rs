//! A small JSON reader for the agent's own batch bodies, which the shipped
//! module reads back only to re-encode them (as OTLP). Numbers stay the text
//! they were written as, so no float parsing is needed: serde's deserialiser,
//! with its float parser and its formatted error messages, cost about a tenth
//! of the module.

use crate::core::text;
use std::borrow::Cow;

/// Deeper documents are refused (the agent's events nest a dozen levels at most).
pub const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    /// A number, as its JSON text (`-12`, `0.5`, `1e-7`).
    Num(&'a str),
    Str(Cow<'a, str>),
    Arr(Vec<Json<'a>>),
    /// Members in document order.
    Obj(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl<'a> Json<'a> {
    /// A member of an object.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Obj(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A number written as a non-negative integer that fits 64 bits.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Num(t) => crate::core::text::parse_u64(t),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Arr(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(Cow<'a, str>, Json<'a>)]> {
        match self {
            Json::Obj(members) => Some(members),
            _ => None,
        }
    }
}

/// The document in `text`; `None` when it is not exactly one JSON value.
pub fn parse(text: &str) -> Option<Json<'_>> {
    let mut p = Parser { s: text, i: 0 };
    let v = p.value(0)?;
    p.ws();
    (p.i == text.len()).then_some(v)
}

struct Parser<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, word: &str) -> Option<()> {
        text::tail(self.s, self.i).starts_with(word).then(|| self.i += word.len())
    }

    fn value(&mut self, depth: usize) -> Option<Json<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        Some(match self.peek()? {
            b'n' => self.eat("null").map(|_| Json::Null)?,
            b't' => self.eat("true").map(|_| Json::Bool(true))?,
            b'f' => self.eat("false").map(|_| Json::Bool(false))?,
            b'"' => Json::Str(self.string()?),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Some(Json::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            break Json::Arr(items);
                        }
                        _ => return None,
                    }
                }
            }
            b'{' => {
                self.i += 1;
                let mut members = Vec::new();
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Some(Json::Obj(members));
                }
                loop {
                    self.ws();
                    if self.peek()? != b'"' {
                        return None;
                    }
                    let key = self.string()?;
                    self.ws();
                    self.eat(":")?;
                    members.push((key, self.value(depth + 1)?));
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            break Json::Obj(members);
                        }
                        _ => return None,
                    }
                }
            }
            _ => Json::Num(self.number()?),
        })
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Option<&'a str> {
        let start = self.i;
        let b = self.s.as_bytes();
        let digits = |i: &mut usize| {
            let from = *i;
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i > from
        };
        let mut i = self.i;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        if b.get(i) == Some(&b'0') {
            i += 1;
        } else if !digits(&mut i) {
            return None;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if !digits(&mut i) {
                return None;
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !digits(&mut i) {
                return None;
            }
        }
        self.i = i;
        Some(text::part(self.s, start, i))
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.s.get(self.i..self.i + 4)?;
        if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.i += 4;
        u32::from_str_radix(h, 16).ok()
    }

    /// A string after its opening quote is at `self.i`; borrowed when it has no escapes.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.i += 1;
        let start = self.i;
        let b = self.s.as_bytes();
        while let Some(&c) = b.get(self.i) {
            match c {
                b'"' => {
                    self.i += 1;
                    return Some(Cow::Borrowed(text::part(self.s, start, self.i - 1)));
                }
                b'\\' => break,
                0..=0x1f => return None,
                _ => self.i += 1,
            }
        }
        let mut out = String::from(text::part(self.s, start, self.i));
        loop {
            let c = *b.get(self.i)?;
            self.i += 1;
            match c {
                b'"' => return Some(Cow::Owned(out)),
                0..=0x1f => return None,
                b'\\' => {
                    let e = *b.get(self.i)?;
                    self.i += 1;
                    out.push(match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) && text::tail(self.s, self.i).starts_with("\\u") {
                                let save = self.i;
                                self.i += 2;
                                match self.hex4()? {
                                    lo @ 0xDC00..=0xDFFF => 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00),
                                    _ => {
                                        self.i = save;
                                        hi
                                    }
                                }
                            } else {
                                hi
                            };
                            // A lone surrogate cannot be a Rust char.
                            char::from_u32(code).unwrap_or('\u{FFFD}')
                        }
                        _ => return None,
                    });
                }
                _ => {
                    // Copy the rest of a UTF-8 sequence whole.
                    let from = self.i - 1;
                    let mut to = self.i;
                    while to < b.len() && !self.s.is_char_boundary(to) {
                        to += 1;
                    }
                    out.push_str(text::part(self.s, from, to));
                    self.i = to;
                }
            }
        }
    }
}

/// Appends `s` as a JSON string literal. Read byte by byte, not char by char:
/// every byte that needs escaping is ASCII, and no byte of a multi-byte
/// character is, so the runs between escapes end on character boundaries.
pub fn write_str(out: &mut String, s: &str) {
    out.push_str("\"");
    let mut from = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            8 => "\\b",
            12 => "\\f",
            0..0x20 => "",
            _ => continue,
        };
        out.push_str(text::part(s, from, i));
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let code = [b'\\', b'u', b'0', b'0', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]];
            out.push_str(core::str::from_utf8(&code).unwrap_or_default());
        } else {
            out.push_str(esc);
        }
        from = i + 1;
    }
    out.push_str(text::tail(s, from));
    out.push_str("\"");
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    /// Our reading of a document agrees with serde_json's.
    fn same(ours: &Json, theirs: &Value) -> bool {
        match (ours, theirs) {
            (Json::Null, Value::Null) => true,
            (Json::Bool(a), Value::Bool(b)) => a == b,
            (Json::Num(t), Value::Number(n)) => t.parse::<f64>().ok() == n.as_f64(),
            (Json::Str(a), Value::String(b)) => a == b,
            (Json::Arr(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)),
            (Json::Obj(a), Value::Object(b)) => a.len() == b.len() && a.iter().all(|(k, v)| b.get(k.as_ref()).is_some_and(|w| same(v, w))),
            _ => false,
        }
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (-1e12f64..1e12).prop_map(Value::from),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map("[a-z\"\\\\\u{e9}]{0,6}", inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    #[test]
    fn reads_escapes_surrogate_pairs_and_numbers() {
        let doc = parse(r#" {"a":"x\"\\\/\n\u00e9\ud83d\ude00","n":[-0,1.5e-3,12,0.25E+2],"t":true,"z":null} "#).unwrap();
        assert_eq!(doc.get("a").and_then(Json::as_str), Some("x\"\\/\n\u{e9}\u{1F600}"));
        let n = doc.get("n").and_then(Json::as_array).unwrap();
        assert_eq!(n, &[Json::Num("-0"), Json::Num("1.5e-3"), Json::Num("12"), Json::Num("0.25E+2")]);
        assert_eq!(n[2].as_u64(), Some(12));
        assert_eq!(n[0].as_u64(), None);
        assert_eq!(doc.get("t"), Some(&Json::Bool(true)));
        assert_eq!(doc.get("z"), Some(&Json::Null));
        assert_eq!(parse(r#""\ud800""#), Some(Json::Str("\u{FFFD}".into())), "a lone surrogate");
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in ["", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "tru", "\"a", "\"\u{1}\"", "\"\\x\"", "[1] 2", "{'a':1}", "NaN"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert_eq!(parse(&deep), None);
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_some());
    }

    proptest! {
        #[test]
        fn agrees_with_serde_json(v in json_value()) {
            let text = serde_json::to_string(&v).unwrap();
            let ours = parse(&text).expect("serde_json's output is JSON");
            prop_assert!(same(&ours, &v), "{}", text);
        }

        #[test]
        fn write_str_is_read_back_by_serde_json(s in any::<String>()) {
            let mut out = String::new();
            write_str(&mut out, &s);
            prop_assert_eq!(serde_json::from_str::<String>(&out).unwrap(), s.clone());
            prop_assert_eq!(parse(&out), Some(Json::Str(s.into())));
        }

        #[test]
        fn never_panics_on_arbitrary_text(s in "[\\[\\]{}\":,0-9eE.+\\-\\\\u a-f\u{e9}]{0,40}") {
            let _ = parse(&s);
        }
    }
}
