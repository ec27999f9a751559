/// A family computed at scrape time rather than aggregated from points (the
/// collector's self-metrics, golden signals, SLO state), rendered with the rest.
package struct SyntheticFamily: Sendable, Equatable {
    package var name: String
    package var type: PrometheusMetricType
    package var help: String
    package var samples: [Sample]

    package struct Sample: Sendable, Equatable {
        package var labels: [Label]
        package var value: Double

        package init(_ labels: [Label], _ value: Double) {
            self.labels = labels
            self.value = value
        }
    }

    package init(name: String, type: PrometheusMetricType, help: String, samples: [Sample] = []) {
        self.name = name
        self.type = type
        self.help = help
        self.samples = samples
    }
}
