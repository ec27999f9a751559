
/// Every problem found in a configuration file; all are reported at once.
package struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    package var issues: [ConfigurationIssue]

    package init(issues: [ConfigurationIssue]) {
        self.issues = issues
    }

    package var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}
