//! JavaScript stack-trace parsing and error fingerprints.
//!
//! [`parse`] turns an `Error.prototype.stack` string from V8, SpiderMonkey or
//! JavaScriptCore into [`Frame`]s, newest first, in linear time and with at
//! most [`MAX_FRAMES`] frames. [`fingerprint`] groups occurrences of the same
//! fault into one short id.

mod fingerprint;
mod frame;
mod parse;

#[cfg(test)]
mod tests;

pub use fingerprint::{fingerprint, normalize_message, FINGERPRINT_FRAMES, MAX_MESSAGE_LEN};
pub use frame::Frame;
pub use parse::{parse, MAX_FRAMES, MAX_LINE_LEN};
