//! The pure core: no web-sys, no clocks, no randomness of its own. The shell
//! passes time and random numbers in, so every rule here is testable on the host.

pub mod config;
pub mod delivery;
pub mod model;
pub mod privacy;
pub mod retry;
pub mod sampling;
pub mod stack;
pub mod validate;
pub mod vitals;
