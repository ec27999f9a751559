import CZlib

/// The framing of one record in a segment, integers little-endian:
/// ```
/// record := length:u32 crc32:u32 samples:u32 time:i64 body[length]
/// ```
/// The CRC-32 (zlib's) covers everything but itself: length, samples, time
/// and body, so a torn write, a zeroed tail or a flipped bit anywhere in the
/// record is caught when the log is opened again.
struct WALRecordHeader: Equatable {
    static let size = 20

    /// Bytes of body that follow the header.
    var length: UInt32
    var checksum: UInt32
    var samples: UInt32
    /// Export time, Unix ms.
    var time: Int64

    /// The header of `body`, checksum computed.
    init(body: UnsafeRawBufferPointer, samples: Int, time: Int64) {
        length = UInt32(body.count)
        self.samples = UInt32(clamping: samples)
        self.time = time
        checksum = 0
        checksum = crc(of: body)
    }

    /// The header in the first ``size`` bytes of `bytes`.
    init(decoding bytes: UnsafeRawBufferPointer) {
        length = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        checksum = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        samples = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        time = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 12, as: Int64.self))
    }

    /// Appends the encoded header to `bytes`.
    func encode(into bytes: inout [UInt8]) {
        withUnsafeBytes(of: length.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: checksum.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: samples.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: time.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// The CRC-32 this header and `body` should carry.
    func crc(of body: UnsafeRawBufferPointer) -> UInt32 {
        var fields: [UInt8] = []
        fields.reserveCapacity(Self.size)
        encode(into: &fields)
        var crc = fields.withUnsafeBufferPointer { bytes in
            crc32(crc32(0, bytes.baseAddress, 4), bytes.baseAddress! + 8, uInt(Self.size - 8))
        }
        if let base = body.baseAddress {
            crc = crc32(crc, base.assumingMemoryBound(to: UInt8.self), uInt(body.count))
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}
