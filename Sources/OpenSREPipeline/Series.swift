import Glibc
import OpenSREModel
import PrometheusExposition

/// One exposed series: its label text, rendered once, and its aggregated state.
///
/// There is one per series and a collector may hold millions, so the layout
/// is kept to one heap block of 96 bytes plus part of the label text:
/// - the label text is tail-allocated in the object itself (it is a
///   `ManagedBuffer` of its bytes), instead of an array with its own heap
///   block, header and pointer;
/// - except for its head, `prefix`, when that is shared: the series of one
///   stream carry the same fixed labels (`job`, `instance`, scope) and
///   attribute names, so their texts tend to agree on a long prefix (two
///   thirds of a typical text), which they then hold once, in one array;
/// - fields that few series use (the UTF-8 label text, SLO taps,
///   golden-signal roles) live in an optional side object, `extras`,
///   allocated only for the series that need one.
///
/// Create one with ``make(labelText:prefix:utf8LabelText:)``.
final class Series: ManagedBuffer<Series.Fields, UInt8> {
    /// In this order the small fields fill the padding after `state`.
    struct Fields {
        var state = SeriesState()
        /// Set when the family dropped the series; streams then forget it too.
        var isRemoved = false
        /// Out-of-line state bytes counted for `max_series_bytes`, in 16-byte
        /// units (see ``SeriesAccounting``); fills padding, so costs nothing.
        var stateUnits: UInt16 = 0
        /// Bytes of label text that follow the fields (after `prefix`).
        var labelCount: UInt32
        /// Monotonic nanoseconds of the last update (for `metric_expiration`).
        var lastSeen: UInt64 = 0
        /// What few series have (nil when every field has its default).
        var extras: SeriesExtras?
        /// The start of the label text, shared with other series (or empty).
        var prefix: [UInt8]
        /// What an exporter keeps with the series (``ExposedSeries/cache``,
        /// malloc'ed): nil unless remote write is on.
        var exporterCache: UnsafeMutableRawPointer?
    }

    /// A series whose legacy label text is `labelText`, holding its first
    /// `prefix.count` bytes as `prefix` (shared: it must be how the text starts).
    static func make(labelText: [UInt8], prefix: [UInt8] = [], utf8LabelText: [UInt8]? = nil) -> Series {
        labelText.withUnsafeBytes { make(labelText: $0, prefix: prefix, utf8LabelText: utf8LabelText) }
    }

    /// ``make(labelText:prefix:utf8LabelText:)-([UInt8],_,_)`` from a text
    /// where the caller keeps it (copied into the series).
    static func make(labelText: UnsafeRawBufferPointer, prefix: [UInt8] = [], utf8LabelText: [UInt8]? = nil) -> Series {
        precondition(labelText.count <= UInt32.max, "label text over 4 GiB")
        precondition(
            prefix.count <= labelText.count
                && prefix.withUnsafeBytes { $0.isEmpty || memcmp($0.baseAddress!, labelText.baseAddress!, $0.count) == 0 },
            "not a prefix of the label text")
        let count = labelText.count - prefix.count
        let buffer = create(minimumCapacity: count) { _ in
            Fields(
                labelCount: UInt32(count), extras: utf8LabelText.map(SeriesExtras.init(utf8LabelText:)),
                prefix: prefix)
        }
        let series = unsafeDowncast(buffer, to: Series.self)
        series.withUnsafeMutablePointerToElements { elements in
            if count > 0 {
                UnsafeMutableRawPointer(elements).copyMemory(from: labelText.baseAddress! + prefix.count, byteCount: count)
            }
        }
        return series
    }

    /// The fields, through a pointer: `header` is one stored property for all
    /// of them, whose every access the runtime would check for exclusivity
    /// (about a third of the ingest time of a known series). The pointer is
    /// valid as long as the series is, which any caller's reference ensures.
    @inline(__always)
    private var fields: UnsafeMutablePointer<Fields> { withUnsafeMutablePointerToHeader { $0 } }

    var state: SeriesState {
        get { fields.pointee.state }
        set { fields.pointee.state = newValue }
        _modify { yield &fields.pointee.state }
    }

    /// Monotonic nanoseconds of the last update (for `metric_expiration`).
    /// The state's value and latest point time, read without copying the state.
    var value: Double { fields.pointee.state.value }
    var lastTime: UInt64 { fields.pointee.state.lastTime }
    var latestExemplar: RenderedExemplar? { fields.pointee.state.exemplar }

    var lastSeen: UInt64 {
        get { fields.pointee.lastSeen }
        set { fields.pointee.lastSeen = newValue }
    }

    /// Set when the family dropped the series; streams then forget it too.
    var isRemoved: Bool {
        get { fields.pointee.isRemoved }
        set { fields.pointee.isRemoved = newValue }
    }

    var extras: SeriesExtras? { fields.pointee.extras }

    /// ``Fields/exporterCache`` in place (valid while the series is).
    var exporterCache: UnsafeMutablePointer<UnsafeMutableRawPointer?> {
        UnsafeMutableRawPointer(fields).advanced(by: MemoryLayout<Fields>.offset(of: \.exporterCache)!)
            .assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
    }

    deinit {
        if let block = fields.pointee.exporterCache, block != ExposedSeries.seenMark { free(block) }
    }

    /// Bytes counted for this series against `max_series_bytes` (see
    /// ``SeriesAccounting``): set when it is created and raised when its state
    /// grows (``growAccountedState(to:)``), so that removing it gives back
    /// exactly what it took.
    var accountedBytes: Int {
        SeriesAccounting.seriesOverhead + Int(fields.pointee.labelCount)
            + (fields.pointee.extras?.utf8LabelText?.count ?? 0) + Int(fields.pointee.stateUnits) * 16
    }

    /// Records the out-of-line state bytes to count (rounded up to 16, capped
    /// at ``SeriesAccounting/maximumStateBytes``), at creation.
    func setAccountedStateBytes(_ bytes: Int) {
        fields.pointee.stateUnits = UInt16(min((bytes + 15) / 16, Int(UInt16.max)))
    }

    /// Raises the state bytes counted to `bytes` when a point made the state
    /// larger (a histogram with more buckets); returns what was added.
    func growAccountedState(to bytes: Int) -> Int {
        let units = UInt16(min((bytes + 15) / 16, Int(UInt16.max)))
        let before = fields.pointee.stateUnits
        guard units > before else { return 0 }
        fields.pointee.stateUnits = units
        return Int(units - before) * 16
    }

    /// Calls `body` with the label text: for UTF-8 scrapers (`utf8`), the one
    /// that keeps names the legacy form had to escape, when it differs.
    func withLabelText<Result>(utf8: Bool = false, _ body: (SplitLabelText) -> Result) -> Result {
        if utf8, let text = fields.pointee.extras?.utf8LabelText {
            return text.withUnsafeBytes { body(SplitLabelText(head: $0)) }
        }
        let count = Int(fields.pointee.labelCount)
        return fields.pointee.prefix.withUnsafeBytes { prefix in
            withUnsafeMutablePointerToElements { body(SplitLabelText(head: prefix, tail: UnsafeRawBufferPointer(start: $0, count: count))) }
        }
    }

    /// The legacy label text as one array (allocates: for tests and cold paths).
    var labelTextBytes: [UInt8] {
        withLabelText { Array($0.head) + Array($0.tail) }
    }

    func hasLabelText(_ text: [UInt8]) -> Bool {
        text.withUnsafeBytes { hasLabelText($0) }
    }

    func hasLabelText(_ text: UnsafeRawBufferPointer) -> Bool {
        guard text.count == fields.pointee.prefix.count + Int(fields.pointee.labelCount) else { return false }
        return withLabelText { SplitLabelText.compare($0, SplitLabelText(head: text)) == 0 }
    }

    /// Label-text order (bytewise).
    func labelTextPrecedes(_ other: Series) -> Bool {
        withLabelText { own in other.withLabelText { SplitLabelText.compare(own, $0) < 0 } }
    }

    /// A hash of the whole label text (through `scratch` when it is in two parts).
    func hashLabelText(seed: UInt64, scratch: inout [UInt8]) -> UInt64 {
        withLabelText { text in
            if text.head.isEmpty { return ByteHasher.hash(text.tail, seed: seed) }
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: text.head)
            scratch.append(contentsOf: text.tail)
            return scratch.withUnsafeBytes { ByteHasher.hash($0, seed: seed) }
        }
    }

    private var mutableExtras: SeriesExtras {
        if let extras = fields.pointee.extras { return extras }
        let created = SeriesExtras(utf8LabelText: nil)
        fields.pointee.extras = created
        return created
    }

    /// Label text for UTF-8 scrapers, when a UTF-8 strategy keeps names the
    /// legacy form had to escape; nil when both are the same.
    var utf8LabelText: [UInt8]? { fields.pointee.extras?.utf8LabelText }

    /// Asks the store for this series' accepted points (see ``SeriesObserver``).
    func followPoints() { mutableExtras.wantsPoints = true }

    /// The SLOs this series feeds (usually none).
    var sloTaps: [SLOTap] {
        get { fields.pointee.extras?.sloTaps ?? [] }
        set { if fields.pointee.extras != nil || !newValue.isEmpty { mutableExtras.sloTaps = newValue } }
    }

    /// The series' ``SLOSeriesKey``, for the SLO engine's baselines.
    var sloKey: UInt64 {
        get { fields.pointee.extras?.sloKey ?? 0 }
        set { if fields.pointee.extras != nil || newValue != 0 { mutableExtras.sloKey = newValue } }
    }

    /// A latency series feeding the golden signals.
    var goldenTap: GoldenSignals.LatencyTap? {
        get { fields.pointee.extras?.goldenTap }
        set { if fields.pointee.extras != nil || newValue != nil { mutableExtras.goldenTap = newValue } }
    }

    /// A saturation series that counts (not idle).
    var goldenCounts: Bool {
        get { fields.pointee.extras?.goldenCounts ?? true }
        set { if fields.pointee.extras != nil || !newValue { mutableExtras.goldenCounts = newValue } }
    }

    /// A saturation series' CPU, for per-CPU metrics.
    var goldenCPU: String? {
        get { fields.pointee.extras?.goldenCPU }
        set { if fields.pointee.extras != nil || newValue != nil { mutableExtras.goldenCPU = newValue } }
    }
}
