import OpenSREModel
import Yams

/// Every problem found in SLO files, reported at once.
package struct SLOLoadError: Error, Sendable, CustomStringConvertible {
    package var problems: [String]
    package var description: String { problems.joined(separator: "\n") }
}
