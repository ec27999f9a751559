import OpenSREModel

struct StateReader {
    let bytes: [UInt8]
    var offset = 0

    mutating func bytes(_ count: Int) throws(SLOStateFile.LoadProblem) -> [UInt8] {
        guard count >= 0, offset + count <= bytes.count else { throw .corrupt("truncated") }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func u8() throws(SLOStateFile.LoadProblem) -> UInt8 {
        try bytes(1)[0]
    }

    mutating func u32() throws(SLOStateFile.LoadProblem) -> UInt32 {
        let raw = try bytes(4)
        return raw.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
    }

    mutating func u64() throws(SLOStateFile.LoadProblem) -> UInt64 {
        let raw = try bytes(8)
        return raw.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    }

    mutating func string() throws(SLOStateFile.LoadProblem) -> String {
        let length = Int(try u32())
        guard length <= 1024 else { throw .corrupt("implausible name length") }
        return String(decoding: try bytes(length), as: UTF8.self)
    }
}
