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
    // Slots its observers (``SeriesObserver``) set when it is created.
    /// The OpenTelemetry metric name and resource, kept only when the stream
    /// may feed an SLO (its series are matched against the SLO sources).
    var sloSource: (metric: String, resource: [Attribute])?
    /// What the stream gives the golden signals, and its job.
    var golden: (role: GoldenSignals.Role, job: String)?
    /// For a latency stream: its resource's choice between old and stable metrics.
    var goldenResource: GoldenSignals.ResourceState?
    /// Whether an observer follows the stream: its new series are shown to them.
    var isObserved = false
    /// Monotonic nanoseconds of the last point (for expiry of the stream itself).
    var lastSeen: UInt64 = 0
    /// The newest point time (Unix ns) seen on the stream: a bound on every
    /// series' latest time, reported so the receiver knows which later
    /// points cannot be out of order.
    var newestTime: UInt64 = 0
    /// Bytes counted for the stream itself against `max_series_bytes`, given back when it expires.
    var accountedBytes = 0
    /// The start of the label text that the stream's new series share (see
    /// ``Series``): the longest common to the texts seen since two agreed on
    /// at least ``minimumSharedPrefix`` bytes (empty until then).
    private var labelPrefix: [UInt8] = []
    /// The stream's fixed labels and resource labels prepared for rendering
    /// its series' label texts (the UTF-8 form's too, when the translation
    /// strategy keeps UTF-8 names); made with the stream's first series.
    var labelTemplates: (legacy: LabelTemplate, utf8: LabelTemplate?)?
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
    /// stream's other series (empty for none). Without a prefix yet, the text
    /// is compared with one of the stream's series: no text is kept for that.
    func sharedPrefix(for text: [UInt8]) -> [UInt8] {
        text.withUnsafeBytes { sharedPrefix(for: $0) }
    }

    /// ``sharedPrefix(for:)-([UInt8])`` of a text where the caller keeps it.
    func sharedPrefix(for text: UnsafeRawBufferPointer) -> [UInt8] {
        let common: Int
        if !labelPrefix.isEmpty {
            common = labelPrefix.withUnsafeBytes { Self.commonPrefixLength(text, SplitLabelText(head: $0)) }
            if common == labelPrefix.count { return labelPrefix }
        } else if let other = series.values.last {
            common = other.withLabelText { Self.commonPrefixLength(text, $0) }
        } else {
            return []
        }
        guard common >= Self.minimumSharedPrefix else { return [] }
        labelPrefix = Array(text[..<common])
        return labelPrefix
    }

    private static func commonPrefixLength(_ text: UnsafeRawBufferPointer, _ other: SplitLabelText) -> Int {
        let head = equalPrefix(text, other.head)
        guard head == other.head.count else { return head }
        return head + equalPrefix(UnsafeRawBufferPointer(rebasing: text[head...]), other.tail)
    }

    /// How many bytes both start with, compared a word at a time.
    private static func equalPrefix(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Int {
        let count = min(left.count, right.count)
        var index = 0
        while index + 8 <= count,
            left.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                == right.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        {
            index += 8
        }
        while index < count, left[index] == right[index] { index += 1 }
        return index
    }
}
