/// What every family source is told about the scrape it contributes to.
///
/// Kept to what sources need to compute their values, and free of the output
/// format: the same context serves a text scrape and a remote-write exporter
/// walking the same sources.
package struct ScrapeContext: Sendable, Equatable {
    /// The scrape's wall-clock "now", Unix nanoseconds: the end of the SLO
    /// windows. Taken once per scrape (from the processor's clock), so every
    /// source sees the same instant.
    package var wallClock: UInt64

    package init(wallClock: UInt64) {
        self.wallClock = wallClock
    }
}
