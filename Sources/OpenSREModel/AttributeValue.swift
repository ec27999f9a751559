/// An attribute value as OTLP's `AnyValue` defines it.
///
/// The hot path never builds these: it works on the canonical bytes that
/// ``AttributeEncoder`` writes. They are decoded from those bytes when a new
/// series is created (to render its labels) and in tests.
package indirect enum AttributeValue: Sendable, Hashable {
    case empty
    case string(String)
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case array([AttributeValue])
    case map([Attribute])
    case bytes([UInt8])
}
