import OpenSREModel
import PrometheusExposition

/// The collector's own metrics, rendered with every scrape under
/// `opensre_collector_` (whatever the configured namespace):
/// - `opensre_collector_points_accepted_total`: points the receiver accepted;
/// - `opensre_collector_points_refused_total{stage,reason}`: points refused by
///   the receiver (also reported to the sender in `partial_success`) or by the
///   processor (delta overlap, older start or out-of-order end, type
///   conflict, invalid name, `cardinality_limit`, `series_bytes_limit`, and
///   points older than the value held, `reason="out_of_order"`);
/// - `opensre_collector_series`: series exposed; `opensre_collector_series_expired_total`;
/// - `opensre_collector_series_bytes` and `opensre_collector_series_bytes_limit`:
///   what the series store holds as `max_series_bytes` counts it, and that bound;
/// - `opensre_collector_requests_total{transport,code}`: OTLP requests answered,
///   `transport="http"` by HTTP status, `transport="grpc"` by gRPC status name;
///   `opensre_collector_http_requests_total{code}` keeps the HTTP ones as before;
/// - `opensre_collector_unsupported_signal_requests_total{signal}`: requests
///   for traces and logs (either transport), which this collector does not take.
///
/// A scrape source built per scrape from the figures of that moment (the
/// counters and limiter are read when ``families(for:)`` runs).
struct SelfMetrics: MetricFamilySource {
    let counters: CollectorCounters
    let statistics: ProcessorStatistics
    /// Series exposed.
    let series: Int
    /// ``SeriesStore/seriesBytes`` and `max_series_bytes`.
    let seriesBytes: (held: Int, limit: Int)
    let memoryLimiter: MemoryLimiter?
    let gauges: ProcessorGauges?

    func families(for scrape: ScrapeContext) -> [any ExposedFamily] {
        var accepted = SyntheticFamily(
            name: "opensre_collector_points_accepted_total", type: .counter,
            help: "Data points accepted: decoded and folded into their series (refusals at either stage are in points_refused_total).")
        accepted.append([], Double(statistics.acceptedPoints))

        var refused = SyntheticFamily(
            name: "opensre_collector_points_refused_total", type: .counter,
            help: "Data points refused or dropped, by stage and reason.")
        let counts = counters.refusedPoints + statistics.refused
        for reason in RefusalReason.allCases {
            refused.append([Label("reason", reason.label), Label("stage", reason.stage.rawValue)], Double(counts[reason]))
        }

        var active = SyntheticFamily(name: "opensre_collector_series", type: .gauge, help: "Series currently exposed.")
        active.append([], Double(series))
        var expired = SyntheticFamily(
            name: "opensre_collector_series_expired_total", type: .counter,
            help: "Series removed after metric_expiration without updates.")
        expired.append([], Double(statistics.expiredSeries))
        var bytes = SyntheticFamily(
            name: "opensre_collector_series_bytes", type: .gauge,
            help: "Bytes the series store holds, as max_series_bytes counts them (label text, keys, state, fixed overheads).")
        bytes.append([], Double(seriesBytes.held))
        var bytesLimit = SyntheticFamily(
            name: "opensre_collector_series_bytes_limit", type: .gauge,
            help: "max_series_bytes: past it new series are refused (reason series_bytes_limit).")
        bytesLimit.append([], Double(seriesBytes.limit))
        var resident = SyntheticFamily(
            name: "opensre_collector_process_resident_memory_bytes", type: .gauge, help: "Resident memory of the collector.")
        resident.append([], Double(MemoryLimiter.residentMemory()))
        var families: [any ExposedFamily] = [accepted, refused, active, expired, bytes, bytesLimit, resident]
        var requests = SyntheticFamily(
            name: "opensre_collector_http_requests_total", type: .counter,
            help: "OTLP/HTTP requests answered by the receiver, by status code.")
        for (code, count) in counters.requestsByStatus {
            requests.append([Label("code", String(code))], Double(count))
        }
        families.append(requests)
        var byTransport = SyntheticFamily(
            name: "opensre_collector_requests_total", type: .counter,
            help: "OTLP requests answered by the receiver, by transport and code (HTTP status or gRPC status name).")
        for (code, count) in counters.requestsByStatus {
            byTransport.append([Label("code", String(code)), Label("transport", "http")], Double(count))
        }
        for (code, count) in counters.grpcRequestsByStatus {
            byTransport.append([Label("code", code.name), Label("transport", "grpc")], Double(count))
        }
        families.append(byTransport)
        var unsupported = SyntheticFamily(
            name: "opensre_collector_unsupported_signal_requests_total", type: .counter,
            help: "Requests for OTLP signals this collector does not take (answered 404), by signal.")
        for signal in CollectorCounters.OtherSignal.allCases {
            unsupported.append([Label("signal", signal.rawValue)], Double(counters.unsupportedRequests(signal)))
        }
        families.append(unsupported)
        if let cardinality = counters.spanCardinality {
            var overflow = SyntheticFamily(
                name: "opensre_collector_span_metrics_overflow_spans_total", type: .counter,
                help: "Spans counted in a service's overflow series (otel.metric.overflow) past aggregation_cardinality_limit.")
            overflow.append([], Double(cardinality.overflowedSpans))
            families.append(overflow)
        }
        var decode = SyntheticFamily(
            name: "opensre_collector_decode_seconds_total", type: .counter,
            help: "Time spent decompressing and decoding requests on the event loops.")
        decode.append([], counters.decodeSeconds)
        families.append(decode)
        if let gauges {
            var queued = SyntheticFamily(
                name: "opensre_collector_queued_points", type: .gauge,
                help: "Points in the rings, accepted and not yet folded in.")
            queued.append([], Double(gauges.queuedPoints))
            var capacity = SyntheticFamily(
                name: "opensre_collector_ring_capacity_requests", type: .gauge,
                help: "Requests the rings can hold before the receiver answers 503.")
            capacity.append([], Double(gauges.ringCapacity))
            var wait = SyntheticFamily(
                name: "opensre_collector_queue_wait_seconds_total", type: .counter,
                help: "Time batches waited in the rings before being folded in.")
            wait.append([], gauges.queueWaitSeconds)
            var batches = SyntheticFamily(
                name: "opensre_collector_batches_total", type: .counter, help: "Batches (requests) folded in.")
            batches.append([], Double(gauges.batches))
            var lastScrape = SyntheticFamily(
                name: "opensre_collector_scrape_render_seconds", type: .gauge,
                help: "How long the previous scrape took on the processor thread, first slice to last (batches folded in between and waits for a slow scraper included).")
            lastScrape.append([], gauges.lastScrapeSeconds)
            families += [queued, capacity, wait, batches, lastScrape]
        }
        if let memoryLimiter {
            var limit = SyntheticFamily(
                name: "opensre_collector_memory_limit_bytes", type: .gauge,
                help: "memory_limiter limits: data is refused above the soft one.")
            limit.append([Label("limit", "hard")], Double(memoryLimiter.hardLimit))
            limit.append([Label("limit", "soft")], Double(memoryLimiter.softLimit))
            var refusing = SyntheticFamily(
                name: "opensre_collector_memory_limiter_refusing", type: .gauge,
                help: "1 while the memory_limiter refuses data (503).")
            refusing.append([], memoryLimiter.isRefusing ? 1 : 0)
            families += [limit, refusing]
        }
        return families
    }
}

/// Processor-thread figures shown in the self-metrics.
package struct ProcessorGauges: Sendable {
    package var queuedPoints: Int
    package var ringCapacity: Int
    package var queueWaitSeconds: Double
    package var batches: UInt64
    package var lastScrapeSeconds: Double
}
