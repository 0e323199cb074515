//! From accepted events to request bodies: the delivery state of each event,
//! the bounded in-memory queue, and batch building within count and byte limits.

pub mod gzip;
mod queue;
mod state;

pub use queue::{batch_body, with_transmission, OutgoingBatch, Queue, QueueStats, SendHook, PENDING_TRANSMISSION};
pub use state::DeliveryState;
