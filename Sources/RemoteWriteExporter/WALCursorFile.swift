import CZlib

/// Where the first unacknowledged record is, kept in the `cursor` file:
/// ```
/// cursor := "OSRECUR1" segment:u64 offset:u64 crc32:u32   (28 bytes, little-endian)
/// ```
///
/// Rewritten in place with one `pwrite` of the whole fixed-size record
/// after every acknowledgement, rather than written to a temporary file and
/// renamed: a kill -9 cannot split a single small `pwrite` (the bytes are in
/// the page cache once it returns, and the process never sees half of one),
/// and it costs one system call instead of a file creation, a rename and the
/// directory churn per request sent. For a power loss, where a sector could
/// be torn, the CRC tells: a missing, short or corrupt cursor makes the log
/// start again from its oldest segment, so it sends again rather than loses.
struct WALCursorFile {
    static let magic: [UInt8] = Array("OSRECUR1".utf8)
    static let size = 28

    let file: WALFile

    init(directory: String) throws(WALError) {
        file = try WALFile(path: directory + "/cursor", create: true)
    }

    /// What the file holds.
    enum Saved: Equatable {
        /// Nothing yet: a new log (or a kill before the first save).
        case nothing
        case corrupt
        case position(WriteAheadLog.Position)
    }

    func load() throws(WALError) -> Saved {
        let bytes = try file.read(Self.size, at: 0)
        if bytes.isEmpty { return .nothing }
        guard bytes.count == Self.size, bytes.prefix(8).elementsEqual(Self.magic) else { return .corrupt }
        let (segment, offset, crc) = bytes.withUnsafeBytes {
            (
                UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
                UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
            )
        }
        guard crc == Self.checksum(bytes), offset <= UInt64(Int.max) else { return .corrupt }
        return .position(WriteAheadLog.Position(segment: segment, offset: Int(offset)))
    }

    func save(_ position: WriteAheadLog.Position) throws(WALError) {
        var bytes = Self.magic
        withUnsafeBytes(of: position.segment.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt64(position.offset).littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: Self.checksum(bytes).littleEndian) { bytes.append(contentsOf: $0) }
        try file.write(bytes, at: 0)
    }

    /// The CRC-32 of the magic, segment and offset.
    private static func checksum(_ bytes: [UInt8]) -> UInt32 {
        UInt32(truncatingIfNeeded: bytes.withUnsafeBufferPointer { crc32(0, $0.baseAddress, 24) })
    }
}
