import OpenSRESLO

/// The SLOs' state for readers other than a scrape (the JSON API, the pages).
extension BatchProcessor {
    /// Calls `completion` on the processor thread with every SLO's status
    /// now, once everything submitted before this call is folded in; with
    /// no SLO processor configured, with none.
    package func sloStatuses(_ completion: @escaping @Sendable ([SLOStatus]) -> Void) {
        runOnStore { [self] _ in completion(store.sloEngine?.statuses(now: clock.wallClock()) ?? []) }
    }
}
