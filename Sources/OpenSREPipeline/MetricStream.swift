import OpenSREModel
import PrometheusExposition

/// One metric of one scope of one resource, as the processor knows it: where
/// its points go (family), the labels every one of its series carries, and its
/// series by the canonical bytes of their attributes.
final class MetricStream {
    let kind: MetricKind
    let temporality: Temporality
    let family: MetricFamily?
    /// Why this stream's points are refused (nil when accepted).
    let refusal: Refusal?
    /// `job`, `instance`, scope and const labels, sorted by name.
    let fixedLabels: [Label]
    /// Labels that attributes must not take (`le` for histograms, `quantile` for summaries).
    let reservedLabels: Set<String>
    var series = SeriesTable<Series>()

    enum Refusal {
        case invalidName
        case typeConflict
    }

    init(
        kind: MetricKind, temporality: Temporality, family: MetricFamily?, refusal: Refusal?,
        fixedLabels: [Label], reservedLabels: Set<String>
    ) {
        self.kind = kind
        self.temporality = temporality
        self.family = family
        self.refusal = refusal
        self.fixedLabels = fixedLabels
        self.reservedLabels = reservedLabels
    }
}
