/// One key/value attribute.
package struct Attribute: Sendable, Hashable {
    package var key: String
    package var value: AttributeValue

    package init(_ key: String, _ value: AttributeValue) {
        self.key = key
        self.value = value
    }
}
