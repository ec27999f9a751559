/// One problem in a configuration file, located by its key path.
package struct ConfigurationIssue: Sendable, Equatable, CustomStringConvertible {
    /// Dotted key path, e.g. `processors.batch.send_batch_size`.
    package var path: String
    package var message: String
    /// 1-based line in the file, when known.
    package var line: Int?

    package init(path: String, message: String, line: Int? = nil) {
        self.path = path
        self.message = message
        self.line = line
    }

    package var description: String {
        let location = line.map { " (line \($0))" } ?? ""
        return "\(path.isEmpty ? "<root>" : path)\(location): \(message)"
    }
}
