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
enum SelfMetrics {
    static func families(
        counters: CollectorCounters, statistics: ProcessorStatistics, series: Int,
        seriesBytes: (held: Int, limit: Int), memoryLimiter: MemoryLimiter?, gauges: ProcessorGauges?
    ) -> [MetricFamily] {
        let accepted = MetricFamily(
            name: "opensre_collector_points_accepted_total", type: .counter,
            help: "Data points accepted: decoded and folded into their series (refusals at either stage are in points_refused_total).")
        accepted.set([], Double(statistics.acceptedPoints))

        let refused = MetricFamily(
            name: "opensre_collector_points_refused_total", type: .counter,
            help: "Data points refused or dropped, by stage and reason.")
        let counts = counters.refusedPoints + statistics.refused
        for reason in RefusalReason.allCases {
            refused.set([Label("reason", reason.label), Label("stage", reason.stage.rawValue)], Double(counts[reason]))
        }

        let active = MetricFamily(name: "opensre_collector_series", type: .gauge, help: "Series currently exposed.")
        active.set([], Double(series))
        let expired = MetricFamily(
            name: "opensre_collector_series_expired_total", type: .counter,
            help: "Series removed after metric_expiration without updates.")
        expired.set([], Double(statistics.expiredSeries))
        let bytes = MetricFamily(
            name: "opensre_collector_series_bytes", type: .gauge,
            help: "Bytes the series store holds, as max_series_bytes counts them (label text, keys, state, fixed overheads).")
        bytes.set([], Double(seriesBytes.held))
        let bytesLimit = MetricFamily(
            name: "opensre_collector_series_bytes_limit", type: .gauge,
            help: "max_series_bytes: past it new series are refused (reason series_bytes_limit).")
        bytesLimit.set([], Double(seriesBytes.limit))
        let resident = MetricFamily(
            name: "opensre_collector_process_resident_memory_bytes", type: .gauge, help: "Resident memory of the collector.")
        resident.set([], Double(MemoryLimiter.residentMemory()))
        var families = [accepted, refused, active, expired, bytes, bytesLimit, resident]
        let requests = MetricFamily(
            name: "opensre_collector_http_requests_total", type: .counter,
            help: "OTLP/HTTP requests answered by the receiver, by status code.")
        for (code, count) in counters.requestsByStatus {
            requests.set([Label("code", String(code))], Double(count))
        }
        families.append(requests)
        let byTransport = MetricFamily(
            name: "opensre_collector_requests_total", type: .counter,
            help: "OTLP requests answered by the receiver, by transport and code (HTTP status or gRPC status name).")
        for (code, count) in counters.requestsByStatus {
            byTransport.set([Label("code", String(code)), Label("transport", "http")], Double(count))
        }
        for (code, count) in counters.grpcRequestsByStatus {
            byTransport.set([Label("code", code.name), Label("transport", "grpc")], Double(count))
        }
        families.append(byTransport)
        let unsupported = MetricFamily(
            name: "opensre_collector_unsupported_signal_requests_total", type: .counter,
            help: "Requests for OTLP signals this collector does not take (answered 404), by signal.")
        for signal in CollectorCounters.OtherSignal.allCases {
            unsupported.set([Label("signal", signal.rawValue)], Double(counters.unsupportedRequests(signal)))
        }
        families.append(unsupported)
        let decode = MetricFamily(
            name: "opensre_collector_decode_seconds_total", type: .counter,
            help: "Time spent decompressing and decoding requests on the event loops.")
        decode.set([], counters.decodeSeconds)
        families.append(decode)
        if let gauges {
            let queued = MetricFamily(
                name: "opensre_collector_queued_points", type: .gauge,
                help: "Points in the rings, accepted and not yet folded in.")
            queued.set([], Double(gauges.queuedPoints))
            let capacity = MetricFamily(
                name: "opensre_collector_ring_capacity_requests", type: .gauge,
                help: "Requests the rings can hold before the receiver answers 503.")
            capacity.set([], Double(gauges.ringCapacity))
            let wait = MetricFamily(
                name: "opensre_collector_queue_wait_seconds_total", type: .counter,
                help: "Time batches waited in the rings before being folded in.")
            wait.set([], gauges.queueWaitSeconds)
            let batches = MetricFamily(
                name: "opensre_collector_batches_total", type: .counter, help: "Batches (requests) folded in.")
            batches.set([], Double(gauges.batches))
            let scrape = MetricFamily(
                name: "opensre_collector_scrape_render_seconds", type: .gauge,
                help: "How long the previous scrape took on the processor thread, first slice to last (batches folded in between and waits for a slow scraper included).")
            scrape.set([], gauges.lastScrapeSeconds)
            families += [queued, capacity, wait, batches, scrape]
        }
        if let memoryLimiter {
            let limit = MetricFamily(
                name: "opensre_collector_memory_limit_bytes", type: .gauge,
                help: "memory_limiter limits: data is refused above the soft one.")
            limit.set([Label("limit", "hard")], Double(memoryLimiter.hardLimit))
            limit.set([Label("limit", "soft")], Double(memoryLimiter.softLimit))
            let refusing = MetricFamily(
                name: "opensre_collector_memory_limiter_refusing", type: .gauge,
                help: "1 while the memory_limiter refuses data (503).")
            refusing.set([], memoryLimiter.isRefusing ? 1 : 0)
            families += [limit, refusing]
        }
        return families
    }
}

extension MetricFamily {
    fileprivate func set(_ labels: [Label], _ value: Double) {
        series(labelText: ExpositionWriter.labelText(labels)).0.state.value = value
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
