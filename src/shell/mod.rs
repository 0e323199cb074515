//! The browser shell: turns browser signals into core calls and carries out
//! the core's decisions. Every web-sys call of the agent lives here.
//!
//! `api` is what JavaScript calls; `page` reads facts from the page;
//! `config` reads the page's configuration object; `transport` sends batches;
//! `vitals` observes the page for Web Vitals.

/// The global allocator: talc's, not the standard library's dlmalloc (the
/// module is single-threaded, built without the atomics feature).
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub mod api;
pub mod config;
pub mod consent;
pub mod delivery;
pub mod errors;
pub mod global;
pub mod idb;
pub mod page;
pub mod pages;
pub mod visitor;
pub mod transport;
pub mod vitals;
