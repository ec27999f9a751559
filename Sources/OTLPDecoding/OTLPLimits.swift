import OpenSREModel

/// The limits both decoders (protobuf and JSON) enforce beyond the wire format,
/// each defined once here.
package enum OTLPLimits {
    /// The metric metadata entry that marks a gauge whose Prometheus type is
    /// unknown (the Collector's and otlptranslator's key), and that value: such
    /// a gauge is exposed `untyped` (`unknown` in OpenMetrics).
    static let prometheusTypeKey: StaticString = "prometheus.type"
    static let prometheusTypeUnknown: StaticString = "unknown"

    /// Most arrays and maps (`ArrayValue`, `KeyValueList`) an attribute value
    /// may nest, counting the outermost one: a request with a deeper value is
    /// refused whole (400). Real attributes nest a few levels (a 20-level map
    /// is already unusual); the bound keeps decoding's recursion, and the JSON
    /// parser's, far from the event loop's stack limit (protobuf-c's own
    /// recursion crashed at about 5,000 levels).
    package static let maximumValueNesting = 32

    /// Longest metric name, in bytes. The API spec caps instrument names at 255
    /// characters (SDKs enforce it; Go's does not), and 255 four-byte characters
    /// fit; Mimir's `max_metadata_length` default is the same 1024.
    package static let maximumNameBytes = 1024
    /// Longest unit, in bytes: the API spec's "at most 63 ASCII characters",
    /// which the Java, Python and .NET SDKs enforce.
    package static let maximumUnitBytes = 63
    /// Longest description, in bytes. The API spec requires support for at
    /// least 1023 characters (three bytes each in the BMP: 3069 bytes).
    package static let maximumDescriptionBytes = 4096

    /// How far past the receiver's clock a point's time (or start time) may be:
    /// 10 minutes, as Mimir's `creation_grace_period`. A later point is refused:
    /// stored, it would hold its series (every later point looks out of order).
    package static let futureTolerance: UInt64 = 10 * 60 * 1_000_000_000

    /// Why a metric's name, unit or description is refused, or nil when all fit.
    /// The name itself is left out of the reason when it is the problem.
    static func metadataProblem(name: Int, description: Int, unit: Int, metricName: () -> String) -> String? {
        if name > maximumNameBytes {
            return "metric name is \(name) bytes long (at most \(maximumNameBytes))"
        }
        if unit > maximumUnitBytes {
            return "unit of metric \(metricName()) is \(unit) bytes long (at most \(maximumUnitBytes))"
        }
        if description > maximumDescriptionBytes {
            return "description of metric \(metricName()) is \(description) bytes long (at most \(maximumDescriptionBytes))"
        }
        return nil
    }

    /// The latest time a point may carry when the clock reads `now`.
    static func latestTime(now: UInt64) -> UInt64 {
        let (sum, overflow) = now.addingReportingOverflow(futureTolerance)
        return overflow ? .max : sum
    }

    /// The `partial_success` reason for a point past ``latestTime(now:)``.
    static let futureReason =
        "point timestamp is more than \(futureTolerance / 60_000_000_000) minutes past the receiver's clock"

    /// Whether a point is timestamped too far ahead: its time, or its start time.
    ///
    /// A start after the time (an interval that ends before it starts) within
    /// the bound is accepted, as the Collector does: a sender's clock stepping
    /// back produces such points, their counts are real, and delta
    /// accumulation compares only a point's start with the stored end.
    @inline(__always)
    static func isTooFarAhead(start: UInt64, time: UInt64, latest: UInt64) -> Bool {
        time > latest || start > latest
    }
}
