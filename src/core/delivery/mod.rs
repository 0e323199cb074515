//! From accepted events to request bodies: the delivery state of each event,
//! the bounded in-memory queue, and batch building within count and byte limits.

mod queue;
mod state;

pub use queue::{OutgoingBatch, Queue, QueueStats};
pub use state::DeliveryState;
