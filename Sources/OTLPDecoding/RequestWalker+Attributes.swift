import COTLP
import Glibc
import OpenSREModel

/// Attributes in canonical form, written by ``AttributeEncoder`` (as the JSON
/// path's are), and the nested values unpacked here.
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

    /// Writes `attributes` in canonical form, sorted by key: encoded by the
    /// reused encoder, then appended to the batch in one copy.
    mutating func appendAttributes(
        _ attributes: UnsafeMutablePointer<UnsafeMutablePointer<CKeyValue>?>?, count: Int
    ) {
        guard let attributes, count > 0 else { return }
        encoder.reset()
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
        AttributeEncoder.appendRaw(encoder.bytes, to: &builder.bytes)
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
        encoder.appendKey(key.data, count: key.len)
        encodeValue(pair.pointee.value, depth: depth)
    }

    mutating func encodeValue(_ value: UnsafeMutablePointer<CAnyValue>?, depth: Int) {
        guard let value = value?.pointee else { return encoder.appendEmpty() }
        switch value.value_case {
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE:
            encoder.appendString(value.string_value.data, count: value.string_value.len)
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BOOL_VALUE:
            encoder.appendBool(value.bool_value != 0)
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE:
            encoder.appendInt(value.int_value)
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_DOUBLE_VALUE:
            encoder.appendDouble(value.double_value)
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BYTES_VALUE:
            encoder.appendBytes(value.bytes_value.data, count: value.bytes_value.len)
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_ARRAY_VALUE:
            encodeArray(value.array_value, depth: depth)
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_KVLIST_VALUE:
            encodeMap(value.kvlist_value, depth: depth)
        default:
            encoder.appendEmpty()
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
        guard bytes.len > 0 else { return encoder.appendContainer(.array, count: 0) }
        guard let array = opentelemetry__proto__common__v1__array_value__unpack(allocator, bytes.len, bytes.data) else {
            failure = .malformedProtobuf
            return
        }
        defer { if allocator == nil { opentelemetry__proto__common__v1__array_value__free_unpacked(array, nil) } }
        let count = array.pointee.n_values
        encoder.appendContainer(.array, count: count)
        for index in 0..<count where failure == nil {
            encodeValue(array.pointee.values[index], depth: depth + 1)
        }
    }

    /// A `KeyValueList`, unpacked here from its bytes; entries in the order sent.
    private mutating func encodeMap(_ bytes: ProtobufCBinaryData, depth: Int) {
        guard mayNest(depth) else { return }
        guard bytes.len > 0 else { return encoder.appendContainer(.map, count: 0) }
        guard let list = opentelemetry__proto__common__v1__key_value_list__unpack(allocator, bytes.len, bytes.data)
        else {
            failure = .malformedProtobuf
            return
        }
        defer { if allocator == nil { opentelemetry__proto__common__v1__key_value_list__free_unpacked(list, nil) } }
        let values = list.pointee.values
        var present = 0
        for index in 0..<list.pointee.n_values where values?[index] != nil { present += 1 }
        encoder.appendContainer(.map, count: present)
        for index in 0..<list.pointee.n_values where failure == nil {
            if let pair = values?[index] { encodeEntry(pair, depth: depth + 1) }
        }
    }
}
