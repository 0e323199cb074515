//! Browser telemetry agent.
//!
//! The data path is one-way and the folders follow it:
//!
//! ```text
//! shell (browser signal) -> core::model (event) -> core::delivery (queue, batch)
//!                                                -> shell::transport (fetch / beacon)
//! ```
//!
//! `core` is plain Rust: it builds and is tested on the host. `shell` holds every
//! web-sys call and exists only on `wasm32`.

pub mod core;

#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod shell;
