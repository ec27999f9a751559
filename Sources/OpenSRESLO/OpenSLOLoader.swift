import Foundation
import OpenSREModel
import Yams

/// Loads and validates OpenSLO v1 SLO documents.
///
/// Supported: `apiVersion: openslo/v1`, `kind: SLO` (other kinds in the same
/// files are skipped), an inline `indicator` with a `ratioMetric` (`good` or
/// `bad`, and `total`) whose metric sources have `type: opensre`,
/// `budgetingMethod: Occurrences`, one rolling `timeWindow` (minutes, hours,
/// days or weeks, from 1h to 90d) and one objective with `target` in [0, 1)
/// (or `targetPercent`). Everything else is a clear error naming the file,
/// the document and the field.
package enum OpenSLOLoader {
    /// Loads every file that `patterns` (paths or globs) name.
    package static func load(patterns: [String], relativeTo base: String = ".") throws(SLOLoadError) -> [SLODefinition] {
        var definitions: [SLODefinition] = []
        var problems: [String] = []
        for pattern in patterns {
            let files = SLOFileGlob.expand(pattern, relativeTo: base)
            if files.isEmpty { problems.append("\(pattern): no file matches") }
            for file in files {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                    problems.append("\(file): cannot be read")
                    continue
                }
                do {
                    definitions += try parse(yaml: text, file: file)
                } catch {
                    problems += error.problems
                }
            }
        }
        var seen: Set<String> = []
        for definition in definitions where !seen.insert(definition.name).inserted {
            problems.append("SLO \(definition.name) is defined more than once")
        }
        guard problems.isEmpty else { throw SLOLoadError(problems: problems) }
        return definitions
    }

    /// Parses the documents of one file.
    package static func parse(yaml: String, file: String = "<input>") throws(SLOLoadError) -> [SLODefinition] {
        let documents: [Node]
        do {
            documents = Array(try Yams.compose_all(yaml: yaml).compactMap { $0 })
        } catch {
            throw SLOLoadError(problems: ["\(file): not valid YAML: \(error)"])
        }
        var definitions: [SLODefinition] = []
        var problems: [String] = []
        for (index, document) in documents.enumerated() {
            var reader = SLODocumentReader(file: file, document: index + 1)
            if let definition = reader.slo(document) { definitions.append(definition) }
            problems += reader.problems
        }
        guard problems.isEmpty else { throw SLOLoadError(problems: problems) }
        return definitions
    }
}
