//! Bounding what the page hands in: messages, error types, stacks.

use std::borrow::Cow;

/// Longest message kept, in chars (the ellipsis included).
pub const MAX_MESSAGE_CHARS: usize = 1_000;
/// Longest error type kept, in chars.
pub const MAX_ERROR_TYPE_CHARS: usize = 100;
/// Longest stack kept (and parsed), in bytes.
pub const MAX_STACK_BYTES: usize = 16 * 1024;
/// Stands in for an empty message (an event's message may not be empty).
pub const NO_MESSAGE: &str = "(no message)";

const ELLIPSIS: char = '…';

/// The message trimmed, cut to [`MAX_MESSAGE_CHARS`] chars on a char boundary
/// with an ellipsis, and [`NO_MESSAGE`] when nothing is left.
pub fn clean_message(message: &str) -> String {
    let c = clip(message, MAX_MESSAGE_CHARS);
    if c.is_empty() {
        NO_MESSAGE.to_string()
    } else {
        c.into_owned()
    }
}

/// [`clean_message`] reusing the string's buffer.
pub(crate) fn clean_message_owned(message: String) -> String {
    let c = clip_owned(message, MAX_MESSAGE_CHARS);
    if c.is_empty() {
        NO_MESSAGE.to_string()
    } else {
        c
    }
}

/// The error type trimmed and bounded; `None` when blank.
pub(crate) fn clean_error_type(error_type: Option<String>) -> Option<String> {
    error_type.map(|t| clip_owned(t, MAX_ERROR_TYPE_CHARS)).filter(|t| !t.is_empty())
}

/// The stack without trailing whitespace, at most [`MAX_STACK_BYTES`] long.
/// A longer stack is cut after its last whole line within the limit (on a
/// char boundary if it is a single line), so no frame is read from half a
/// line (`app.js:12` out of `app.js:123:4`).
pub fn cap_stack(stack: &str) -> &str {
    let s = stack.trim_end();
    if s.len() <= MAX_STACK_BYTES {
        return s;
    }
    let mut cut = MAX_STACK_BYTES;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = s.get(..cut).unwrap_or("");
    match crate::core::text::rfind_byte(head, b'\n') {
        Some(nl) if nl > 0 => head.get(..nl).unwrap_or(head).trim_end(),
        _ => head,
    }
}

/// [`cap_stack`] on an owned stack; `None` when it is blank.
pub(crate) fn cap_stack_owned(mut stack: String) -> Option<String> {
    let len = cap_stack(&stack).len();
    stack.truncate(len);
    if stack.trim_start().is_empty() {
        None
    } else {
        Some(stack)
    }
}

/// Byte index at which to cut `s` so that the part kept plus an ellipsis is
/// `max` chars; `None` when `s` has at most `max` chars.
fn cut_index(s: &str, max: usize) -> Option<usize> {
    let mut it = s.char_indices();
    let (at, _) = it.nth(max.saturating_sub(1))?;
    it.next().map(|_| at)
}

/// `s` trimmed and cut to `max` chars, an ellipsis marking the cut.
pub(crate) fn clip(s: &str, max: usize) -> Cow<'_, str> {
    let t = s.trim();
    match cut_index(t, max) {
        None => Cow::Borrowed(t),
        Some(at) => {
            let mut out = String::with_capacity(at + ELLIPSIS.len_utf8());
            out.push_str(t.get(..at).unwrap_or("").trim_end());
            out.push(ELLIPSIS);
            Cow::Owned(out)
        }
    }
}

/// [`clip`] reusing the string's buffer.
pub(crate) fn clip_owned(mut s: String, max: usize) -> String {
    let end = s.trim_end().len();
    s.truncate(end);
    let start = s.len() - s.trim_start().len();
    if start > 0 {
        s.drain(..start);
    }
    if let Some(at) = cut_index(&s, max) {
        s.truncate(at);
        let end = s.trim_end().len();
        s.truncate(end);
        s.push(ELLIPSIS);
    }
    s
}
