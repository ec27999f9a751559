/// One series of an ``ExposedFamily`` during a walk: its label text and value(s).
///
/// Labels are the text inside the braces (`a="1",b="x"`), escaped as the
/// exposition writes it, because that is what the store keeps (rendered once
/// per series). Borrowed: valid only during the
/// ``ExposedFamily/forEachSeries(utf8:_:)`` call that passed it.
package struct ExposedSeries {
    package var labels: SplitLabelText
    package var value: ExposedValue
    /// Unix nanoseconds of the latest point; nil for a series computed at
    /// scrape time. A consumer decides whether to send it (the text renderer
    /// follows `send_timestamps` and never stamps info series).
    package var timestamp: UInt64?
    /// A counter's latest exemplar (histograms carry theirs per bucket).
    package var exemplar: RenderedExemplar?
    /// A block a consumer may keep with the series from one walk to the
    /// next: nil at first; one it stores there must come from `malloc` (or
    /// be ``seenMark``) and is `free`d with the series (the remote-write
    /// encoder keeps the series' labels there, encoded). Only one consumer
    /// may use it (it tags what it keeps). Nil for a series computed at walk
    /// time.
    package var cache: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
    /// What a consumer may put in ``cache`` instead of a block (not freed):
    /// that it has seen the series once.
    nonisolated(unsafe) package static let seenMark = UnsafeMutableRawPointer(bitPattern: 1)!

    package init(
        labels: SplitLabelText, value: ExposedValue, timestamp: UInt64? = nil, exemplar: RenderedExemplar? = nil,
        cache: UnsafeMutablePointer<UnsafeMutableRawPointer?>? = nil
    ) {
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
        self.exemplar = exemplar
        self.cache = cache
    }
}
