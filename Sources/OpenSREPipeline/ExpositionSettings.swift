/// How series are named and labelled on the exporter
/// (`exporters.prometheus` in the configuration).
package struct ExpositionSettings: Sendable, Equatable {
    /// `namespace`: prefix of every family name, default `opensre`.
    package var namespace: String
    /// `const_labels`: labels added to every series, default none.
    package var constLabels: [String: String]

    package init(namespace: String = "opensre", constLabels: [String: String] = [:]) {
        self.namespace = namespace
        self.constLabels = constLabels
    }
}
