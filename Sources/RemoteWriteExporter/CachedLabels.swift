import Glibc
import PrometheusExposition

/// A series' labels as the remote-write encoder keeps them with a store
/// series (``PrometheusExposition/ExposedSeries/cache``), so that later
/// exports copy them: reading and encoding them was two thirds of an
/// export's time (Benchmarks/RESULTS.md, "Remote write"). Kept from a
/// series' second export on (the first only marks it): a series that lives
/// for one export (churn, or a collector that exports once) costs nothing.
/// Costs one malloc'ed block per series of the encoded labels (about the
/// label text's size) and 16 bytes, only while remote write is on; freed
/// with the series.
///
/// Layout: owner (UInt32: the encoder that wrote it, whose external labels
/// it merges), the labels' byte count (UInt32), the `__name__` and extra
/// label splits (UInt16 each), the series' hash (UInt32: its shard), then
/// the `Label` messages (``SeriesLabels/encoded``). Labels of 64 KiB or more
/// are not kept (encoded at every export instead).
struct CachedLabels {
    static let headerSize = 16

    let nameSplit: Int
    let extraSplit: Int
    let hash: UInt64
    let labels: UnsafeRawBufferPointer

    /// Reads a block ``store(owner:hash:labels:nameSplit:extraSplit:in:)``
    /// wrote, when `owner` wrote it.
    init?(_ block: UnsafeMutableRawPointer?, owner: UInt32) {
        guard let block, block != ExposedSeries.seenMark, block.loadUnaligned(as: UInt32.self) == owner else {
            return nil
        }
        let count = Int(block.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        nameSplit = Int(block.loadUnaligned(fromByteOffset: 8, as: UInt16.self))
        extraSplit = Int(block.loadUnaligned(fromByteOffset: 10, as: UInt16.self))
        hash = UInt64(block.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        labels = UnsafeRawBufferPointer(start: block + Self.headerSize, count: count)
    }

    /// Replaces what `slot` holds with these labels; false (nothing kept)
    /// when they are too large or memory is short.
    static func store(
        owner: UInt32, hash: UInt64, labels: UnsafeRawBufferPointer, nameSplit: Int, extraSplit: Int,
        in slot: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> Bool {
        if slot.pointee != ExposedSeries.seenMark { free(slot.pointee) }
        slot.pointee = nil
        guard labels.count <= UInt16.max, let block = malloc(headerSize + labels.count) else { return false }
        block.storeBytes(of: owner, toByteOffset: 0, as: UInt32.self)
        block.storeBytes(of: UInt32(labels.count), toByteOffset: 4, as: UInt32.self)
        block.storeBytes(of: UInt16(nameSplit), toByteOffset: 8, as: UInt16.self)
        block.storeBytes(of: UInt16(extraSplit), toByteOffset: 10, as: UInt16.self)
        block.storeBytes(of: UInt32(truncatingIfNeeded: hash), toByteOffset: 12, as: UInt32.self)
        if let source = labels.baseAddress { (block + headerSize).copyMemory(from: source, byteCount: labels.count) }
        slot.pointee = block
        return true
    }

    /// The hash the shard comes from, as kept (its low 32 bits).
    static func shardHash(_ hash: UInt64) -> UInt64 { hash & 0xFFFF_FFFF }
}
