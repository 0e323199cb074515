//! One frame of a parsed JavaScript stack trace.

use serde::{Deserialize, Serialize};

/// A stack frame as the engine printed it. Frames of a trace are newest first
/// (index 0 is the frame that threw).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Frame {
    /// Function name as printed (`Foo.bar`, `new Foo`, `async main`,
    /// `obj["@fn"]`, `wasm-function[3]`); `None` when the frame is anonymous.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// Script URL or path as printed, query string kept; for an eval frame the
    /// script that called `eval`. `None` when the engine gives no location
    /// (V8's `(native)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// 1-based line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lineno: Option<u32>,
    /// 1-based column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colno: Option<u32>,
    /// Engine built-in code: V8 `(native)`, JavaScriptCore `[native code]`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub native: bool,
}
