import OpenSRESLO

/// The SLOs' state for readers other than a scrape (the JSON API, the pages).
extension BatchProcessor {
    /// Calls `completion` on the processor thread with every SLO's status
    /// now, once everything submitted before this call is folded in; with
    /// no SLO processor configured, with none.
    package func sloStatuses(_ completion: @escaping @Sendable ([SLOStatus]) -> Void) {
        runOnStore { [self] _ in completion(store.sloEngine?.statuses(now: clock.wallClock()) ?? []) }
    }

    /// The status of the SLO named `name`, with its last `historyMinutes`
    /// minutes of events; nil when there is no such SLO.
    package func sloStatus(named name: String, historyMinutes: Int, _ completion: @escaping @Sendable (SLOStatus?) -> Void) {
        sloDetail(named: name, historyMinutes: historyMinutes) { completion($0?.status) }
    }

    /// As ``sloStatus(named:historyMinutes:_:)``, with the SLO's definition.
    package func sloDetail(
        named name: String, historyMinutes: Int,
        _ completion: @escaping @Sendable ((status: SLOStatus, definition: SLODefinition)?) -> Void
    ) {
        runOnStore { [self] _ in
            guard let engine = store.sloEngine, let index = engine.definitions.firstIndex(where: { $0.name == name }) else {
                return completion(nil)
            }
            completion((engine.status(slo: index, now: clock.wallClock(), historyMinutes: historyMinutes), engine.definitions[index]))
        }
    }
}
