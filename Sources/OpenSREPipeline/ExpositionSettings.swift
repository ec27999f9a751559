import PrometheusExposition

/// How series are named, labelled, kept and shown on the exporter
/// (`exporters.prometheus` in the configuration; keys as in the OpenTelemetry
/// Collector's Prometheus exporter).
package struct ExpositionSettings: Sendable, Equatable {
    /// `namespace`, default `opensre`: prefix of every family name.
    package var namespace: String
    /// `const_labels`, default none: labels added to every series (not to target_info).
    package var constLabels: [String: String]
    /// `translation_strategy`, default `UnderscoreEscapingWithSuffixes`.
    package var translationStrategy: TranslationStrategy
    /// `without_scope_info`, default false: when true, no `otel_scope_*` labels.
    package var withoutScopeInfo: Bool
    /// `resource_to_telemetry_conversion.enabled`, default false: when true,
    /// every resource attribute is also a label on every series of that resource.
    package var resourceToTelemetryConversion: Bool
    /// `metric_expiration`, default 5m: a series not updated for this long is
    /// removed, in the background. Zero keeps series forever.
    package var metricExpiration: Duration
    /// The span metrics' `metrics_expiration`, for their families; zero:
    /// `metricExpiration` applies to them too.
    package var derivedExpiration: Duration = .zero

    /// Expiry of span-derived families, resolved (zero: never).
    package var effectiveDerivedExpiration: Duration {
        derivedExpiration > .zero ? derivedExpiration : metricExpiration
    }
    /// `send_timestamps`, default false: write each sample's point timestamp.
    /// Off by default because explicit timestamps disable Prometheus's staleness handling.
    package var sendTimestamps: Bool
    /// `enable_open_metrics`, default true: answer OpenMetrics to scrapers that
    /// ask for it (the Collector's default is false, i.e. never).
    package var enableOpenMetrics: Bool
    /// `max_series`, default 500,000: a cap on all series exposed; past it new
    /// series are refused (reported in `partial_success` and self-metrics) while
    /// existing ones keep updating. A series takes about 300 bytes plus twice
    /// its label text (see ``maxSeriesBytes``).
    package var maxSeries: Int
    /// `max_series_per_metric`, default 50,000: the same cap per metric family.
    package var maxSeriesPerMetric: Int
    /// `max_series_bytes`: a bound on the bytes the series store holds (label
    /// text, lookup keys, state and a fixed overhead per series and stream, as
    /// ``SeriesAccounting`` counts them); past it new series (and streams) are
    /// refused like past `max_series` (reason `series_bytes_limit`) while
    /// existing ones keep updating. nil is the default: 1 GiB
    /// (``defaultMaxSeriesBytes``), or half the `memory_limiter`'s limit when
    /// that is lower, so that new series are refused before the limiter has
    /// to refuse all data.
    package var maxSeriesBytes: Int?

    /// The `max_series_bytes` default without a `memory_limiter`: 1 GiB.
    package static let defaultMaxSeriesBytes = 1 << 30

    package init(
        namespace: String = "opensre", constLabels: [String: String] = [:],
        translationStrategy: TranslationStrategy = .underscoreEscapingWithSuffixes, withoutScopeInfo: Bool = false,
        resourceToTelemetryConversion: Bool = false, metricExpiration: Duration = .seconds(300),
        sendTimestamps: Bool = false, enableOpenMetrics: Bool = true, maxSeries: Int = 500_000,
        maxSeriesPerMetric: Int = 50_000, maxSeriesBytes: Int? = nil
    ) {
        self.namespace = namespace
        self.constLabels = constLabels
        self.translationStrategy = translationStrategy
        self.withoutScopeInfo = withoutScopeInfo
        self.resourceToTelemetryConversion = resourceToTelemetryConversion
        self.metricExpiration = metricExpiration
        self.sendTimestamps = sendTimestamps
        self.enableOpenMetrics = enableOpenMetrics
        self.maxSeries = maxSeries
        self.maxSeriesPerMetric = maxSeriesPerMetric
        self.maxSeriesBytes = maxSeriesBytes
    }
}
