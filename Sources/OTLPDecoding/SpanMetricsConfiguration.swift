import OpenSREModel

/// `connectors.spanmetrics` (also spelled `span_metrics`, the Collector's new
/// name): how spans become RED series. The keys are the Collector's
/// `spanmetrics` connector's, so its users' files carry over; the defaults
/// differ where the issue asked for bounded, SRE-ready output (noted per key).
///
/// Each span of a counted kind adds one to `{namespace}.calls` (a counter) and
/// its duration to `{namespace}.duration` (a histogram), keyed by the
/// resource (`job`/`instance`) and the attributes `service.name`,
/// `span.name`, `span.kind` (`SPAN_KIND_SERVER`…), `status.code`
/// (`STATUS_CODE_ERROR`…) and the configured dimensions present on the span.
package struct SpanMetricsConfiguration: Sendable, Equatable {
    /// One `dimensions` entry: `- name: http.route` with an optional
    /// `default` (used when the span lacks the attribute; without one the
    /// dimension is left out for that span, as the Collector does).
    package struct Dimension: Sendable, Equatable {
        package var name: String
        package var defaultValue: String?

        package init(name: String, defaultValue: String? = nil) {
            self.name = name
            self.defaultValue = defaultValue
        }
    }

    /// The histogram's unit (`histogram.unit`): `s` or `ms`.
    package enum Unit: String, Sendable, Equatable {
        case seconds = "s"
        case milliseconds = "ms"

        /// Nanoseconds per unit.
        package var nanoseconds: Double { self == .seconds ? 1e9 : 1e6 }
    }

    /// The histogram's buckets (`histogram.explicit.buckets` or `histogram.exponential.max_size`).
    package enum Buckets: Sendable, Equatable {
        /// Upper bounds in the histogram's unit.
        case explicit([Double])
        /// Base-2 exponential buckets, at most this many per sign (2 to 4096:
        /// durations on both sides of one unit always take two buckets).
        case exponential(maxSize: Int)
    }

    /// `namespace`, default `traces.span.metrics` (the Collector's).
    package var namespace = "traces.span.metrics"
    /// `dimensions`, default `http.route`, `http.request.method`,
    /// `http.response.status_code`, `rpc.method`, `rpc.grpc.status_code` and
    /// the older HTTP names `http.method` and `http.status_code` (which the
    /// Python instrumentations still send by default). The Collector's default
    /// is none; these are the bounded attributes the golden signals read.
    package var dimensions: [Dimension] = Self.defaultDimensions
    /// `span_kinds` (ours): which kinds count, default `SPAN_KIND_SERVER` and
    /// `SPAN_KIND_CONSUMER` (requests served; the Collector counts every kind).
    package var spanKinds: Set<Int32> = [2, 5]
    /// `histogram.unit`, default `s` (the Collector's is `ms`).
    package var unit = Unit.seconds
    /// `histogram.explicit.buckets`, default the HTTP semantic conventions'
    /// duration buckets (5 ms to 10 s; the Collector's default is 2 ms to 15 s).
    package var buckets = Buckets.explicit(HTTPDurationBuckets.seconds)
    /// `histogram.disable`, default false: only `calls` is derived.
    package var histogramDisabled = false
    /// `exemplars.enabled`, default true (the Collector's is false): each
    /// duration point carries the trace and span ID of its request's slowest span.
    package var exemplars = true
    /// `metrics_expiration`, default 0: span-derived series expire after the
    /// exporter's `metric_expiration`, like every other series; a value here
    /// applies to them instead.
    package var metricsExpiration: Duration = .zero
    /// `aggregation_cardinality_limit`, default 1000 series per service (0: no
    /// limit, the Collector's default): past it, a service's new keys go to its
    /// overflow series (`otel.metric.overflow="true"`).
    package var cardinalityLimit = 1000

    package static let defaultDimensions: [Dimension] = [
        "http.route", "http.request.method", "http.method", "http.response.status_code", "http.status_code",
        "rpc.method", "rpc.grpc.status_code",
    ].map { Dimension(name: $0) }

    /// Span kinds by their label value (`SPAN_KIND_SERVER`) and enum number.
    package static let spanKindNames: [String] = [
        "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER",
        "SPAN_KIND_CONSUMER",
    ]
    /// Status codes by their label value and enum number.
    package static let statusCodeNames: [String] = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"]

    /// `{namespace}.calls` and `{namespace}.duration`.
    package var callsName: String { namespace.isEmpty ? "calls" : namespace + ".calls" }
    package var durationName: String { namespace.isEmpty ? "duration" : namespace + ".duration" }

    /// The explicit bounds with `extra` bounds merged in (SLO thresholds on the
    /// duration, so that "under 300 ms" is counted exactly): sorted, distinct.
    package func addingBounds(_ extra: [Double]) -> SpanMetricsConfiguration {
        guard case .explicit(let bounds) = buckets, !extra.isEmpty else { return self }
        var copy = self
        copy.buckets = .explicit(Array(Set(bounds + extra)).sorted())
        return copy
    }

    package init() {}
}
