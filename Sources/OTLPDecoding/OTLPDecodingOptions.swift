import OpenSREModel

/// What the decoders need to know besides the bytes.
package struct OTLPDecodingOptions: Sendable {
    /// Whether the exporter escapes label names (`translation_strategy`
    /// `UnderscoreEscaping…`): then a point with an attribute key that escapes
    /// to underscores only (``LabelNameRule``) is refused.
    package var escapesLabelNames: Bool
    /// The receiver's clock, in Unix nanoseconds, read once per request (tests
    /// pass a fixed time).
    package var wallClock: @Sendable () -> UInt64

    package init(escapesLabelNames: Bool = true, wallClock: @escaping @Sendable () -> UInt64 = WallClock.now) {
        self.escapesLabelNames = escapesLabelNames
        self.wallClock = wallClock
    }
}
