//! Event, session and transmission ids: UUID v4 from the platform's secure
//! random source, drawn [`POOL_IDS`] ids at a time (in the browser each draw is
//! a call into `crypto.getRandomValues`, which dominated the cost of an id).

use std::cell::RefCell;

/// Ids per draw from the random source.
pub const POOL_IDS: usize = 256;

struct Pool {
    bytes: Vec<u8>,
    next: usize,
}

thread_local! {
    static POOL: RefCell<Pool> = const { RefCell::new(Pool { bytes: Vec::new(), next: 0 }) };
}

/// A new UUID v4, hyphenated.
pub fn new_id() -> String {
    let mut raw = [0u8; 16];
    let drawn = POOL.with(|p| {
        let mut p = p.borrow_mut();
        if p.next + 16 > p.bytes.len() {
            p.bytes.resize(POOL_IDS * 16, 0);
            if getrandom::fill(&mut p.bytes).is_err() {
                p.bytes.clear();
                return false;
            }
            p.next = 0;
        }
        // Each 16 bytes are handed out once: `next` only moves forward until a fresh draw.
        raw.copy_from_slice(&p.bytes[p.next..p.next + 16]);
        p.next += 16;
        true
    });
    let id = if drawn { uuid::Builder::from_random_bytes(raw).into_uuid() } else { uuid::Uuid::new_v4() };
    // Encoded into a buffer, not through `Display` (core::fmt was a tenth of an id's cost).
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    String::from(&*id.hyphenated().encode_lower(&mut buf))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_distinct_uuid_v4_across_pool_refills() {
        let ids: Vec<String> = (0..POOL_IDS * 3 + 7).map(|_| new_id()).collect();
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
        for id in &ids {
            assert!(crate::core::validate::is_uuid_v4(id), "{id}");
        }
    }
}
