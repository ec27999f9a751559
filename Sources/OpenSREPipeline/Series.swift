import Glibc
import PrometheusExposition

/// One exposed series: its label text, rendered once, and its aggregated state.
///
/// There is one per series and a collector may hold millions, so fields that
/// few series use (the UTF-8 label text, SLO taps, golden-signal roles) live in
/// an optional side object, `extras`, allocated only for the series that need one.
final class Series {
    /// Label text with legacy (escaped) label names.
    private let labelText: [UInt8]
    var state = SeriesState()
    /// Monotonic nanoseconds of the last update (for `metric_expiration`).
    var lastSeen: UInt64 = 0
    /// Set when the family dropped the series; streams then forget it too.
    var isRemoved = false
    /// What few series have (nil when every field has its default).
    private(set) var extras: SeriesExtras?

    private init(labelText: [UInt8], utf8LabelText: [UInt8]?) {
        self.labelText = labelText
        if let utf8LabelText { extras = SeriesExtras(utf8LabelText: utf8LabelText) }
    }

    static func make(labelText: [UInt8], utf8LabelText: [UInt8]? = nil) -> Series {
        Series(labelText: labelText, utf8LabelText: utf8LabelText)
    }

    /// Calls `body` with the label text: for UTF-8 scrapers (`utf8`), the one
    /// that keeps names the legacy form had to escape, when it differs.
    func withLabelText<Result>(utf8: Bool = false, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        if utf8, let text = extras?.utf8LabelText { return text.withUnsafeBytes(body) }
        return labelText.withUnsafeBytes(body)
    }

    func hasLabelText(_ text: [UInt8]) -> Bool {
        labelText == text
    }

    /// Label-text order (bytewise).
    func labelTextPrecedes(_ other: Series) -> Bool {
        labelText.lexicographicallyPrecedes(other.labelText)
    }

    private var mutableExtras: SeriesExtras {
        if let extras { return extras }
        let created = SeriesExtras(utf8LabelText: nil)
        extras = created
        return created
    }

    /// Label text for UTF-8 scrapers, when a UTF-8 strategy keeps names the
    /// legacy form had to escape; nil when both are the same.
    var utf8LabelText: [UInt8]? { extras?.utf8LabelText }

    /// The SLOs this series feeds (usually none).
    var sloTaps: [SLOTap] {
        get { extras?.sloTaps ?? [] }
        set { if extras != nil || !newValue.isEmpty { mutableExtras.sloTaps = newValue } }
    }

    /// The series' key for the SLO engine's baselines.
    var sloKey: UInt64 {
        get { extras?.sloKey ?? 0 }
        set { if extras != nil || newValue != 0 { mutableExtras.sloKey = newValue } }
    }

    /// A latency series feeding the golden signals.
    var goldenTap: GoldenSignals.LatencyTap? {
        get { extras?.goldenTap }
        set { if extras != nil || newValue != nil { mutableExtras.goldenTap = newValue } }
    }

    /// A saturation series that counts (not idle).
    var goldenCounts: Bool {
        get { extras?.goldenCounts ?? true }
        set { if extras != nil || !newValue { mutableExtras.goldenCounts = newValue } }
    }

    /// A saturation series' CPU, for per-CPU metrics.
    var goldenCPU: String? {
        get { extras?.goldenCPU }
        set { if extras != nil || newValue != nil { mutableExtras.goldenCPU = newValue } }
    }
}

/// The fields of a series that few series use, out of line (see ``Series``).
final class SeriesExtras {
    let utf8LabelText: [UInt8]?
    var sloTaps: [SLOTap] = []
    var sloKey: UInt64 = 0
    var goldenTap: GoldenSignals.LatencyTap?
    var goldenCounts = true
    var goldenCPU: String?

    init(utf8LabelText: [UInt8]?) {
        self.utf8LabelText = utf8LabelText
    }
}
