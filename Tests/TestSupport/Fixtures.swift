import Foundation

/// The OTLP payloads in `Tests/Fixtures`, written by `make_fixtures.py` with
/// the official opentelemetry-proto Python package.
package enum Fixtures {
    /// `Tests/Fixtures` in this checkout.
    package static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The repository root.
    package static let repositoryRoot: URL = directory.deletingLastPathComponent().deletingLastPathComponent()

    package static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}
