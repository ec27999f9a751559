import OpenSREModel
import PrometheusExposition

/// One metric of one scope of one resource, as the processor knows it: where
/// its points go (family), the labels every one of its series carries, and its
/// series by the canonical bytes of their attributes.
final class MetricStream {
    let kind: MetricKind
    let temporality: Temporality
    let family: MetricFamily?
    /// Why this stream's points are refused (nil when accepted).
    let refusal: Refusal?
    /// `job`, `instance`, scope and const labels.
    let fixedLabels: [Label]
    /// Resource attributes turned into labels (`resource_to_telemetry_conversion`).
    let resourceAttributes: [Attribute]
    /// Labels that attributes must not take (`le` for histograms, `quantile` for summaries).
    let reservedLabels: Set<String>
    /// For a type conflict: the family name this stream wanted.
    var conflictingName: String?
    /// The resource's `target_info` key, when it has one.
    let targetKey: (hash: UInt64, bytes: [UInt8])?
    var series = SeriesTable<Series>()
    /// The histogram bounds the stream's series last took: equal bounds are
    /// shared by its series (one array per stream, not per series).
    var histogramBounds: [Double] = []
    /// The OpenTelemetry metric name and resource, kept only when the stream
    /// may feed an SLO (its series are matched against the SLO sources).
    var sloSource: (metric: String, resource: [Attribute])?
    /// What the stream gives the golden signals, and its job.
    var golden: (role: GoldenSignals.Role, job: String)?
    /// Monotonic nanoseconds of the last point (for expiry of the stream itself).
    var lastSeen: UInt64 = 0
    /// The start of the label text that the stream's new series share (see
    /// ``Series``): the longest common to the texts seen, once two agreed on
    /// at least ``minimumSharedPrefix`` bytes; until then, the last text seen.
    private var labelPrefix: [UInt8] = []
    private var prefixCandidate: [UInt8] = []
    /// Shorter prefixes are not worth an array of their own.
    static let minimumSharedPrefix = 16

    enum Refusal: String {
        case invalidName = "invalid_name"
        case typeConflict = "type_conflict"
    }

    init(
        kind: MetricKind, temporality: Temporality, family: MetricFamily?, refusal: Refusal?,
        fixedLabels: [Label], resourceAttributes: [Attribute], reservedLabels: Set<String>,
        targetKey: (hash: UInt64, bytes: [UInt8])?
    ) {
        self.kind = kind
        self.temporality = temporality
        self.family = family
        self.refusal = refusal
        self.fixedLabels = fixedLabels
        self.resourceAttributes = resourceAttributes
        self.reservedLabels = reservedLabels
        self.targetKey = targetKey
    }

    /// The prefix a new series with label text `text` shares with the
    /// stream's other series (empty for none).
    func sharedPrefix(for text: [UInt8]) -> [UInt8] {
        let reference = labelPrefix.isEmpty ? prefixCandidate : labelPrefix
        let common = Self.commonPrefixLength(text, reference)
        if !labelPrefix.isEmpty, common == labelPrefix.count { return labelPrefix }
        if common >= Self.minimumSharedPrefix {
            labelPrefix = Array(text[..<common])
            prefixCandidate = []
            return labelPrefix
        }
        if labelPrefix.isEmpty { prefixCandidate = text }
        return []
    }

    private static func commonPrefixLength(_ left: [UInt8], _ right: [UInt8]) -> Int {
        let limit = min(left.count, right.count)
        var index = 0
        while index < limit, left[index] == right[index] { index += 1 }
        return index
    }
}
