/// Where an event is on its way to the endpoint.
///
/// `Created → Queued → Transmitted | Failed | Buffered`; a failed or buffered
/// event is queued again for the next attempt. `Transmitted` is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    Created,
    Queued,
    /// Part of a request that has not been answered yet.
    InFlight,
    Transmitted,
    Failed,
    Buffered,
}

impl DeliveryState {
    pub fn can_move_to(self, next: DeliveryState) -> bool {
        use DeliveryState::*;
        matches!(
            (self, next),
            (Created, Queued)
                | (Queued, InFlight)
                | (Queued, Buffered)
                | (InFlight, Transmitted)
                | (InFlight, Failed)
                | (InFlight, Buffered)
                | (Failed, Queued)
                | (Buffered, Queued)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::DeliveryState::*;

    #[test]
    fn transmitted_is_final_and_nothing_skips_the_queue() {
        for next in [Created, Queued, InFlight, Failed, Buffered, Transmitted] {
            assert!(!Transmitted.can_move_to(next));
        }
        assert!(!Created.can_move_to(InFlight));
        assert!(!Created.can_move_to(Transmitted));
        assert!(Created.can_move_to(Queued));
        assert!(Failed.can_move_to(Queued));
        assert!(InFlight.can_move_to(Failed));
    }
}
