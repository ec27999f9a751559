/// `attribute: regex`, anchored at both ends.
package struct AttributeMatch: Sendable, Equatable {
    package var key: String
    package var pattern: String

    package init(key: String, pattern: String) {
        self.key = key
        self.pattern = pattern
    }
}
