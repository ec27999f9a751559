/// One metric of one scope of one resource: the unit a processor finds (or
/// creates) once per request, before it looks up the series of each point.
package struct DecodedStream: Sendable {
    /// Hash of `key`, computed by the decoder.
    package var identityHash: UInt64
    /// Resource attributes, scope name, version and attributes, and metric
    /// name, each length-prefixed (what SLO series keys are made from).
    package var identity: SliceRange
    /// The stream's key: `identity`, then the point kind, temporality,
    /// monotonicity and origin mark (1: `prometheus.type=unknown`, 2: derived
    /// from spans; a byte each) and the
    /// unit (length-prefixed). The OpenTelemetry data model ("OpenTelemetry
    /// Protocol data model") counts the point kind, unit, temporality and
    /// monotonicity as identifying: a name sent again as another kind is
    /// another metric, whose points must not be folded by the first one's rules.
    package var key: SliceRange
    package var resource: SliceRange
    package var scopeName: SliceRange
    package var scopeVersion: SliceRange
    package var scopeAttributes: SliceRange
    package var scopeSchemaURL: SliceRange
    package var name: SliceRange
    package var description: SliceRange
    package var unit: SliceRange
    package var kind: MetricKind
    package var temporality: Temporality
    package var isMonotonic: Bool
    /// A gauge whose metric metadata says `prometheus.type` = `unknown` (it
    /// came from an untyped Prometheus metric): exposed as untyped, as the
    /// compatibility spec and the Collector's exporter do.
    package var isPrometheusUnknown: Bool = false
    /// Derived by the collector (span metrics), not sent: its points carry
    /// no times of their own and the store stamps them as it folds them in.
    package var isDerived: Bool = false
    /// The stream's points: `points[firstPoint ..< firstPoint + pointCount]`.
    package var firstPoint: Int32
    package var pointCount: Int32

    package var pointRange: Range<Int> { Int(firstPoint)..<Int(firstPoint) + Int(pointCount) }
}
