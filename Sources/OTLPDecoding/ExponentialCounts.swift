import Foundation

/// Positive base-2 exponential buckets built from raw values (span
/// durations), as the OpenTelemetry data model defines them: at scale `s`,
/// bucket `i` holds values in (2^(i/2^s), 2^((i+1)/2^s)]. Starts at the
/// finest scale (20) and halves the resolution whenever the populated range
/// would exceed `maxSize` buckets (the SDKs' rule; the Collector's default 160).
///
/// `maxSize` must be at least 2: 1 is the boundary between buckets -1 and 0 at
/// every scale, so values on both sides of it always take two buckets, and
/// with a `maxSize` of 1 `addIndex` would never stop downscaling.
struct ExponentialCounts {
    static let finestScale: Int32 = 20

    var scale = finestScale
    var offset = 0
    var counts: [UInt64] = []
    var zero: UInt64 = 0

    mutating func add(_ value: Double, maxSize: Int, count: UInt64 = 1) {
        guard value > 0, value.isFinite else {
            zero &+= count
            return
        }
        addIndex(Self.index(of: value, scale: scale), count: count, maxSize: maxSize)
    }

    /// Adds another's buckets (at its scale: each bucket's upper bound lands
    /// in one of ours after downscaling to the coarser of the two).
    mutating func merge(_ other: ExponentialCounts, maxSize: Int) {
        zero &+= other.zero
        guard !other.counts.isEmpty else { return }
        var other = other
        if other.scale > scale { other.downscale(by: Int(other.scale - scale)) }
        if scale > other.scale { downscale(by: Int(scale - other.scale)) }
        for (position, count) in other.counts.enumerated() where count > 0 {
            addIndex(other.offset + position, count: count, maxSize: maxSize)
        }
    }

    private mutating func addIndex(_ index: Int, count: UInt64, maxSize: Int) {
        var index = index
        if counts.isEmpty {
            offset = index
            counts = [count]
            return
        }
        let low = min(offset, index)
        let high = max(offset + counts.count - 1, index)
        var shift = 0
        while (high >> shift) - (low >> shift) + 1 > maxSize { shift += 1 }
        if shift > 0 {
            downscale(by: shift)
            index >>= shift
        }
        if index < offset {
            counts.insert(contentsOf: repeatElement(0, count: offset - index), at: 0)
            offset = index
        } else if index >= offset + counts.count {
            counts.append(contentsOf: repeatElement(0, count: index - offset - counts.count + 1))
        }
        counts[index - offset] &+= count
    }

    /// Halves the resolution `shift` times (bucket i becomes i >> shift).
    mutating func downscale(by shift: Int) {
        guard shift > 0 else { return }
        scale -= Int32(shift)
        guard !counts.isEmpty else { return }
        let newOffset = offset >> shift
        let last = (offset + counts.count - 1) >> shift
        var merged = [UInt64](repeating: 0, count: last - newOffset + 1)
        for (position, count) in counts.enumerated() {
            merged[((offset + position) >> shift) - newOffset] &+= count
        }
        counts = merged
        offset = newOffset
    }

    /// The bucket of a positive finite value: ceil(log2(value) × 2^scale) − 1,
    /// exact for powers of two (which close their bucket).
    ///
    /// Below scale 0 (reached by downscaling a wide range into few buckets)
    /// it is the binary exponent shifted, as the data model's `MapToIndex`
    /// for scale ≤ 0 computes it: `1 << scale` and `e << scale` would shift
    /// right there, putting every value in bucket -1 and powers of two one
    /// bucket off.
    static func index(of value: Double, scale: Int32) -> Int {
        let exponent = Int(value.exponent)
        if scale <= 0 {
            // value = 1.f × 2^e lies in (2^e, 2^(e+1)], or closes (2^(e−1), 2^e] when f is 0.
            return (value.significand == 1 ? exponent - 1 : exponent) >> Int(-scale)
        }
        if value.significand == 1 {
            // An exact power of two, 2^e: the upper bound of bucket e·2^s − 1.
            return exponent << Int(scale) - 1
        }
        return Int((log2(value) * Double(1 << Int(scale))).rounded(.up)) - 1
    }
}
