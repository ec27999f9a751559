/// A family computed at scrape time rather than aggregated from points (the
/// collector's self-metrics, golden signals, SLO state): the one way such
/// families are built, whichever source computes them.
///
/// Samples are kept as their labels and values, in any order; the family
/// renders each label set's text when walked (``forEachSeries(utf8:_:)``),
/// sorted, and a label set given twice counts once, with its last value.
/// These families hold tens to hundreds of series per scrape: building them
/// afresh each time is cheap, unlike the store's own families.
package struct SyntheticFamily: Sendable, Equatable {
    /// The name, rendered once, when the family is built.
    package var metricName: MetricName
    package var type: PrometheusMetricType
    package var help: String
    /// The OpenMetrics `# UNIT` (empty for none).
    package var unit: String
    package var samples: [Sample]

    /// One series: its labels and its value(s).
    package struct Sample: Sendable, Equatable {
        package var labels: [Label]
        package var content: ExposedValue

        /// A counter, gauge or untyped sample.
        package init(_ labels: [Label], _ value: Double) {
            self.labels = labels
            content = .single(value)
        }

        /// A histogram series.
        package init(_ labels: [Label], histogram: ExposedHistogram) {
            self.labels = labels
            content = .histogram(histogram)
        }

        /// The sample's value; for a histogram or summary, its sum.
        package var value: Double {
            switch content {
            case .single(let value): value
            case .histogram(let histogram): histogram.sum ?? 0
            case .summary(let summary): summary.sum
            }
        }
    }

    package init(name: String, type: PrometheusMetricType, help: String, unit: String = "", samples: [Sample] = []) {
        metricName = MetricName(name)
        self.type = type
        self.help = help
        self.unit = unit
        self.samples = samples
    }

    package var name: String {
        get { metricName.text }
        set { metricName = MetricName(newValue) }
    }

    /// Adds (or, when `labels` is already there, overrides) a counter, gauge or untyped sample.
    package mutating func append(_ labels: [Label], _ value: Double) {
        samples.append(Sample(labels, value))
    }
}

extension SyntheticFamily: ExposedFamily {
    package var isEmpty: Bool { samples.isEmpty }

    /// Label texts are rendered here, on each walk, and are the same for
    /// legacy and UTF-8 scrapers (``ExpositionWriter/labelText(_:)`` quotes
    /// names outside the legacy set in both).
    package func forEachSeries(utf8: Bool, _ body: (ExposedSeries) -> Void) {
        let texts = samples.map { ExpositionWriter.labelText($0.labels) }
        // By label text, then by position, so that the last of equal label sets wins.
        let order = texts.indices.sorted { left, right in
            texts[left] == texts[right] ? left < right : texts[left].lexicographicallyPrecedes(texts[right])
        }
        for (rank, index) in order.enumerated() {
            if rank + 1 < order.count, texts[order[rank + 1]] == texts[index] { continue }
            texts[index].withUnsafeBytes { text in
                body(ExposedSeries(labels: SplitLabelText(head: text), value: samples[index].content))
            }
        }
    }
}
