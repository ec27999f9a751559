/// Reads a `google.rpc.Status` protobuf (fields 1: code, 2: message) from an
/// error body — the two fields the tests check. Python's googleapis-common-protos
/// checks the encoding itself in the end-to-end tests.
package enum StatusBody {
    package static func decode(_ bytes: [UInt8]) -> (code: Int32, message: String)? {
        var index = 0
        var code: Int32 = 0
        var message = ""
        func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count, shift < 64 {
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }
        while index < bytes.count {
            guard let key = varint() else { return nil }
            switch (key >> 3, key & 7) {
            case (1, 0):
                guard let value = varint() else { return nil }
                code = Int32(truncatingIfNeeded: value)
            case (_, 2):
                guard let length = varint(), index + Int(length) <= bytes.count else { return nil }
                if key >> 3 == 2 { message = String(decoding: bytes[index..<index + Int(length)], as: UTF8.self) }
                index += Int(length)
            case (_, 0):
                guard varint() != nil else { return nil }
            default:
                return nil
            }
        }
        return (code, message)
    }
}
