//! Parsing `Error.prototype.stack` strings from the main engines.
//!
//! Two line grammars cover what browsers print:
//! - V8 (Chrome, Edge, Node, Opera 15+) and old IE/Edge: `at fn (location)`,
//!   `at location`. When any line of the stack starts with `at `, only such
//!   lines are read, so the message line(s) (`Error: boom`) are skipped.
//! - SpiderMonkey (Firefox) and JavaScriptCore (Safari, React Native):
//!   `fn@location`, `@location`, a bare `location`, `[native code]`.
//!
//! A location is `file:line:col`, `file:line`, or a file alone (`[native code]`,
//! a wasm frame `url:wasm-function[3]:0x1f`). Eval frames are reported at the
//! script that called `eval`, as the usual parsers do.
//!
//! Work is linear in the input: each line is scanned a bounded number of times,
//! lines longer than [`MAX_LINE_LEN`] are skipped, and parsing stops after
//! [`MAX_FRAMES`] frames.

use super::frame::Frame;
use crate::core::text;

/// Most frames returned for one stack.
pub const MAX_FRAMES: usize = 100;

/// Longest line (in bytes) read as a frame; longer lines are skipped.
pub const MAX_LINE_LEN: usize = 2_000;

/// Longest line or column number accepted, in digits.
const MAX_NUMBER_DIGITS: usize = 10;

/// Parses a JavaScript stack string into frames, newest first. Lines that are
/// not frames (the message, blank lines) are skipped; never panics.
pub fn parse(stack: &str) -> Vec<Frame> {
    // Lines split at `\n` (a `\r` before it goes with the trim below).
    let v8 = text::split_any(stack, b"\n").any(is_v8_line);
    let mut frames = Vec::new();
    for raw in text::split_any(stack, b"\n") {
        if frames.len() >= MAX_FRAMES {
            break;
        }
        if raw.len() > MAX_LINE_LEN {
            continue;
        }
        let line = raw.trim();
        let frame = if v8 {
            line.strip_prefix("at ").and_then(parse_v8)
        } else {
            parse_gecko(line)
        };
        if let Some(f) = frame {
            frames.push(f);
        }
    }
    frames
}

fn is_v8_line(line: &str) -> bool {
    line.len() <= MAX_LINE_LEN && line.trim_start().starts_with("at ")
}

/// The part of a V8 line after `at `.
fn parse_v8(body: &str) -> Option<Frame> {
    let body = body.trim();
    // Cheap rejection: a location has a `:` (line, URL, wasm offset) unless it
    // is a parenthesised `(native)`.
    if !body.ends_with(')') && !body.as_bytes().contains(&b':') {
        return None;
    }
    // `fn (eval at outer (url:l:c), <anonymous>:l:c)`: report the caller of eval.
    if let Some(i) = text::find(body, "(eval at ") {
        let loc = eval_origin(text::tail(body, i + 1));
        return frame(text::head(body, i), loc);
    }
    // `fn (location)`, also `fn(location)`; the function may hold parentheses
    // itself (`I.e.fn.(anonymous function) [as index]`), so match from the end.
    if body.ends_with(')') {
        if let Some(open) = matching_open(body) {
            return frame(text::head(body, open), text::part(body, open + 1, body.len() - 1));
        }
    }
    // `fn @ location` (seen from some wrappers).
    if let Some((func, loc)) = text::split_once(body, " @ ") {
        if is_location(loc) {
            return frame(func, loc);
        }
    }
    // `fn (location` with the closing parenthesis missing.
    if let Some(i) = text::rfind(body, " (") {
        let loc = text::tail(body, i + 2);
        if !loc.as_bytes().contains(&b')') && is_location(loc) {
            return frame(text::head(body, i), loc);
        }
    }
    // `location` alone (anonymous function, `async location` when awaited);
    // `at <anonymous>` is not a frame.
    let loc = body.strip_prefix("async ").filter(|l| is_location(l)).unwrap_or(body);
    if is_location(loc) {
        return frame("", loc);
    }
    None
}

/// From `eval at outer (url:l:c), <anonymous>:l:c)` (possibly nested), the
/// innermost parenthesised location: the script that called `eval`.
fn eval_origin(s: &str) -> &str {
    if let Some(close) = text::find_byte(s, b')') {
        if let Some(open) = text::rfind_byte(text::head(s, close), b'(') {
            return text::part(s, open + 1, close);
        }
    }
    // `eval at <anonymous>, <anonymous>:1:2)`: no outer location, keep the eval one.
    match text::rfind(s, ", ") {
        Some(i) => text::trim_end_any(text::tail(s, i + 2), b")"),
        None => text::trim_end_any(s, b")"),
    }
}

/// SpiderMonkey / JavaScriptCore line: `fn@location`, `@location`, `location`.
fn parse_gecko(line: &str) -> Option<Frame> {
    // Presto (Opera 11) repeats the newest frame as `Error created at fn@url:line`.
    if line.starts_with("Error created at ") {
        return None;
    }
    // Cheap rejection: a frame has an `@`, a `:` (line, URL) or `[native code]`.
    if !line.bytes().any(|b| matches!(b, b'@' | b':' | b'[')) {
        return None;
    }
    let (func, loc) = match split_at_sign(line) {
        // An `@` inside a URL (`http://user@host/`) does not start the location.
        Some(i) if !text::contains(text::head(line, i), "://") => (text::head(line, i), text::tail(line, i + 1)),
        _ => ("", line),
    };
    let loc = loc.trim();
    if !is_location(loc) {
        return None;
    }
    // A message line such as `Error code:1234` is not a bare location.
    if func.is_empty()
        && !line.as_bytes().contains(&b'@')
        && !location(loc).native
        && loc.contains(char::is_whitespace)
    {
        return None;
    }
    let mut f = frame("", loc)?;
    f.function = gecko_function(func);
    Some(f)
}

/// The first `@` outside quotes: SpiderMonkey names computed properties as
/// `obj["@fn"]`.
fn split_at_sign(line: &str) -> Option<usize> {
    let mut quote = None;
    for (i, b) in line.bytes().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'"' | b'\'' => quote = Some(b),
                b'@' => return Some(i),
                _ => {}
            },
        }
    }
    // Unbalanced quotes: fall back to the first `@`.
    text::find_byte(line, b'@')
}

/// Function name of a SpiderMonkey/JSC frame: old engines print arguments
/// (`bar(1)`, `()`, `(null)`), Presto prints `<anonymous function: run>`.
fn gecko_function(func: &str) -> Option<String> {
    let mut func = func.trim();
    if func.ends_with(')') {
        if let Some(open) = matching_open(func) {
            func = text::head(func, open).trim_end();
        }
    }
    if let Some(rest) = func.strip_prefix("<anonymous function") {
        let name = rest.strip_prefix(": ").and_then(|r| r.strip_suffix('>'));
        return name.and_then(non_empty);
    }
    non_empty(func)
}

/// Index of the `(` that matches the final `)` of `s`, if balanced.
fn matching_open(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in s.bytes().enumerate().rev() {
        match b {
            b')' => depth += 1,
            b'(' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        None
    } else {
        Some(s.to_string())
    }
}

/// A parsed location, borrowing from the line.
struct Location<'a> {
    file: &'a str,
    line: Option<u32>,
    col: Option<u32>,
    /// A `:line` suffix was present (even one too large to keep).
    positioned: bool,
    native: bool,
}

impl<'a> Location<'a> {
    fn new(file: &'a str, line: Option<u32>, col: Option<u32>, positioned: bool) -> Self {
        Location { file, line, col, positioned, native: false }
    }

    fn native(file: &'a str) -> Self {
        Location { file, line: None, col: None, positioned: false, native: true }
    }
}

fn location(loc: &str) -> Location<'_> {
    let loc = loc.trim();
    // V8 built-ins: `(native)`, and `Promise.all (index 0)` for async frames.
    if loc == "native" || loc.starts_with("index ") {
        return Location::native("");
    }
    if loc == "[native code]" {
        return Location::native(loc);
    }
    // SpiderMonkey eval: `url line 26 > eval line 2 > eval:1:30` ->
    // the calling script and its line; the eval's own position is dropped.
    if let Some(i) = text::find(loc, " line ") {
        let rest = text::tail(loc, i + 6);
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && text::tail(rest, digits).starts_with(" > ") {
            return Location::new(text::head(loc, i), number(text::head(rest, digits)), None, true);
        }
    }
    match split_number(loc) {
        None => Location::new(loc, None, None, false),
        Some((rest, last)) => match split_number(rest) {
            Some((file, line)) => Location::new(file, line, last, true),
            None => Location::new(rest, last, None, true),
        },
    }
}

/// Splits a trailing `:digits` off `s`; the number is `None` if out of range.
fn split_number(s: &str) -> Option<(&str, Option<u32>)> {
    let i = crate::core::text::rfind_byte(s, b':')?;
    let digits = text::tail(s, i + 1);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((text::head(s, i), number(digits)))
}

fn number(digits: &str) -> Option<u32> {
    if digits.len() > MAX_NUMBER_DIGITS {
        return None;
    }
    text::parse_u64(digits).and_then(|n| u32::try_from(n).ok())
}

/// Whether `loc` reads as a frame location rather than prose or a bare name:
/// it has a line number, is native code, a URL, or a wasm frame.
fn is_location(loc: &str) -> bool {
    let loc = loc.trim();
    if loc.is_empty() {
        return false;
    }
    let l = location(loc);
    l.positioned
        || l.native
        || text::contains(loc, "://")
        || text::contains(loc, "wasm-function[")
        || loc == "[wasm code]"
}

/// Builds a frame from a function text and a location text.
fn frame(func: &str, loc: &str) -> Option<Frame> {
    let loc = loc.trim();
    if loc.is_empty() {
        return None;
    }
    let l = location(loc);
    Some(Frame {
        function: non_empty(func),
        filename: non_empty(l.file),
        lineno: l.line,
        colno: l.col,
        native: l.native,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(function: Option<&str>, filename: Option<&str>, lineno: Option<u32>, colno: Option<u32>) -> Frame {
        Frame {
            function: function.map(String::from),
            filename: filename.map(String::from),
            lineno,
            colno,
            native: false,
        }
    }

    fn one(stack: &str) -> Frame {
        let frames = parse(stack);
        assert_eq!(frames.len(), 1, "{stack:?} -> {frames:?}");
        frames.into_iter().next().unwrap_or_default()
    }

    #[test]
    fn chrome_named_and_anonymous() {
        let frames = parse(
            "TypeError: boom\n    at bar (http://a.test/file.js:13:17)\n    at http://a.test/file.js:24:4\n",
        );
        assert_eq!(
            frames,
            vec![
                f(Some("bar"), Some("http://a.test/file.js"), Some(13), Some(17)),
                f(None, Some("http://a.test/file.js"), Some(24), Some(4)),
            ]
        );
    }

    #[test]
    fn chrome_constructor_async_object_anonymous() {
        assert_eq!(one("at new Foo (https://x.test/a.js:1:2)").function.as_deref(), Some("new Foo"));
        assert_eq!(one("  at async main (/srv/app.js:15:13)").function.as_deref(), Some("async main"));
        let o = one("    at Object.<anonymous> (/var/app/my project/index.js:2:9)");
        assert_eq!(o, f(Some("Object.<anonymous>"), Some("/var/app/my project/index.js"), Some(2), Some(9)));
        let a = one("at I.e.fn.(anonymous function) [as index] (http://h:8080/f.js:10:3651)");
        assert_eq!(a.function.as_deref(), Some("I.e.fn.(anonymous function) [as index]"));
        assert_eq!(a.filename.as_deref(), Some("http://h:8080/f.js"));
        // `at <anonymous>` has no location: not a frame.
        assert!(parse("Error\n    at <anonymous>").is_empty());
        assert_eq!(one("at <anonymous>:1:2"), f(None, Some("<anonymous>"), Some(1), Some(2)));
        assert_eq!(one("at async https://a.test/x.js:5:6"), f(None, Some("https://a.test/x.js"), Some(5), Some(6)));
    }

    #[test]
    fn chrome_native_and_no_space_before_paren() {
        let n = one("Error\n at Array.forEach (native)");
        assert_eq!(n.function.as_deref(), Some("Array.forEach"));
        assert_eq!(n.filename, None);
        assert!(n.native);
        assert!(one("at async Promise.all (index 0)").native);
        assert_eq!(
            one("at render(/home/u/app/Scene.js:78:24)"),
            f(Some("render"), Some("/home/u/app/Scene.js"), Some(78), Some(24))
        );
    }

    #[test]
    fn chrome_eval_reports_the_caller() {
        let frames = parse(
            "Error: m\nat baz (eval at foo (eval at speak (http://l:8080/file.js:21:17)), <anonymous>:1:30)\n\
             at eval (eval at speak (http://l:8080/file.js:21:17), <anonymous>:4:18)",
        );
        assert_eq!(frames[0], f(Some("baz"), Some("http://l:8080/file.js"), Some(21), Some(17)));
        assert_eq!(frames[1], f(Some("eval"), Some("http://l:8080/file.js"), Some(21), Some(17)));
        assert_eq!(
            one("at eval (eval at <anonymous>, <anonymous>:1:5)"),
            f(Some("eval"), Some("<anonymous>"), Some(1), Some(5))
        );
    }

    #[test]
    fn chrome_missing_close_paren_and_at_sign_separator() {
        assert_eq!(
            one("x\n  at new <anonymous> (http://www.example.com/test.js:2:1"),
            f(Some("new <anonymous>"), Some("http://www.example.com/test.js"), Some(2), Some(1))
        );
        assert_eq!(
            one("at HTMLButtonElement.<anonymous> @  http://p/file.js:1:4287"),
            f(Some("HTMLButtonElement.<anonymous>"), Some("http://p/file.js"), Some(1), Some(4287))
        );
    }

    #[test]
    fn urls_with_parentheses_at_signs_and_brackets() {
        assert_eq!(
            one("at fn (http://h.test/a(1).js:3:4)"),
            f(Some("fn"), Some("http://h.test/a(1).js"), Some(3), Some(4))
        );
        assert_eq!(
            one("at fn (http://[::1]:3000/app.js:10:5)"),
            f(Some("fn"), Some("http://[::1]:3000/app.js"), Some(10), Some(5))
        );
        assert_eq!(
            one("fn@http://[::1]:3000/app.js:10:5"),
            f(Some("fn"), Some("http://[::1]:3000/app.js"), Some(10), Some(5))
        );
        assert_eq!(
            one("who@http://localhost:5000/misc/@stuff/foo.js:3:9"),
            f(Some("who"), Some("http://localhost:5000/misc/@stuff/foo.js"), Some(3), Some(9))
        );
        assert_eq!(
            one("obj[\"@fn\"]@Scratchpad/1:10:29"),
            f(Some("obj[\"@fn\"]"), Some("Scratchpad/1"), Some(10), Some(29))
        );
        // No function, `@` in the userinfo of the URL.
        assert_eq!(
            one("https://user@cdn.test/app.js:7:8"),
            f(None, Some("https://user@cdn.test/app.js"), Some(7), Some(8))
        );
    }

    #[test]
    fn firefox_frames() {
        let frames = parse("foo@http://p/file.js:41:13\n@http://p/file.js:1:1\n.plugin/e.fn[c]/<@http://p/file.js:1:1\n");
        assert_eq!(
            frames,
            vec![
                f(Some("foo"), Some("http://p/file.js"), Some(41), Some(13)),
                f(None, Some("http://p/file.js"), Some(1), Some(1)),
                f(Some(".plugin/e.fn[c]/<"), Some("http://p/file.js"), Some(1), Some(1)),
            ]
        );
        // Old Firefox prints arguments.
        assert_eq!(one("bar(1)@http://p/file.js:13").function.as_deref(), Some("bar"));
        assert_eq!(one("(null)@http://p/file.js:31").function, None);
    }

    #[test]
    fn firefox_eval_reports_the_caller() {
        assert_eq!(
            one("baz@http://l:8080/file.js line 26 > eval line 2 > eval:1:30"),
            f(Some("baz"), Some("http://l:8080/file.js"), Some(26), None)
        );
        assert_eq!(
            one("f@https://a.test/x.js line 3 > Function:1:5"),
            f(Some("f"), Some("https://a.test/x.js"), Some(3), None)
        );
    }

    #[test]
    fn safari_frames() {
        let frames = parse("http://p/file.js:48:22\nglobal code@http://p/file.js:33:18\neval code@\n[native code]");
        assert_eq!(frames[0], f(None, Some("http://p/file.js"), Some(48), Some(22)));
        assert_eq!(frames[1], f(Some("global code"), Some("http://p/file.js"), Some(33), Some(18)));
        assert_eq!(frames[2].filename.as_deref(), Some("[native code]"));
        assert!(frames[2].native);
        assert_eq!(frames.len(), 3);
        let e = one("eval code\neval@[native code]");
        assert_eq!(e.function.as_deref(), Some("eval"));
        assert!(e.native);
    }

    #[test]
    fn wasm_frames() {
        assert_eq!(
            one("at fn (wasm://wasm/abc:wasm-function[1]:0x10)"),
            f(Some("fn"), Some("wasm://wasm/abc:wasm-function[1]:0x10"), None, None)
        );
        assert_eq!(one("    at wasm-function[12]:0x3f").filename.as_deref(), Some("wasm-function[12]:0x3f"));
        assert_eq!(
            one("RuntimeError: oob\n  <?>.wasm-function[42]@[wasm code]"),
            f(Some("<?>.wasm-function[42]"), Some("[wasm code]"), None, None)
        );
        assert_eq!(
            one("m.foo@http://e.test/m.wasm:wasm-function[42]:0x1a3b"),
            f(Some("m.foo"), Some("http://e.test/m.wasm:wasm-function[42]:0x1a3b"), None, None)
        );
    }

    #[test]
    fn non_frames_are_skipped() {
        assert!(parse("").is_empty());
        assert!(parse("Error: boom\n\n  \t\n").is_empty());
        assert!(parse("__undefined__").is_empty());
        // A message spanning lines, one of which has `:1234`.
        let frames = parse("Error: Problem at this\nlocation. Error code:1234\n    at foo (http://p/f.js:52:15)");
        assert_eq!(frames.len(), 1);
        assert!(parse("Error: code:1234 in some place").is_empty());
    }

    #[test]
    fn frames_and_lines_are_capped() {
        let stack = "    at f (http://a.test/a.js:1:2)\n".repeat(MAX_FRAMES * 3);
        assert_eq!(parse(&stack).len(), MAX_FRAMES);
        let long = format!("    at f (http://a.test/{}.js:1:2)", "a".repeat(MAX_LINE_LEN));
        assert!(parse(&long).is_empty());
        // A line number too large for u32 is dropped, not misread.
        let big = one("at f (http://a.test/a.js:99999999999:2)");
        assert_eq!(big, f(Some("f"), Some("http://a.test/a.js"), None, Some(2)));
    }
}
