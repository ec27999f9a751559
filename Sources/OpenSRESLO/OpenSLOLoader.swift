import Foundation
import OpenSREModel
import Yams

/// Loads and validates OpenSLO v1 SLO documents.
///
/// Supported: `apiVersion: openslo/v1`, `kind: SLO` with an `indicator`
/// (inline, or an `SLI` document named by `indicatorRef`) with a
/// `ratioMetric` (`good` or `bad`, and `total`) whose metric sources have
/// `type: opensre`, `alertPolicies` (``SLOAlertPolicy``: `AlertPolicy` and
/// `AlertCondition` documents, inline or by reference; see
/// ``OpenSLOCatalogue`` for the kinds),
/// `budgetingMethod: Occurrences`, one rolling `timeWindow` (minutes, hours,
/// days or weeks, from 1h to 90d) and one objective with `target` in [0, 1)
/// (or `targetPercent`). Everything else is a clear error naming the file,
/// the document and the field.
package enum OpenSLOLoader {
    /// Loads every file that `patterns` (paths or globs) name; references
    /// (`indicatorRef`, `alertPolicyRef`, `conditionRef`) may cross files.
    package static func load(patterns: [String], relativeTo base: String = ".") throws(SLOLoadError) -> [SLODefinition] {
        var catalogue = OpenSLOCatalogue()
        var problems: [String] = []
        for pattern in patterns {
            let files = SLOFileGlob.expand(pattern, relativeTo: base)
            if files.isEmpty { problems.append("\(pattern): no file matches") }
            for file in files {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                    problems.append("\(file): cannot be read")
                    continue
                }
                catalogue.add(yaml: text, file: file)
            }
        }
        return try resolve(&catalogue, problems: problems)
    }

    /// Parses the documents of one file.
    package static func parse(yaml: String, file: String = "<input>") throws(SLOLoadError) -> [SLODefinition] {
        var catalogue = OpenSLOCatalogue()
        catalogue.add(yaml: yaml, file: file)
        return try resolve(&catalogue, problems: [])
    }

    private static func resolve(_ catalogue: inout OpenSLOCatalogue, problems: [String]) throws(SLOLoadError) -> [SLODefinition] {
        let definitions = catalogue.definitions()
        var problems = problems + catalogue.problems
        var seen: Set<String> = []
        for definition in definitions where !seen.insert(definition.name).inserted {
            problems.append("SLO \(definition.name) is defined more than once")
        }
        guard problems.isEmpty else { throw SLOLoadError(problems: problems) }
        return definitions
    }
}
