/// When the processor folds queued points into the series store
/// (`processors.batch` in the configuration, named as in the OpenTelemetry Collector).
package struct BatchingConfiguration: Sendable, Equatable {
    /// `send_batch_size`, default 8192: once this many points are queued the
    /// processor wakes up at once instead of waiting for `timeout`.
    package var sendBatchSize: Int
    /// `timeout`, default 200ms: the longest queued points wait before they are
    /// folded in. A scrape never waits for it (it drains first); 0 folds at once.
    package var timeout: Duration
    /// Capacity of each event loop's ring, in requests (default 1024). A full
    /// ring answers 503 with `Retry-After`, so the sender retries.
    package var ringCapacity: Int

    package init(sendBatchSize: Int = 8192, timeout: Duration = .milliseconds(200), ringCapacity: Int = 1024) {
        self.sendBatchSize = sendBatchSize
        self.timeout = timeout
        self.ringCapacity = ringCapacity
    }
}
