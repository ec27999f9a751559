/// A `metricSource` of `type: opensre`: which points count as events.
///
/// `metric` is the OTLP metric name; `match` maps attribute keys to regular
/// expressions that must match the whole value, looked up in the point's
/// attributes and then its resource's; `le` keeps only the observations at or
/// under that bound of a histogram (it must be one of the histogram's bucket
/// bounds, in the metric's own unit). A histogram counts its observations, a
/// monotonic counter its increase.
package struct SLOEventSource: Sendable, Equatable {
    package var metric: String
    package var match: [AttributeMatch]
    package var lessOrEqual: Double?

    package init(metric: String, match: [AttributeMatch] = [], lessOrEqual: Double? = nil) {
        self.metric = metric
        self.match = match
        self.lessOrEqual = lessOrEqual
    }
}
