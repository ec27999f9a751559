#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the log knows of one segment file: records are appended to the
/// newest segment only, and a segment is deleted whole (once acknowledged,
/// or when the size bound needs the room).
///
/// A segment is named by its sequence number, zero-padded to ten digits so
/// a directory listing sorts in log order, and starts with an 8-byte header
/// (`OSREWAL` and a format version) so a stray file is not read as records.
struct WALSegment {
    let number: UInt64
    /// Bytes of the file on disk.
    var size: Int
    /// Where the valid records end: reading stops here. Below `size` only in
    /// an older segment whose rest was found corrupt.
    var end: Int
    /// Valid records in the segment, and their samples.
    var records = 0
    var samples = 0

    static let header: [UInt8] = Array("OSREWAL".utf8) + [1]
    static var headerSize: Int { header.count }

    static func path(directory: String, number: UInt64) -> String {
        let digits = String(number)
        return directory + "/" + String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }

    /// The sequence numbers of the segments in `directory`, oldest first:
    /// names made of digits only; anything else there is left alone.
    static func list(directory: String) throws(WALError) -> [UInt64] {
        guard let stream = opendir(directory) else { throw .system(call: "opendir", path: directory, errno: errno) }
        defer { closedir(stream) }
        var numbers: [UInt64] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if !name.isEmpty, name.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let number = UInt64(name)
            {
                numbers.append(number)
            }
        }
        return numbers.sorted()
    }

    /// Creates segment `number` (replacing any file of that name) with its header.
    static func create(directory: String, number: UInt64) throws(WALError) -> (WALSegment, WALFile) {
        let file = try WALFile(path: path(directory: directory, number: number), create: true)
        try file.truncate(to: 0)
        try file.write(header, at: 0)
        return (WALSegment(number: number, size: headerSize, end: headerSize), file)
    }
}

/// What reading a whole segment back found (when the log opens).
struct WALSegmentScan {
    var segment: WALSegment
    /// The first invalid bytes (a torn or corrupt record, or a bad header) and why.
    var problem: (offset: Int, reason: String)?
    /// The records wholly before `cursorOffset` (acknowledged) and where
    /// the last of them ends: the cursor, moved back to a record boundary.
    var acknowledged = (records: 0, samples: 0, end: WALSegment.headerSize)

    /// Reads every record of segment `number` from `file`, checking each
    /// one's framing and CRC, one record in memory at a time.
    init(_ file: WALFile, number: UInt64, cursorOffset: Int?) throws(WALError) {
        let size = try file.size()
        let headerSize = WALSegment.headerSize
        segment = WALSegment(number: number, size: size, end: headerSize)
        let header = try file.read(headerSize, at: 0)
        guard header == WALSegment.header else {
            problem = (0, header.count < headerSize ? "segment header cut short" : "not a segment header")
            return
        }
        var offset = headerSize
        while offset < size {
            let headerBytes = try file.read(WALRecordHeader.size, at: offset)
            guard headerBytes.count == WALRecordHeader.size else {
                problem = (offset, "record header cut short")
                return
            }
            let record = headerBytes.withUnsafeBytes { WALRecordHeader(decoding: $0) }
            let next = offset + WALRecordHeader.size + Int(record.length)
            guard next <= size else {
                problem = (offset, "record of \(record.length) bytes runs past the end of the file")
                return
            }
            let body = try file.read(Int(record.length), at: offset + WALRecordHeader.size)
            guard body.count == Int(record.length), body.withUnsafeBytes({ record.crc(of: $0) }) == record.checksum else {
                problem = (offset, "checksum mismatch")
                return
            }
            segment.records += 1
            segment.samples += Int(record.samples)
            segment.end = next
            if let cursorOffset, next <= cursorOffset {
                acknowledged = (segment.records, segment.samples, next)
            }
            offset = next
        }
    }
}
