import COTLP
import Synchronization
import OpenSREModel
import PrometheusExposition

/// Turns the families a scrape shows into remote-write requests (Prometheus
/// remote write 1.0): one `TimeSeries` per line the text exposition would
/// write for the same series (explicit histograms as `_bucket`/`_sum`/`_count`,
/// summaries as quantiles, `_sum` and `_count`), named as the page names it,
/// labels sorted by name with `__name__`. External labels are added to every
/// series that lacks them: a label the series carries wins, as in Prometheus.
///
/// Every sample is stamped with the export's time, as a scrape of the page
/// would be, not with its point's time: the accumulated value holds at that
/// time, each export adds one sample per series at a strictly later time (so
/// a receiver never sees a series go back in time or change value at a time
/// it already has, which Prometheus answers with a 400 that rejects the
/// whole request), and a series the collector still shows never goes stale
/// in the receiver between two points of a slow sender.
///
/// With several shards (`remote_write_queue.num_consumers`), each series
/// always goes to the same one (a hash of its name and label text), so the
/// consumers sending shards in parallel keep every series' samples in order.
///
/// Exponential histograms go whole, as one series named like the family
/// carrying a native histogram (``NativeHistogramLayout``), instead of the
/// classic buckets the text format approximates them with; one whose scale
/// is below -4, which no native histogram can express, goes as those
/// classic lines.
///
/// The `WriteRequest` is written by hand (``WireBuffer``: field numbers from
/// `Protos/prometheus/remote_write.proto`, whose protoc-c code reads it back
/// in the tests and packs the rare native-histogram and metadata messages):
/// building protoc-c messages for every series and packing them was five
/// times slower. A series' labels are read and encoded once
/// (``SeriesLabels``) and, for a store series, kept with it for the next
/// exports (``CachedLabels``); each of its lines adds `__name__`,
/// `le`/`quantile` and the sample. Bodies are snappy block-compressed.
package final class RemoteWriteEncoder {
    /// One request, ready to send.
    package struct Request {
        /// The snappy-compressed `WriteRequest`.
        package var body: [UInt8]
        package var uncompressedBytes: Int
        package var series: Int
        /// The shard whose series it carries.
        package var shard: Int
    }

    /// The value of a stale marker: the NaN Prometheus reserves to say a
    /// series ended (remote write 1.0: sent when a series goes away).
    package static let staleMarker = Double(bitPattern: 0x7ff0_0000_0000_0002)

    private let externalLabels: [(name: [UInt8], value: [UInt8])]
    private let maxBatchBytes: Int
    private let sendMetadata: Bool
    package let shards: Int
    /// Per shard: the `WriteRequest` being written, and its series.
    private let bodies: [WireBuffer]
    private var seriesCounts: [Int]
    /// Packed `MetricMetadata` fields, sent with the first request of shard 0.
    private let metadata = WireBuffer(capacity: 4096)
    /// Where native-histogram messages are built before packing (reset per message).
    let arena: UnsafeMutablePointer<COTLPArena>
    private let packed = WireBuffer(capacity: 4096)
    private var labels = SeriesLabels()
    /// The labels of the series being added (valid while it is), with
    /// where `__name__` and the extra label go.
    private var current: (encoded: UnsafeRawBufferPointer, nameSplit: Int, extraSplit: Int) =
        (UnsafeRawBufferPointer(start: nil, count: 0), 0, 0)
    /// Tags the labels this encoder keeps with store series.
    private let id = RemoteWriteEncoder.nextID.add(1, ordering: .relaxed).newValue
    private static let nextID = Atomic<UInt32>(0)
    private var requests: [Request] = []
    private var stale = false
    private var time: Int64 = 0
    /// The shard of the series being added.
    private var shard = 0
    /// `le`/`quantile` values as text, for the bounds seen last (most series
    /// of a family share them).
    private var boundsText: (bounds: [Double], texts: [[UInt8]]) = ([], [])
    private var numberScratch: [UInt8] = []

    private static let nameLabel = Array("__name__".utf8)
    private static let le = Array("le".utf8)
    private static let quantile = Array("quantile".utf8)

    /// - Parameters:
    ///   - externalLabels: added to every series (`external_labels`).
    ///   - maxBatchBytes: the most a request's protobuf may hold before it
    ///     is split (`max_batch_size_bytes`); a series is never split.
    ///   - sendMetadata: send each family's type, help and unit (`send_metadata`).
    ///   - shards: how many shards series are spread over.
    package init(
        externalLabels: [String: String] = [:], maxBatchBytes: Int = 3_000_000, sendMetadata: Bool = false,
        shards: Int = 1
    ) {
        self.externalLabels = externalLabels.map { (Array($0.key.utf8), Array($0.value.utf8)) }
            .sorted { $0.name.lexicographicallyPrecedes($1.name) }
        self.maxBatchBytes = maxBatchBytes
        self.sendMetadata = sendMetadata
        self.shards = max(shards, 1)
        bodies = (0..<max(shards, 1)).map { _ in WireBuffer(capacity: min(maxBatchBytes, 1 << 20) + 1024) }
        seriesCounts = Array(repeating: 0, count: max(shards, 1))
        guard let arena = cotlp_arena_create(1 << 16, Int.max) else {
            fatalError("out of memory for the remote-write arena")
        }
        self.arena = arena
    }

    deinit { cotlp_arena_destroy(arena) }

    /// Requests carrying every series of `families`, stamped `now` (Unix ns).
    /// `stale`: each line's value is ``staleMarker`` instead (the families
    /// are series that ended). `between` runs every few thousand series
    /// (the processor folds in queued batches there, so a large export does
    /// not hold ingest up).
    package func encode(
        _ families: [any ExposedFamily], now: UInt64, stale: Bool = false, between: () -> Void = {}
    ) -> [Request] {
        requests = []
        self.stale = stale
        time = Int64(now / 1_000_000)
        var sinceBreak = 0
        for family in families where !family.isEmpty {
            let name = family.metricName.escaped
            if sendMetadata { addMetadata(of: family) }
            let nameHash = name.withUnsafeBytes { ByteHasher.hash($0) }
            let extra: [UInt8]? =
                switch family.type {
                case .histogram: Self.le
                case .summary: Self.quantile
                default: nil
                }
            family.forEachSeries(utf8: false) { series in
                withLabels(series.labels, cache: series.cache, nameHash: nameHash, extra: extra) { hash in
                    if shards > 1 { shard = Int(hash % UInt64(shards)) }
                    name.withUnsafeBytes { add(series.value, name: $0) }
                }
                sinceBreak += 1
                if sinceBreak >= 4096 {
                    sinceBreak = 0
                    between()
                }
            }
        }
        for index in 0..<shards { flush(shard: index) }
        return requests
    }

    // MARK: Labels

    /// Calls `body` with the series' hash (its shard) once ``current`` holds
    /// its encoded labels; skips a series whose label text cannot be read.
    /// A store series keeps them (``ExposedSeries/cache``, tagged with this
    /// encoder's ``id``) from its second export on (``CachedLabels``).
    private func withLabels(
        _ text: SplitLabelText, cache: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, nameHash: UInt64,
        extra: [UInt8]?, _ body: (UInt64) -> Void
    ) {
        if let slot = cache, let cached = CachedLabels(slot.pointee, owner: id) {
            current = (cached.labels, cached.nameSplit, cached.extraSplit)
            body(cached.hash)
            return
        }
        guard labels.read(text, external: externalLabels, extra: extra) else { return }
        let hash = CachedLabels.shardHash(Self.hash(text, seed: nameHash))
        current = (labels.encoded.bytes, labels.nameSplit, labels.extraSplit)
        if let slot = cache {
            if slot.pointee == nil {
                slot.pointee = ExposedSeries.seenMark  // kept from its second export on
            } else {
                _ = CachedLabels.store(
                    owner: id, hash: hash, labels: current.encoded, nameSplit: current.nameSplit,
                    extraSplit: current.extraSplit, in: slot)
            }
        }
        body(hash)
    }

    private static func hash(_ labels: SplitLabelText, seed: UInt64) -> UInt64 {
        ByteHasher.hash(labels.tail, seed: ByteHasher.hash(labels.head, seed: seed))
    }

    // MARK: Lines

    private func add(_ value: ExposedValue, name: UnsafeRawBufferPointer) {
        switch value {
        case .single(let value):
            line(name, "", value: value)
        case .histogram(let histogram):
            if let native = histogram.native, let layout = NativeHistogramLayout(native) {
                nativeLine(name, histogram: histogram, layout: layout)
                return
            }
            let texts = labelTexts(for: histogram.bounds)
            for index in histogram.bounds.indices {
                texts[index].withUnsafeBytes {
                    line(name, "_bucket", extra: (Self.le, $0), value: Double(histogram.cumulativeCounts[index]))
                }
            }
            "+Inf".utf8CString.withUnsafeBytes {
                line(name, "_bucket", extra: (Self.le, UnsafeRawBufferPointer(rebasing: $0.dropLast())), value: Double(histogram.count))
            }
            if let sum = histogram.sum { line(name, "_sum", value: sum) }
            line(name, "_count", value: Double(histogram.count))
        case .summary(let summary):
            let texts = labelTexts(for: summary.quantiles)
            for (index, quantileValue) in summary.values.enumerated() where index < texts.count {
                texts[index].withUnsafeBytes { line(name, "", extra: (Self.quantile, $0), value: quantileValue) }
            }
            line(name, "_sum", value: summary.sum)
            line(name, "_count", value: Double(summary.count))
        }
    }

    /// The `le`/`quantile` texts of `numbers`, as the exposition writes them.
    private func labelTexts(for numbers: [Double]) -> [[UInt8]] {
        if boundsText.bounds != numbers {
            boundsText = (
                numbers,
                numbers.map { number in
                    numberScratch.removeAll(keepingCapacity: true)
                    PrometheusFloat.appendSampleValue(number, to: &numberScratch)
                    return numberScratch
                }
            )
        }
        return boundsText.texts
    }

    /// Bytes of the `__name__` label of `name` + `suffix`.
    private static func nameLabelSize(_ nameCount: Int) -> Int {
        WireBuffer.fieldSize(WireBuffer.fieldSize(nameLabel.count) + WireBuffer.fieldSize(nameCount))
    }

    /// One `TimeSeries` with one sample.
    private func line(
        _ name: UnsafeRawBufferPointer, _ suffix: StaticString, extra: ([UInt8], UnsafeRawBufferPointer)? = nil,
        value: Double
    ) {
        let sampleInner = 9 + 1 + WireBuffer.varintSize(Int(time))
        let extraInner = extra.map { WireBuffer.fieldSize($0.0.count) + WireBuffer.fieldSize($0.1.count) }
        let seriesSize =
            current.encoded.count + Self.nameLabelSize(name.count + suffix.utf8CodeUnitCount)
            + (extraInner.map(WireBuffer.fieldSize) ?? 0) + WireBuffer.fieldSize(sampleInner)
        let body = begin(seriesSize)
        writeLabels(body, name, suffix, extra: extra.map { ($0.0, $0.1, extraInner!) })
        body.append(0x12)
        body.appendVarint(UInt64(sampleInner))
        body.append(0x09)
        body.appendDouble(stale ? Self.staleMarker : value)
        body.append(0x10)
        body.appendVarint(UInt64(time))
    }

    /// One `TimeSeries` carrying a native histogram.
    private func nativeLine(_ name: UnsafeRawBufferPointer, histogram: ExposedHistogram, layout: NativeHistogramLayout) {
        packed.reset()
        let message = makeHistogram(layout, count: histogram.count, sum: histogram.sum, time: time, stale: stale)
        let size = prometheus__histogram__get_packed_size(message)
        packed.reserve(size)
        _ = prometheus__histogram__pack(message, packed.base)
        cotlp_arena_reset(arena)
        let seriesSize = current.encoded.count + Self.nameLabelSize(name.count) + WireBuffer.fieldSize(size)
        let body = begin(seriesSize)
        writeLabels(body, name, "", extra: nil)
        body.appendField(0x22, UnsafeRawBufferPointer(start: packed.base, count: size))
    }

    /// Starts a `TimeSeries` of `size` bytes in the current shard's request,
    /// sending what it holds first when the series would not fit.
    private func begin(_ size: Int) -> WireBuffer {
        let body = bodies[shard]
        if body.count + WireBuffer.fieldSize(size) > maxBatchBytes, seriesCounts[shard] > 0 { flush(shard: shard) }
        seriesCounts[shard] += 1
        body.append(0x0A)
        body.appendVarint(UInt64(size))
        return body
    }

    /// The series' labels with `__name__` and the extra label where they sort.
    private func writeLabels(
        _ body: WireBuffer, _ name: UnsafeRawBufferPointer, _ suffix: StaticString,
        extra: ([UInt8], UnsafeRawBufferPointer, Int)?
    ) {
        let (encoded, nameSplit, extraSplit) = current
        body.append(UnsafeRawBufferPointer(rebasing: encoded[0..<nameSplit]))
        body.append(0x0A)
        body.appendVarint(UInt64(WireBuffer.fieldSize(Self.nameLabel.count) + WireBuffer.fieldSize(name.count + suffix.utf8CodeUnitCount)))
        Self.nameLabel.withUnsafeBytes { body.appendField(0x0A, $0) }
        body.append(0x12)
        body.appendVarint(UInt64(name.count + suffix.utf8CodeUnitCount))
        body.append(name)
        suffix.withUTF8Buffer { body.append(UnsafeRawBufferPointer($0)) }
        guard let (extraName, extraValue, extraInner) = extra else {
            body.append(UnsafeRawBufferPointer(rebasing: encoded[nameSplit...]))
            return
        }
        body.append(UnsafeRawBufferPointer(rebasing: encoded[nameSplit..<extraSplit]))
        body.append(0x0A)
        body.appendVarint(UInt64(extraInner))
        extraName.withUnsafeBytes { body.appendField(0x0A, $0) }
        body.appendField(0x12, extraValue)
        body.append(UnsafeRawBufferPointer(rebasing: encoded[extraSplit...]))
    }

    // MARK: Metadata and requests

    private func addMetadata(of family: any ExposedFamily) {
        var message = Prometheus__MetricMetadata()
        prometheus__metric_metadata__init(&message)
        message.type =
            switch family.type {
            case _ where family.isInfo: PROMETHEUS__METRIC_METADATA__METRIC_TYPE__INFO
            case .counter: PROMETHEUS__METRIC_METADATA__METRIC_TYPE__COUNTER
            case .gauge: PROMETHEUS__METRIC_METADATA__METRIC_TYPE__GAUGE
            case .histogram: PROMETHEUS__METRIC_METADATA__METRIC_TYPE__HISTOGRAM
            case .summary: PROMETHEUS__METRIC_METADATA__METRIC_TYPE__SUMMARY
            case .untyped: PROMETHEUS__METRIC_METADATA__METRIC_TYPE__UNKNOWN
            }
        let name = family.metricName.escaped + [0]
        name.withUnsafeBufferPointer { name in
            family.help.withCString { help in
                family.unit.withCString { unit in
                    message.metric_family_name = UnsafeMutablePointer(mutating: name.baseAddress!).withMemoryRebound(
                        to: CChar.self, capacity: name.count) { $0 }
                    message.help = UnsafeMutablePointer(mutating: help)
                    message.unit = UnsafeMutablePointer(mutating: unit)
                    let size = prometheus__metric_metadata__get_packed_size(&message)
                    packed.reset()
                    packed.reserve(size)
                    _ = prometheus__metric_metadata__pack(&message, packed.base)
                    metadata.appendField(0x1A, UnsafeRawBufferPointer(start: packed.base, count: size))
                }
            }
        }
    }

    /// Compresses what `shard` holds into one request. Metadata goes with
    /// the first request of shard 0 of each `encode`.
    private func flush(shard: Int) {
        let body = bodies[shard]
        if shard == 0, metadata.count > 0 {
            body.append(metadata.bytes)
            metadata.reset()
        }
        defer {
            body.reset()
            seriesCounts[shard] = 0
        }
        guard body.count > 0 else { return }
        requests.append(
            Request(
                body: Snappy.compress(body.bytes), uncompressedBytes: body.count, series: seriesCounts[shard],
                shard: shard))
    }

    // MARK: Arena

    /// Memory from the arena (native-histogram messages).
    func allocate<T>(_ type: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
        // The arena's limit is Int.max: allocation fails only when malloc does.
        guard let raw = cotlp_arena_allocate(arena, MemoryLayout<T>.stride * max(count, 1)) else {
            fatalError("out of memory building a remote-write request")
        }
        return raw.bindMemory(to: T.self, capacity: max(count, 1))
    }
}
