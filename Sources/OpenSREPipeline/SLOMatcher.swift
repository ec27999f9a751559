import OpenSREModel
import OpenSRESLO
import PrometheusExposition

/// Decides which SLO sources a stream and its series feed.
struct SLOMatcher {
    /// Per source: the SLO, its role, and the compiled patterns.
    private struct Source {
        var slo: Int
        var role: SLOEngine.Role
        var source: SLOEventSource
        var patterns: [(key: String, regex: Regex<AnyRegexOutput>)]
    }

    private var sourcesByMetric: [String: [Source]] = [:]

    init(definitions: [SLODefinition]) {
        for (index, definition) in definitions.enumerated() {
            var sources: [(SLOEngine.Role, SLOEventSource)] = [(.total, definition.total)]
            if let selected = definition.good ?? definition.bad { sources.append((.selected, selected)) }
            for (role, source) in sources {
                let patterns = source.match.compactMap { match in
                    (try? Regex(match.pattern)).map { (match.key, $0) }
                }
                sourcesByMetric[source.metric, default: []].append(
                    Source(slo: index, role: role, source: source, patterns: patterns))
            }
        }
    }

    var isEmpty: Bool { sourcesByMetric.isEmpty }

    /// Whether a stream of this metric may feed any SLO (checked once per stream).
    func hasSources(metric: String, kind: MetricKind, monotonic: Bool) -> Bool {
        guard sourcesByMetric[metric] != nil else { return false }
        switch kind {
        case .histogram, .exponentialHistogram: return true
        case .sum: return monotonic
        default: return false
        }
    }

    /// The taps of one series: sources whose patterns all match its
    /// attributes (the point's first, then the resource's), anchored at both ends.
    func taps(metric: String, attributes: [Attribute], resource: [Attribute]) -> [SLOTap] {
        guard let sources = sourcesByMetric[metric] else { return [] }
        func value(_ key: String) -> String? {
            (attributes.first { $0.key == key } ?? resource.first { $0.key == key }).map {
                AttributeText.labelValue($0.value)
            }
        }
        return sources.compactMap { source in
            for (key, regex) in source.patterns {
                guard let value = value(key), (try? regex.wholeMatch(in: value)) != nil else { return nil }
            }
            return SLOTap(slo: source.slo, role: source.role, lessOrEqual: source.source.lessOrEqual)
        }
    }
}
