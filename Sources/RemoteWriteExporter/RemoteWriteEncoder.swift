import COTLP
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
/// The protobuf goes through the protoc-c code generated from
/// `Protos/prometheus/remote_write.proto`, its messages built in an arena per shard
/// reset after every request; bodies are snappy block-compressed.
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

    private let externalLabels: [(name: [UInt8], value: [UInt8])]
    private let maxBatchBytes: Int
    private let sendMetadata: Bool
    package let shards: Int
    /// Per shard: where its pending messages are built (reset once packed).
    private let arenas: [UnsafeMutablePointer<COTLPArena>]
    private var parsed = ParsedLabels()
    /// One series' labels before sorting: ranges of `labelBytes`.
    private var labelBytes: [UInt8] = []
    private var labelRanges: [(name: Range<Int>, value: Range<Int>)] = []
    /// Per shard: series built and not yet packed.
    private var pending: [[UnsafeMutablePointer<Prometheus__TimeSeries>]]
    private var pendingBytes: [Int]
    private var pendingMetadata: [UnsafeMutablePointer<Prometheus__MetricMetadata>] = []
    private var requests: [Request] = []
    /// The shard of the series being added.
    private var shard = 0
    private var numberScratch: [UInt8] = []
    /// Whether the current `encode` writes stale markers.
    private var stale = false

    private static let nameLabel = Array("__name__".utf8)

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
        pending = Array(repeating: [], count: max(shards, 1))
        pendingBytes = Array(repeating: 0, count: max(shards, 1))
        arenas = (0..<max(shards, 1)).map { _ in
            guard let arena = cotlp_arena_create(1 << 20, Int.max) else {
                fatalError("out of memory for the remote-write arenas")
            }
            return arena
        }
    }

    deinit { for arena in arenas { cotlp_arena_destroy(arena) } }

    /// The value of a stale marker: the NaN Prometheus reserves to say a
    /// series ended (remote write 1.0: sent when a series goes away).
    package static let staleMarker = Double(bitPattern: 0x7ff0_0000_0000_0002)

    /// Requests carrying every series of `families`, stamped `now` (Unix ns).
    /// `stale`: each line's value is ``staleMarker`` instead (the families
    /// are series that ended).
    package func encode(_ families: [any ExposedFamily], now: UInt64, stale: Bool = false) -> [Request] {
        requests = []
        self.stale = stale
        let time = Int64(now / 1_000_000)
        for family in families where !family.isEmpty {
            let name = family.metricName.escaped
            if sendMetadata { addMetadata(of: family) }
            let nameHash = name.withUnsafeBytes { ByteHasher.hash($0) }
            family.forEachSeries(utf8: false) { series in
                guard parsed.read(series.labels) else { return }
                if shards > 1 {
                    let hash = ByteHasher.hash(series.labels.tail, seed: ByteHasher.hash(series.labels.head, seed: nameHash))
                    shard = Int(hash % UInt64(shards))
                }
                switch series.value {
                case .single(let value):
                    add(name, suffix: "", extra: nil, value: value, time: time)
                case .histogram(let histogram):
                    if let native = histogram.native, let layout = NativeHistogramLayout(native) {
                        add(name, suffix: "", extra: nil, value: 0, time: time, native: (histogram, layout))
                        break
                    }
                    for (index, bound) in histogram.bounds.enumerated() {
                        add(name, suffix: "_bucket", extra: ("le", bound), value: Double(histogram.cumulativeCounts[index]), time: time)
                    }
                    add(name, suffix: "_bucket", extra: ("le", .infinity), value: Double(histogram.count), time: time)
                    if let sum = histogram.sum { add(name, suffix: "_sum", extra: nil, value: sum, time: time) }
                    add(name, suffix: "_count", extra: nil, value: Double(histogram.count), time: time)
                case .summary(let summary):
                    for (quantile, value) in zip(summary.quantiles, summary.values) {
                        add(name, suffix: "", extra: ("quantile", quantile), value: value, time: time)
                    }
                    add(name, suffix: "_sum", extra: nil, value: summary.sum, time: time)
                    add(name, suffix: "_count", extra: nil, value: Double(summary.count), time: time)
                }
            }
        }
        for index in 0..<shards { flush(shard: index) }
        return requests
    }

    // MARK: Building messages

    /// Adds one series; with `native`, carrying that native histogram instead of a sample.
    private func add(
        _ name: [UInt8], suffix: StaticString, extra: (name: StaticString, value: Double)?, value: Double, time: Int64,
        native: (histogram: ExposedHistogram, layout: NativeHistogramLayout)? = nil
    ) {
        labelBytes.removeAll(keepingCapacity: true)
        labelRanges.removeAll(keepingCapacity: true)
        func append(_ bytes: some Collection<UInt8>) -> Range<Int> {
            let start = labelBytes.count
            labelBytes.append(contentsOf: bytes)
            return start..<labelBytes.count
        }
        let nameLabel = append(Self.nameLabel)
        let nameStart = labelBytes.count
        labelBytes.append(contentsOf: name)
        suffix.withUTF8Buffer { labelBytes.append(contentsOf: $0) }
        labelRanges.append((nameLabel, nameStart..<labelBytes.count))
        let parsedStart = labelBytes.count
        labelBytes.append(contentsOf: parsed.bytes)
        for entry in parsed.entries {
            let entryName = (entry.name.lowerBound + parsedStart)..<(entry.name.upperBound + parsedStart)
            if labelBytes[entryName].elementsEqual(Self.nameLabel) { continue }
            labelRanges.append((entryName, (entry.value.lowerBound + parsedStart)..<(entry.value.upperBound + parsedStart)))
        }
        if let extra {
            let extraName = extra.name.withUTF8Buffer { append($0) }
            numberScratch.removeAll(keepingCapacity: true)
            PrometheusFloat.appendSampleValue(extra.value, to: &numberScratch)
            labelRanges.append((extraName, append(numberScratch)))
        }
        for external in externalLabels where !hasLabel(external.name) {
            labelRanges.append((append(external.name), append(external.value)))
        }
        labelRanges.sort { labelBytes[$0.name].lexicographicallyPrecedes(labelBytes[$1.name]) }

        var estimate = 24  // the sample, the series' framing
        for range in labelRanges { estimate += range.name.count + range.value.count + 6 }
        estimate += native?.layout.estimatedBytes ?? 0
        if pendingBytes[shard] + estimate > maxBatchBytes, !pending[shard].isEmpty { flush(shard: shard) }
        pendingBytes[shard] += estimate
        pending[shard].append(makeSeries(value: value, time: time, native: native))
    }

    private func hasLabel(_ name: [UInt8]) -> Bool {
        labelRanges.contains { labelBytes[$0.name].elementsEqual(name) }
    }

    private func makeSeries(
        value: Double, time: Int64, native: (histogram: ExposedHistogram, layout: NativeHistogramLayout)?
    ) -> UnsafeMutablePointer<Prometheus__TimeSeries> {
        let series = allocate(Prometheus__TimeSeries.self)
        prometheus__time_series__init(series)
        let count = labelRanges.count
        let labels = allocate(Prometheus__Label.self, count: count)
        let labelPointers = allocate(UnsafeMutablePointer<Prometheus__Label>?.self, count: count)
        labelBytes.withUnsafeBytes { bytes in
            for (index, range) in labelRanges.enumerated() {
                let label = labels + index
                prometheus__label__init(label)
                label.pointee.name = cString(UnsafeRawBufferPointer(rebasing: bytes[range.name]))
                label.pointee.value = cString(UnsafeRawBufferPointer(rebasing: bytes[range.value]))
                labelPointers[index] = label
            }
        }
        series.pointee.n_labels = count
        series.pointee.labels = labelPointers
        if let native {
            let histograms = allocate(UnsafeMutablePointer<Prometheus__Histogram>?.self)
            histograms[0] = makeHistogram(
                native.layout, count: native.histogram.count, sum: native.histogram.sum, time: time, stale: stale)
            series.pointee.n_histograms = 1
            series.pointee.histograms = histograms
            return series
        }
        let sample = allocate(Prometheus__Sample.self)
        prometheus__sample__init(sample)
        sample.pointee.value = stale ? Self.staleMarker : value
        sample.pointee.timestamp = time
        let samplePointers = allocate(UnsafeMutablePointer<Prometheus__Sample>?.self, count: 1)
        samplePointers[0] = sample
        series.pointee.n_samples = 1
        series.pointee.samples = samplePointers
        return series
    }

    private func addMetadata(of family: any ExposedFamily) {
        let metadata = allocate(Prometheus__MetricMetadata.self, shard: 0)
        prometheus__metric_metadata__init(metadata)
        metadata.pointee.type =
            switch family.type {
            case _ where family.isInfo: PROMETHEUS__METRIC_METADATA__METRIC_TYPE__INFO
            case .counter: PROMETHEUS__METRIC_METADATA__METRIC_TYPE__COUNTER
            case .gauge: PROMETHEUS__METRIC_METADATA__METRIC_TYPE__GAUGE
            case .histogram: PROMETHEUS__METRIC_METADATA__METRIC_TYPE__HISTOGRAM
            case .summary: PROMETHEUS__METRIC_METADATA__METRIC_TYPE__SUMMARY
            case .untyped: PROMETHEUS__METRIC_METADATA__METRIC_TYPE__UNKNOWN
            }
        metadata.pointee.metric_family_name = family.metricName.escaped.withUnsafeBytes { cString($0, shard: 0) }
        metadata.pointee.help = Array(family.help.utf8).withUnsafeBytes { cString($0, shard: 0) }
        metadata.pointee.unit = Array(family.unit.utf8).withUnsafeBytes { cString($0, shard: 0) }
        pendingMetadata.append(metadata)
    }

    /// Packs and compresses what is pending for `shard` into one request.
    /// Metadata goes with the first request of shard 0 of each `encode`.
    private func flush(shard: Int) {
        let metadata = shard == 0 ? pendingMetadata : []
        defer {
            pending[shard].removeAll(keepingCapacity: true)
            pendingBytes[shard] = 0
            if shard == 0 { pendingMetadata.removeAll(keepingCapacity: true) }
            cotlp_arena_reset(arenas[shard])
        }
        guard !pending[shard].isEmpty || !metadata.isEmpty else { return }
        var request = Prometheus__WriteRequest()
        prometheus__write_request__init(&request)
        let series = allocate(UnsafeMutablePointer<Prometheus__TimeSeries>?.self, count: pending[shard].count, shard: shard)
        for (index, pointer) in pending[shard].enumerated() { series[index] = pointer }
        request.n_timeseries = pending[shard].count
        request.timeseries = series
        let metadataPointers = allocate(
            UnsafeMutablePointer<Prometheus__MetricMetadata>?.self, count: metadata.count, shard: shard)
        for (index, pointer) in metadata.enumerated() { metadataPointers[index] = pointer }
        request.n_metadata = metadata.count
        request.metadata = metadata.isEmpty ? nil : metadataPointers
        let size = prometheus__write_request__get_packed_size(&request)
        let packed = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = prometheus__write_request__pack(&request, buffer.baseAddress)
        }
        let body = packed.withUnsafeBytes { Snappy.compress($0) }
        requests.append(Request(body: body, uncompressedBytes: packed.count, series: pending[shard].count, shard: shard))
    }

    // MARK: Arena

    /// Memory from the arena of `shard` (the series being added's by default).
    func allocate<T>(_ type: T.Type, count: Int = 1, shard: Int? = nil) -> UnsafeMutablePointer<T> {
        // The arenas' limit is Int.max: allocation fails only when malloc does.
        guard let raw = cotlp_arena_allocate(arenas[shard ?? self.shard], MemoryLayout<T>.stride * max(count, 1)) else {
            fatalError("out of memory building a remote-write request")
        }
        return raw.bindMemory(to: T.self, capacity: max(count, 1))
    }

    private func cString(_ bytes: UnsafeRawBufferPointer, shard: Int? = nil) -> UnsafeMutablePointer<CChar> {
        let text = allocate(CChar.self, count: bytes.count + 1, shard: shard)
        if !bytes.isEmpty { UnsafeMutableRawPointer(text).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        text[bytes.count] = 0
        return text
    }
}
