//! The pure core: no web-sys and no clock of its own. The shell passes time
//! and random draws in, so every rule here is testable on the host. (Event ids
//! are UUID v4 from the `uuid` crate, which uses the platform's random source.)

pub mod config;
pub mod consent;
pub mod context;
pub mod delivery;
pub mod errors;
pub mod ids;
pub mod model;
pub mod pageview;
pub mod pipeline;
pub mod privacy;
pub mod retry;
pub mod sampling;
pub mod session;
pub mod sort;
pub mod stack;
pub mod text;
pub mod validate;
pub mod value;
pub mod vec_map;
pub mod vitals;
