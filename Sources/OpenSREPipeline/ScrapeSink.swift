import PrometheusExposition

/// Where a scrape's bytes go as they are rendered: the exporter appends them
/// to its response buffer. Written on the processor thread only, and read by
/// its owner after the scrape's completion (which orders the two).
package protocol ScrapeSink: AnyObject, Sendable {
    /// A hint: about how many bytes the page will take.
    func reserve(_ bytes: Int)
    func write(_ bytes: UnsafeRawBufferPointer)
    /// Bytes written here that the reader has not taken yet (a streaming
    /// sink's unsent bytes); the processor pauses rendering while it is large.
    var backlog: Int { get }
    /// Monotonic nanoseconds when the reader last took bytes.
    var lastProgress: UInt64 { get }
    /// Gives up on a reader that stopped reading: later writes are dropped.
    func abandon()
    /// Calls `wake` once, from any thread, as soon as ``backlog`` is at most
    /// `limit` (at once if it already is); a later call replaces an earlier
    /// one. How a paused scrape learns that its reader caught up.
    func notifyWhenBacklog(atMost limit: Int, _ wake: @escaping @Sendable () -> Void)
}

extension ScrapeSink {
    package var backlog: Int { 0 }
    package var lastProgress: UInt64 { .max }
    package func abandon() {}
    package func notifyWhenBacklog(atMost limit: Int, _ wake: @escaping @Sendable () -> Void) { wake() }
}
