/// The key of one series in the SLO state: FNV-1a 64 of its stream identity
/// (resource attributes, scope and metric name, in the canonical encoding of
/// ``OpenSREModel/AttributeEncoder``) and its point attributes, each preceded
/// by its length. Persisted, so the recipe is part of the state file format.
package enum SLOSeriesKey {
    package static func make(identity: UnsafeRawBufferPointer, attributes: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = FNV1aHash()
        hasher.combine(length: identity.count)
        hasher.combine(identity)
        hasher.combine(length: attributes.count)
        hasher.combine(attributes)
        return hasher.value
    }
}
