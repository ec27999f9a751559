import COTLP
import Glibc
import OpenSREModel

/// Attributes in canonical form (``AttributeEncoder``'s layout; tests check
/// both paths give the same bytes), and the nested values unpacked here.
extension RequestWalker {
    /// A point's attributes, refused (and reported) when too many or too large;
    /// the count is checked before anything is sorted or copied.
    mutating func appendPointAttributes(
        _ attributes: UnsafeMutablePointer<UnsafeMutablePointer<CKeyValue>?>?, count: Int, from start: Int
    ) -> Bool {
        if count <= DecodedBatchBuilder.maximumAttributes {
            appendAttributes(attributes, count: count)
        }
        if let problem = builder.refuseOversizedAttributes(from: start, count: count) {
            rejected.add(1, .attributesTooLarge, reason: problem)
            return false
        }
        return true
    }

    /// Writes `attributes` in canonical form, sorted by key: encoded in the
    /// scratch space, then appended to the batch in one copy.
    mutating func appendAttributes(
        _ attributes: UnsafeMutablePointer<UnsafeMutablePointer<CKeyValue>?>?, count: Int
    ) {
        guard let attributes, count > 0 else { return }
        scratch.reset()
        if Self.isSorted(attributes, count: count) {
            for index in 0..<count {
                if let pair = attributes[index] { encodeEntry(pair, depth: 0) }
            }
        } else {
            sortScratch.removeAll(keepingCapacity: true)
            for index in 0..<count {
                if let pair = attributes[index] { sortScratch.append(pair) }
            }
            sortScratch.sort { Self.compareKeys($0.pointee.key, $1.pointee.key) < 0 }
            for index in sortScratch.indices {
                encodeEntry(sortScratch[index], depth: 0)
            }
        }
        AttributeEncoder.appendRaw(scratch.bytes, to: &builder.bytes)
    }

    /// Bytewise order (`memcmp`, then the shorter first), as the JSON path sorts.
    private static func compareKeys(_ a: ProtobufCBinaryData, _ b: ProtobufCBinaryData) -> Int32 {
        let common = min(a.len, b.len)
        if common > 0 {
            let order = memcmp(a.data, b.data, common)
            if order != 0 { return order }
        }
        return a.len < b.len ? -1 : (a.len > b.len ? 1 : 0)
    }

    private static func isSorted(
        _ attributes: UnsafeMutablePointer<UnsafeMutablePointer<CKeyValue>?>, count: Int
    ) -> Bool {
        // Entries are never NULL in what protobuf-c unpacks; skipped if they were.
        var previous: ProtobufCBinaryData?
        for index in 0..<count {
            guard let key = attributes[index]?.pointee.key else { continue }
            if let before = previous, compareKeys(before, key) > 0 { return false }
            previous = key
        }
        return true
    }

    /// One key and its value; `depth` counts the lists and maps around it.
    private mutating func encodeEntry(_ pair: UnsafeMutablePointer<CKeyValue>, depth: Int) {
        let key = pair.pointee.key
        scratch.reserve(4 + key.len)
        scratch.length(key.len)
        scratch.raw(key.data, key.len)
        encodeValue(pair.pointee.value, depth: depth)
    }

    private mutating func encodeValue(_ value: UnsafeMutablePointer<CAnyValue>?, depth: Int) {
        guard let value = value?.pointee else {
            scratch.reserve(1)
            scratch.byte(AttributeTag.empty.rawValue)
            return
        }
        switch value.value_case {
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE:
            encodeBytes(.string, value.string_value)
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BOOL_VALUE:
            scratch.reserve(2)
            scratch.byte(AttributeTag.bool.rawValue)
            scratch.byte(value.bool_value != 0 ? 1 : 0)
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE:
            scratch.reserve(9)
            scratch.byte(AttributeTag.int.rawValue)
            scratch.word(UInt64(bitPattern: value.int_value))
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_DOUBLE_VALUE:
            scratch.reserve(9)
            scratch.byte(AttributeTag.double.rawValue)
            scratch.word(value.double_value.bitPattern)
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BYTES_VALUE:
            encodeBytes(.bytes, value.bytes_value)
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_ARRAY_VALUE:
            encodeArray(value.array_value, depth: depth)
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_KVLIST_VALUE:
            encodeMap(value.kvlist_value, depth: depth)
        default:
            scratch.reserve(1)
            scratch.byte(AttributeTag.empty.rawValue)
        }
    }

    /// Whether one more list or map may open at `depth`; refuses the request if not.
    private mutating func mayNest(_ depth: Int) -> Bool {
        guard depth < OTLPLimits.maximumValueNesting else {
            failure = .valueNestingTooDeep(limit: OTLPLimits.maximumValueNesting)
            return false
        }
        return true
    }

    /// An `ArrayValue`, unpacked here from its bytes (see Protos/common.proto).
    private mutating func encodeArray(_ bytes: ProtobufCBinaryData, depth: Int) {
        guard mayNest(depth) else { return }
        guard bytes.len > 0 else { return encodeContainer(.array, count: 0) }
        guard let array = opentelemetry__proto__common__v1__array_value__unpack(allocator, bytes.len, bytes.data) else {
            failure = .malformedProtobuf
            return
        }
        defer { if allocator == nil { opentelemetry__proto__common__v1__array_value__free_unpacked(array, nil) } }
        let count = array.pointee.n_values
        encodeContainer(.array, count: count)
        for index in 0..<count where failure == nil {
            encodeValue(array.pointee.values[index], depth: depth + 1)
        }
    }

    /// A `KeyValueList`, unpacked here from its bytes; entries in the order sent.
    private mutating func encodeMap(_ bytes: ProtobufCBinaryData, depth: Int) {
        guard mayNest(depth) else { return }
        guard bytes.len > 0 else { return encodeContainer(.map, count: 0) }
        guard let list = opentelemetry__proto__common__v1__key_value_list__unpack(allocator, bytes.len, bytes.data)
        else {
            failure = .malformedProtobuf
            return
        }
        defer { if allocator == nil { opentelemetry__proto__common__v1__key_value_list__free_unpacked(list, nil) } }
        let values = list.pointee.values
        var present = 0
        for index in 0..<list.pointee.n_values where values?[index] != nil { present += 1 }
        encodeContainer(.map, count: present)
        for index in 0..<list.pointee.n_values where failure == nil {
            if let pair = values?[index] { encodeEntry(pair, depth: depth + 1) }
        }
    }

    private func encodeBytes(_ tag: AttributeTag, _ source: ProtobufCBinaryData) {
        scratch.reserve(5 + source.len)
        scratch.byte(tag.rawValue)
        scratch.length(source.len)
        scratch.raw(source.data, source.len)
    }

    private func encodeContainer(_ tag: AttributeTag, count: Int) {
        scratch.reserve(5)
        scratch.byte(tag.rawValue)
        scratch.length(count)
    }
}
