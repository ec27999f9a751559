import Glibc
import OpenSREModel

/// Sums one request's spans per series, then writes them as a batch of
/// derived metric points: per resource, a `calls` delta counter and a
/// `duration` delta histogram (see ``SpanMetricsConfiguration``). The store
/// accumulates the deltas into cumulative series that start when the
/// collector first counted them, so an app's restart is just more calls.
///
/// A request of a million spans of one route costs one series lookup per
/// span in a small per-request table, never one per span in the store; a
/// request of many resources costs one lookup per resource (hashed, as keys
/// are) and one pass over the entries to group them.
struct SpanAggregator {
    private struct Resource {
        var attributes: SliceRange
        var service: SliceRange
        /// The previous resource whose attributes hash alike (-1: none).
        var next: Int32 = -1
    }

    private struct Entry {
        var resource: Int32
        var key: SliceRange
        var hash: UInt64
        /// The spans' status code (which overflow series they go to).
        var status: Int32 = 0
        var count: UInt64 = 0
        var sum: Double = 0
        /// The slowest span's duration (in the unit), end time and IDs (in `ids`).
        var slowest: Double = -1
        var slowestTime: UInt64 = 0
        var hasIDs = false
        var next: Int32 = -1
    }

    let rules: SpanMetricsRules
    private var bytes: [UInt8] = []
    private var resources: [Resource] = []
    /// Attribute hash → the last resource with it (chained through `next`).
    private var resourceHeads: [UInt64: Int32] = [:]
    private var current: Int32 = -1
    private var entries: [Entry] = []
    private var heads: [UInt64: Int32] = [:]
    /// Explicit bucket counts, `bounds.count + 1` per entry.
    private var buckets: [UInt64] = []
    private var exponentials: [ExponentialCounts] = []
    /// 24 bytes per entry: the slowest span's trace ID and span ID.
    private var ids: [UInt8] = []

    init(rules: SpanMetricsRules) {
        self.rules = rules
    }

    /// Spans counted so far.
    private(set) var spanCount = 0

    /// Starts (or returns to) the resource with these canonical attributes.
    mutating func beginResource(attributes: UnsafeRawBufferPointer, service: UnsafeRawBufferPointer) {
        let hash = ByteHasher.hash(attributes, seed: 3)
        var cursor = resourceHeads[hash] ?? -1
        while cursor >= 0 {
            if equal(resources[Int(cursor)].attributes, attributes) {
                current = cursor
                return
            }
            cursor = resources[Int(cursor)].next
        }
        let attributesRange = append(attributes)
        let serviceRange = append(service)
        resources.append(Resource(attributes: attributesRange, service: serviceRange, next: resourceHeads[hash] ?? -1))
        current = Int32(resources.count - 1)
        resourceHeads[hash] = current
    }

    /// Whether the bytes at `range` are `other` (`memcmp`: these are compared once per span).
    private func equal(_ range: SliceRange, _ other: UnsafeRawBufferPointer) -> Bool {
        guard Int(range.count) == other.count else { return false }
        guard other.count > 0 else { return true }
        return bytes.withUnsafeBytes { memcmp($0.baseAddress! + Int(range.start), other.baseAddress!, other.count) == 0 }
    }

    /// Adds one span whose series key is `key` (canonical attributes).
    mutating func add(
        key: UnsafeRawBufferPointer, status: Int32, duration nanoseconds: UInt64, endTime: UInt64,
        traceID: UnsafeRawBufferPointer, spanID: UnsafeRawBufferPointer
    ) {
        let hash = ByteHasher.combine(ByteHasher.hash(key, seed: 2), UInt64(bitPattern: Int64(current)))
        let index = find(hash: hash, key: key) ?? insert(hash: hash, key: key, status: status)
        let value = Double(nanoseconds) / rules.nanosecondsPerUnit
        spanCount += 1
        entries[index].count &+= 1
        entries[index].sum += value
        if let maxSize = rules.exponentialMaxSize {
            exponentials[index].add(value, maxSize: maxSize)
        } else if !rules.configuration.histogramDisabled {
            let bounds = rules.bounds
            var bucket = bounds.count
            for (position, bound) in bounds.enumerated() where value <= bound {
                bucket = position
                break
            }
            buckets[index * (bounds.count + 1) + bucket] &+= 1
        }
        if rules.configuration.exemplars, value > entries[index].slowest, traceID.count == 16, spanID.count == 8 {
            entries[index].slowest = value
            entries[index].slowestTime = endTime
            entries[index].hasIDs = true
            ids.withUnsafeMutableBytes { raw in
                let base = raw.baseAddress! + index * 24
                base.copyMemory(from: traceID.baseAddress!, byteCount: 16)
                (base + 16).copyMemory(from: spanID.baseAddress!, byteCount: 8)
            }
        }
    }

    private func find(hash: UInt64, key: UnsafeRawBufferPointer) -> Int? {
        var cursor = heads[hash] ?? -1
        while cursor >= 0 {
            let entry = entries[Int(cursor)]
            if entry.resource == current, equal(entry.key, key) {
                return Int(cursor)
            }
            cursor = entry.next
        }
        return nil
    }

    private mutating func insert(hash: UInt64, key: UnsafeRawBufferPointer, status: Int32) -> Int {
        let range = append(key)
        var entry = Entry(resource: current, key: range, hash: hash, status: status)
        entry.next = heads[hash] ?? -1
        entries.append(entry)
        heads[hash] = Int32(entries.count - 1)
        if rules.exponentialMaxSize != nil {
            exponentials.append(ExponentialCounts())
        } else {
            buckets.append(contentsOf: repeatElement(0, count: rules.bounds.count + 1))
        }
        ids.append(contentsOf: repeatElement(0, count: 24))
        return entries.count - 1
    }

    private mutating func append(_ raw: UnsafeRawBufferPointer) -> SliceRange {
        let range = SliceRange(start: bytes.count, count: raw.count)
        AttributeEncoder.appendRaw(raw, to: &bytes)
        return range
    }

    // MARK: Output

    /// Sends each service's keys past its cardinality limit to its overflow
    /// series, then writes the batch.
    mutating func finish(into builder: inout DecodedBatchBuilder) {
        if let guardian = rules.cardinality { applyLimit(guardian) }
        for (resourceIndex, group) in entriesByResource().enumerated() {
            let resource = resources[resourceIndex]
            let members = group.filter { entries[$0].count > 0 }
            guard !members.isEmpty else { continue }
            let start = builder.mark
            bytes.withUnsafeBytes { AttributeEncoder.appendRaw($0[slice: resource.attributes], to: &builder.bytes) }
            builder.endResource(attributesFrom: start)
            let empty = UnsafeRawBufferPointer(start: nil, count: 0)
            Self.scopeName.withUnsafeBytes { builder.setScope(name: $0, version: empty) }
            builder.endScope(attributesFrom: builder.mark)
            writeCalls(members, into: &builder)
            if !rules.configuration.histogramDisabled { writeDurations(members, into: &builder) }
        }
    }

    private static let scopeName = SpanMetricsRules.scopeName

    /// Each resource's entries, in the order they were added: one pass over
    /// the entries (per resource it would be resources × entries).
    private func entriesByResource() -> [[Int]] {
        var groups = [[Int]](repeating: [], count: resources.count)
        for index in entries.indices { groups[Int(entries[index].resource)].append(index) }
        return groups
    }

    private func writeCalls(_ members: [Int], into builder: inout DecodedBatchBuilder) {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        rules.callsName.withUnsafeBytes { name in
            builder.beginStream(
                name: name, description: empty, unit: empty, kind: .sum, temporality: .delta, isMonotonic: true,
                isDerived: true)
        }
        for index in members {
            let start = builder.mark
            bytes.withUnsafeBytes { AttributeEncoder.appendRaw($0[slice: entries[index].key], to: &builder.bytes) }
            builder.addNumberPoint(attributesFrom: start, startTime: 0, time: 0, value: Double(entries[index].count), flags: 0)
        }
        builder.endStream()
    }

    private func writeDurations(_ members: [Int], into builder: inout DecodedBatchBuilder) {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        rules.durationName.withUnsafeBytes { name in
            rules.unit.withUnsafeBytes { unit in
                builder.beginStream(
                    name: name, description: empty, unit: unit,
                    kind: rules.exponentialMaxSize == nil ? .histogram : .exponentialHistogram, temporality: .delta,
                    isMonotonic: true, isDerived: true)
            }
        }
        let width = rules.bounds.count + 1
        for index in members {
            let entry = entries[index]
            if entry.hasIDs {
                ids.withUnsafeBytes { raw in
                    let base = raw.baseAddress! + index * 24
                    builder.addExemplar(
                        value: entry.slowest, time: entry.slowestTime,
                        traceID: UnsafeRawBufferPointer(start: base, count: 16),
                        spanID: UnsafeRawBufferPointer(start: base + 16, count: 8), filteredAttributesFrom: builder.mark)
                }
            }
            let start = builder.mark
            bytes.withUnsafeBytes { AttributeEncoder.appendRaw($0[slice: entry.key], to: &builder.bytes) }
            if rules.exponentialMaxSize != nil {
                let counts = exponentials[index]
                counts.counts.withUnsafeBufferPointer { positive in
                    builder.addExponentialHistogramPoint(
                        attributesFrom: start, startTime: 0, time: 0, count: entry.count, sum: entry.sum,
                        scale: counts.scale, zeroCount: counts.zero, zeroThreshold: 0,
                        positiveOffset: Int32(clamping: counts.offset), positive: positive,
                        negativeOffset: 0, negative: UnsafeBufferPointer(start: nil, count: 0), flags: 0)
                }
            } else {
                rules.bounds.withUnsafeBufferPointer { bounds in
                    buckets.withUnsafeBufferPointer { all in
                        builder.addHistogramPoint(
                            attributesFrom: start, startTime: 0, time: 0, count: entry.count, sum: entry.sum,
                            bounds: bounds, bucketCounts: UnsafeBufferPointer(rebasing: all[index * width..<(index + 1) * width]),
                            flags: 0)
                    }
                }
            }
        }
        builder.endStream()
    }

    // MARK: Cardinality

    /// Asks the guard, once per service, which keys may be their own series;
    /// the others are folded into their resource's overflow entry for their
    /// status code, so that failed spans past the limit still read as errors.
    private mutating func applyLimit(_ guardian: SpanCardinalityGuard) {
        for (resourceIndex, members) in entriesByResource().enumerated() {
            guard !members.isEmpty else { continue }
            var admitted = [Bool](repeating: true, count: members.count)
            let service = resources[resourceIndex].service
            bytes.withUnsafeBytes { raw in
                guardian.admit(
                    service: raw[slice: service], keys: members.map { entries[$0].hash },
                    spans: members.map { Int(entries[$0].count) }, admitted: &admitted)
            }
            guard admitted.contains(false) else { continue }
            current = Int32(resourceIndex)
            for (position, index) in members.enumerated() where !admitted[position] {
                merge(index, into: overflowEntry(service: service, status: entries[index].status))
            }
        }
    }

    /// The resource's overflow entry for a status code (`otel.metric.overflow=true`,
    /// `service.name`, `status.code`), created on first use.
    private mutating func overflowEntry(service: SliceRange, status: Int32) -> Int {
        let encoder = AttributeEncoder(capacity: 96)
        SpanMetricsRules.overflowKey.withUnsafeBytes { encoder.appendKey($0.baseAddress, count: $0.count) }
        encoder.appendBool(true)
        SpanMetricsRules.serviceKey.withUnsafeBytes { encoder.appendKey($0.baseAddress, count: $0.count) }
        bytes.withUnsafeBytes { raw in
            let value = raw[slice: service]
            encoder.appendString(value.baseAddress, count: value.count)
        }
        SpanMetricsRules.statusKey.withUnsafeBytes { encoder.appendKey($0.baseAddress, count: $0.count) }
        SpanMetricsRules.statusName(status).withUnsafeBytes { encoder.appendString($0.baseAddress, count: $0.count) }
        let key = Array(encoder.bytes)
        return key.withUnsafeBytes { key in
            let hash = ByteHasher.combine(ByteHasher.hash(key, seed: 2), UInt64(bitPattern: Int64(current)))
            return find(hash: hash, key: key) ?? insert(hash: hash, key: key, status: status)
        }
    }

    private mutating func merge(_ index: Int, into target: Int) {
        guard index != target else { return }
        let source = entries[index]
        entries[target].count &+= source.count
        entries[target].sum += source.sum
        if rules.exponentialMaxSize != nil {
            exponentials[target].merge(exponentials[index], maxSize: rules.exponentialMaxSize!)
        } else if !rules.configuration.histogramDisabled {
            let width = rules.bounds.count + 1
            for bucket in 0..<width { buckets[target * width + bucket] &+= buckets[index * width + bucket] }
        }
        if source.hasIDs, source.slowest > entries[target].slowest {
            entries[target].slowest = source.slowest
            entries[target].slowestTime = source.slowestTime
            entries[target].hasIDs = true
            ids.withUnsafeMutableBytes { raw in
                (raw.baseAddress! + target * 24).copyMemory(from: raw.baseAddress! + index * 24, byteCount: 24)
            }
        }
        entries[index].count = 0
    }
}
