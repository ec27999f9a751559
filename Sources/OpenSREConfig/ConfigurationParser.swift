import OTLPReceiver
import Foundation
import HTTPServerSupport
import NIOCore
import OpenSREModel
import OpenSREPipeline
import OpenSRESLO
import PrometheusExporter
import PrometheusExposition
import Yams

/// Turns the YAML tree into a ``CollectorConfiguration``, one section at a time.
struct ConfigurationParser {
    var reader = YAMLReader()
    /// Directory of the configuration file (SLO definition paths are relative to it).
    let baseDirectory: String

    init(baseDirectory: String) {
        self.baseDirectory = baseDirectory
    }

    var configuration = CollectorConfiguration()
    /// Component ids defined in each section, by type (`otlp`, `otlp/2`, ...).
    var receivers: [String: Node] = [:]
    var processors: [String: Node] = [:]
    var exporters: [String: Node] = [:]
    var connectors: [String: Node] = [:]
    /// Connectors the metrics pipeline lists as receivers, and the otlp receivers it lists.
    var metricsConnectorIDs: [(pipeline: String, connector: String)] = []
    var metricsReceiverIDs: [String] = []
    /// Components some pipeline uses (the others are warned about).
    var usedIDs: Set<String> = []

    static let receiverTypes = ["otlp"]
    static let connectorTypes = ["spanmetrics", "span_metrics"]
    static let processorTypes = ["batch", "slo", "memory_limiter"]
    static let exporterTypes = ["prometheus", "prometheusremotewrite"]

    mutating func parse(_ root: Node?) -> CollectorConfiguration {
        guard let root, !YAMLReader.isNull(root) else {
            reader.fail("", "the configuration is empty", root)
            return configuration
        }
        let sections = reader.mapping(
            root, at: "", allowed: ["receivers", "processors", "exporters", "connectors", "service"])
        var service: Node?
        for (key, value) in sections {
            switch key {
            case "receivers": receivers = components(value, at: key, types: Self.receiverTypes)
            case "processors": processors = components(value, at: key, types: Self.processorTypes)
            case "exporters": exporters = components(value, at: key, types: Self.exporterTypes)
            case "connectors": connectors = components(value, at: key, types: Self.connectorTypes)
            default: service = value
            }
        }
        guard let service else {
            reader.fail("service", "missing: a service.pipelines.metrics section is required", root)
            return configuration
        }
        parseService(service)
        return configuration
    }

    /// The components of one section, keyed by id; checks each id's type.
    private mutating func components(_ node: Node, at path: String, types: [String]) -> [String: Node] {
        var result: [String: Node] = [:]
        for (id, value) in reader.mapping(node, at: path, allowed: nil) {
            let type = String(id.split(separator: "/", maxSplits: 1).first ?? "")
            guard types.contains(type) else {
                reader.fail(
                    YAMLReader.join(path, id),
                    "unknown component type \"\(type)\" (supported: \(types.joined(separator: ", ")))", value)
                continue
            }
            result[id] = value
        }
        return result
    }

    private mutating func parseService(_ node: Node) {
        let entries = reader.mapping(node, at: "service", allowed: ["pipelines"])
        guard let pipelines = entries.first(where: { $0.key == "pipelines" })?.value else {
            reader.fail("service.pipelines", "missing: a metrics pipeline is required", node)
            return
        }
        let named = reader.mapping(pipelines, at: "service.pipelines", allowed: nil)
        var metricsPipelines: [(String, Node)] = []
        var tracesPipelines: [(String, Node)] = []
        for (id, value) in named {
            let type = id.split(separator: "/", maxSplits: 1).first ?? ""
            if type == "metrics" {
                metricsPipelines.append((id, value))
            } else if type == "traces" {
                tracesPipelines.append((id, value))
            } else {
                reader.fail(
                    "service.pipelines.\(id)",
                    "only metrics pipelines and traces pipelines into span metrics are supported (OpenSRE is not a trace or log backend)",
                    value)
            }
        }
        if tracesPipelines.count > 1 {
            reader.fail("service.pipelines", "only one traces pipeline is supported", pipelines)
        }
        guard metricsPipelines.count == 1, let (id, pipeline) = metricsPipelines.first else {
            if metricsPipelines.isEmpty, reader.issues.isEmpty {
                reader.fail("service.pipelines", "missing: a metrics pipeline is required", pipelines)
            } else if metricsPipelines.count > 1 {
                reader.fail("service.pipelines", "only one metrics pipeline is supported", pipelines)
            }
            return
        }
        parsePipeline(pipeline, at: "service.pipelines.\(id)")
        if let (tracesID, traces) = tracesPipelines.first, tracesPipelines.count == 1 {
            parseTracesPipeline(traces, at: "service.pipelines.\(tracesID)")
        } else if tracesPipelines.isEmpty, let id = metricsConnectorIDs.first {
            reader.fail(
                "service.pipelines.\(id.pipeline).receivers",
                "connector \"\(id.connector)\" is not fed: list it as the exporter of a traces pipeline", nil)
        }
        addSLOThresholdsToSpanDurations()
        for id in (Array(receivers.keys) + Array(processors.keys) + Array(exporters.keys) + Array(connectors.keys)).sorted()
        where !usedIDs.contains(id) {
            configuration.warnings.append("component \"\(id)\" is configured but not used in a pipeline")
        }
    }

    private mutating func parsePipeline(_ node: Node, at path: String) {
        var lists: [String: [String]] = [:]
        for (key, value) in reader.mapping(node, at: path, allowed: ["receivers", "processors", "exporters"]) {
            lists[key] = reader.stringList(value, at: "\(path).\(key)")
        }
        let listedReceivers = lists["receivers"] ?? []
        let connectorIDs = listedReceivers.filter { connectors[$0] != nil }
        for id in connectorIDs { metricsConnectorIDs.append((pipeline: String(path.split(separator: ".").last ?? ""), connector: id)) }
        let receiverIDs = references(
            lists["receivers"].map { $0.filter { connectors[$0] == nil } }, at: "\(path).receivers", defined: receivers,
            kind: "receiver")
        metricsReceiverIDs = receiverIDs
        let processorIDs = references(lists["processors"], at: "\(path).processors", defined: processors, kind: "processor")
        let exporterIDs = references(lists["exporters"], at: "\(path).exporters", defined: exporters, kind: "exporter")
        if lists["receivers"] == nil { reader.fail("\(path).receivers", "missing: list the otlp receiver", node) }
        if lists["exporters"] == nil {
            reader.fail("\(path).exporters", "missing: list the prometheus exporter, the prometheusremotewrite exporter or both", node)
        }
        func type(_ id: String) -> String { String(id.split(separator: "/").first ?? "") }
        let batchIDs = processorIDs.filter { type($0) == "batch" }
        let sloIDs = processorIDs.filter { type($0) == "slo" }
        let limiterIDs = processorIDs.filter { type($0) == "memory_limiter" }
        let scrapeIDs = exporterIDs.filter { type($0) == "prometheus" }
        let remoteWriteIDs = exporterIDs.filter { type($0) == "prometheusremotewrite" }
        for (ids, kind) in [(receiverIDs, "receivers"), (batchIDs, "processors"), (sloIDs, "processors"), (limiterIDs, "processors"), (scrapeIDs, "exporters"), (remoteWriteIDs, "exporters")]
        where ids.count > 1 {
            reader.fail("\(path).\(kind)", "only one component of each type is supported, got \(ids.joined(separator: ", "))", node)
        }
        if let id = receiverIDs.first { parseOTLPReceiver(receivers[id]!, at: "receivers.\(id)") }
        if let id = batchIDs.first { parseBatch(processors[id]!, at: "processors.\(id)") }
        if let id = sloIDs.first { parseSLO(processors[id]!, at: "processors.\(id)") }
        if let id = limiterIDs.first { parseMemoryLimiter(processors[id]!, at: "processors.\(id)") }
        configuration.servesScrapes = !scrapeIDs.isEmpty
        if let id = scrapeIDs.first { parsePrometheus(exporters[id]!, at: "exporters.\(id)") }
        if let id = remoteWriteIDs.first {
            parseRemoteWrite(exporters[id]!, at: "exporters.\(id)", besidePrometheus: scrapeIDs.first.map { "exporters.\($0)" })
        }
        usedIDs.formUnion(receiverIDs + processorIDs + exporterIDs + connectorIDs)
    }

    /// The ids a pipeline lists, each checked against its section.
    mutating func references(_ ids: [String]?, at path: String, defined: [String: Node], kind: String) -> [String] {
        guard let ids else { return [] }
        var result: [String] = []
        for (index, id) in ids.enumerated() {
            guard defined[id] != nil else {
                reader.fail("\(path)[\(index)]", "\(kind) \"\(id)\" is not defined in the \(kind)s section", nil)
                continue
            }
            if !result.contains(id) { result.append(id) }
        }
        return result
    }

    // MARK: Components

    mutating func parseOTLPReceiver(_ node: Node, at path: String) {
        let protocols = reader.mapping(node, at: path, allowed: ["protocols"])
        guard let protocolsNode = protocols.first?.value else {
            reader.fail("\(path).protocols", "missing: enable protocols.http", node)
            return
        }
        var servesHTTP = false
        for (name, value) in reader.mapping(protocolsNode, at: "\(path).protocols", allowed: ["grpc", "http"]) {
            let protocolPath = "\(path).protocols.\(name)"
            if name == "grpc" {
                configuration.grpcReceiver = parseGRPC(value, at: protocolPath)
                continue
            }
            servesHTTP = true
            let keys = ["endpoint", "max_request_body_size", "max_connections", "tls", "auth"] + Self.timeoutKeys
            for (key, setting) in reader.mapping(value, at: protocolPath, allowed: keys) {
                let keyPath = "\(protocolPath).\(key)"
                switch key {
                case "endpoint":
                    if let endpoint = endpoint(setting, at: keyPath) { configuration.receiver.endpoint = endpoint }
                case _ where Self.timeoutKeys.contains(key):
                    if let amount = timeout(setting, at: keyPath) { Self.set(key, amount, in: &configuration.receiver.timeouts) }
                case "tls":
                    configuration.receiver.tls = tls(setting, at: keyPath)
                case "max_connections":
                    if let limit = reader.integer(setting, at: keyPath, minimum: 1) { configuration.receiver.maxConnections = limit }
                case "auth":
                    if let token = bearerToken(setting, at: keyPath) { configuration.receiver.bearerToken = token }
                default:
                    if let size = reader.integer(
                        setting, at: keyPath, minimum: 1, maximum: OTLPHTTPConfiguration.largestRequestBodySize)
                    {
                        configuration.receiver.maxRequestBodySize = size
                    }
                }
            }
        }
        if !servesHTTP {
            reader.fail("\(path).protocols.http", "missing: OpenSRE receives OTLP over HTTP; add `http:`", protocolsNode)
        }
    }

    /// `auth: { bearer_token_file }`: the file's content, trimmed.
    private mutating func bearerToken(_ node: Node, at keyPath: String) -> String? {
        var result: String?
        for (authKey, file) in reader.mapping(node, at: keyPath, allowed: ["bearer_token_file"]) {
            guard let path = reader.string(file, at: "\(keyPath).\(authKey)") else { continue }
            let resolved = path.hasPrefix("/") ? path : baseDirectory + "/" + path
            guard let text = try? String(contentsOfFile: resolved, encoding: .utf8) else {
                reader.fail("\(keyPath).\(authKey)", "cannot read \(resolved)", file)
                continue
            }
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else {
                reader.fail("\(keyPath).\(authKey)", "\(resolved) is empty", file)
                continue
            }
            result = token
        }
        return result
    }

    static let grpcKeys = ["endpoint", "max_recv_msg_size_mib", "max_concurrent_streams", "keepalive", "tls", "auth", "max_connections"]
    static let keepaliveKeys = ["max_connection_idle", "max_connection_age", "max_connection_age_grace", "time", "timeout"]

    /// `receivers.otlp.protocols.grpc` (an empty `grpc:` serves the defaults).
    private mutating func parseGRPC(_ node: Node, at path: String) -> OTLPGRPCConfiguration {
        var grpc = OTLPGRPCConfiguration()
        for (key, setting) in reader.mapping(node, at: path, allowed: Self.grpcKeys) {
            let keyPath = "\(path).\(key)"
            switch key {
            case "endpoint":
                if let endpoint = endpoint(setting, at: keyPath) { grpc.endpoint = endpoint }
            case "max_recv_msg_size_mib":
                if let size = reader.integer(setting, at: keyPath, minimum: 1, maximum: OTLPGRPCConfiguration.largestMessageSizeMiB) {
                    grpc.maxReceiveMessageSize = size << 20
                }
            case "max_concurrent_streams":
                if let streams = reader.integer(setting, at: keyPath, minimum: 1, maximum: 1 << 20) { grpc.maxConcurrentStreams = streams }
            case "max_connections":
                if let limit = reader.integer(setting, at: keyPath, minimum: 1) { grpc.maxConnections = limit }
            case "tls":
                grpc.tls = tls(setting, at: keyPath)
            case "auth":
                grpc.bearerToken = bearerToken(setting, at: keyPath)
            default:
                for (group, parameters) in reader.mapping(setting, at: keyPath, allowed: ["server_parameters"]) {
                    let groupPath = "\(keyPath).\(group)"
                    for (name, value) in reader.mapping(parameters, at: groupPath, allowed: Self.keepaliveKeys) {
                        guard let amount = timeout(value, at: "\(groupPath).\(name)") else { continue }
                        switch name {
                        case "max_connection_idle": grpc.keepalive.maxConnectionIdle = amount
                        case "max_connection_age": grpc.keepalive.maxConnectionAge = amount
                        case "max_connection_age_grace": grpc.keepalive.maxConnectionAgeGrace = amount
                        case "time":
                            guard let amount else { reader.fail("\(groupPath).\(name)", "must be greater than 0", value); continue }
                            grpc.keepalive.time = amount
                        default:
                            guard let amount else { reader.fail("\(groupPath).\(name)", "must be greater than 0", value); continue }
                            grpc.keepalive.timeout = amount
                        }
                    }
                }
            }
        }
        return grpc
    }

    private mutating func parseMemoryLimiter(_ node: Node, at path: String) {
        var limiter = MemoryLimiterConfiguration()
        let keys = ["check_interval", "limit_mib", "spike_limit_mib", "limit_percentage", "spike_limit_percentage"]
        for (key, value) in reader.mapping(node, at: path, allowed: keys) {
            let keyPath = "\(path).\(key)"
            switch key {
            case "check_interval":
                if let interval = duration(value, at: keyPath) {
                    guard interval > .zero else {
                        reader.fail(keyPath, "must be greater than 0", value)
                        continue
                    }
                    limiter.checkInterval = interval
                }
            case "limit_mib": limiter.limitMiB = reader.integer(value, at: keyPath, minimum: 1)
            case "spike_limit_mib": limiter.spikeLimitMiB = reader.integer(value, at: keyPath, minimum: 0)
            case "limit_percentage": limiter.limitPercentage = reader.integer(value, at: keyPath, minimum: 1)
            default: limiter.spikeLimitPercentage = reader.integer(value, at: keyPath, minimum: 0)
            }
        }
        if limiter.limitMiB == nil, limiter.limitPercentage == nil {
            reader.fail("\(path).limit_mib", "missing: set limit_mib or limit_percentage", node)
        }
        if let percentage = limiter.limitPercentage, percentage > 100 {
            reader.fail("\(path).limit_percentage", "must be at most 100", node)
        }
        if let limit = limiter.limitMiB, let spike = limiter.spikeLimitMiB, spike >= limit {
            reader.fail("\(path).spike_limit_mib", "must be less than limit_mib (\(limit))", node)
        }
        if let limit = limiter.limitPercentage, let spike = limiter.spikeLimitPercentage, spike >= limit {
            reader.fail("\(path).spike_limit_percentage", "must be less than limit_percentage (\(limit))", node)
        }
        configuration.memoryLimiter = limiter
    }

    private mutating func parseSLO(_ node: Node, at path: String) {
        var slo = SLOProcessorConfiguration()
        for (key, value) in reader.mapping(node, at: path, allowed: ["definitions", "state_dir", "persist_interval"]) {
            let keyPath = "\(path).\(key)"
            switch key {
            case "definitions":
                slo.definitionFiles = reader.stringList(value, at: keyPath)
            case "state_dir":
                if let directory = reader.string(value, at: keyPath), !directory.isEmpty { slo.stateDirectory = directory }
            default:
                if let interval = duration(value, at: keyPath) {
                    guard interval >= .seconds(1) else {
                        reader.fail(keyPath, "must be at least 1s", value)
                        continue
                    }
                    slo.persistInterval = interval
                }
            }
        }
        // Without definitions (none yet: a team drafting its first SLO) the
        // processor only persists the golden baselines in state_dir.
        guard !slo.definitionFiles.isEmpty else {
            configuration.slo = slo
            return
        }
        do {
            slo.definitions = try OpenSLOLoader.load(patterns: slo.definitionFiles, relativeTo: baseDirectory)
        } catch {
            for problem in error.problems { reader.fail("\(path).definitions", problem, nil) }
            return
        }
        configuration.slo = slo
    }

    private mutating func parseBatch(_ node: Node, at path: String) {
        for (key, value) in reader.mapping(node, at: path, allowed: ["send_batch_size", "timeout", "golden_signals"]) {
            let keyPath = "\(path).\(key)"
            switch key {
            case "send_batch_size":
                if let size = reader.integer(value, at: keyPath, minimum: 1) { configuration.batching.sendBatchSize = size }
            case "golden_signals":
                parseGoldenSignals(value, at: keyPath)
            default:
                if let duration = duration(value, at: keyPath) { configuration.batching.timeout = duration }
            }
        }
    }

    private mutating func parseGoldenSignals(_ node: Node, at path: String) {
        let keys = ["enabled", "http_error_status", "error_type_is_error"]
        for (key, value) in reader.mapping(node, at: path, allowed: keys) {
            let keyPath = "\(path).\(key)"
            switch key {
            case "enabled":
                if let flag = reader.bool(value, at: keyPath) { configuration.goldenSignals.enabled = flag }
            case "http_error_status":
                guard let pattern = reader.string(value, at: keyPath) else { continue }
                guard (try? Regex(pattern)) != nil else {
                    reader.fail(keyPath, "not a valid regular expression: \(pattern)", value)
                    continue
                }
                configuration.goldenSignals.httpErrorStatus = pattern
            default:
                if let flag = reader.bool(value, at: keyPath) { configuration.goldenSignals.errorTypeIsError = flag }
            }
        }
    }

    static let prometheusKeys = [
        "endpoint", "namespace", "const_labels", "translation_strategy", "add_metric_suffixes", "without_scope_info",
        "resource_to_telemetry_conversion", "metric_expiration", "send_timestamps", "enable_open_metrics",
        "max_series", "max_series_per_metric", "max_series_bytes", "shutdown_grace_period", "tls", "max_connections",
        "ui",
    ] + timeoutKeys

    static let timeoutKeys = ["read_header_timeout", "read_timeout", "idle_timeout"]

    /// `tls: { cert_file, key_file, client_ca_file }`; files must exist (paths relative to the file).
    private mutating func tls(_ node: Node, at path: String) -> ListenerTLS? {
        var files: [String: String] = [:]
        for (key, value) in reader.mapping(node, at: path, allowed: ["cert_file", "key_file", "client_ca_file"]) {
            guard let file = reader.string(value, at: "\(path).\(key)") else { continue }
            let resolved = file.hasPrefix("/") ? file : baseDirectory + "/" + file
            guard FileManager.default.isReadableFile(atPath: resolved) else {
                reader.fail("\(path).\(key)", "cannot read \(resolved)", value)
                continue
            }
            files[key] = resolved
        }
        guard let certificate = files["cert_file"], let key = files["key_file"] else {
            reader.fail(path, "cert_file and key_file are required", node)
            return nil
        }
        return ListenerTLS(certificateFile: certificate, keyFile: key, clientCAFile: files["client_ca_file"])
    }

    /// A connection timeout (`0` disables it), or nil when invalid.
    private mutating func timeout(_ node: Node, at path: String) -> TimeAmount?? {
        guard let duration = duration(node, at: path) else { return nil }
        guard duration > .zero else { return .some(nil) }
        return TimeAmount(duration)
    }

    private static func set(_ key: String, _ amount: TimeAmount?, in timeouts: inout ConnectionTimeouts) {
        switch key {
        case "read_header_timeout": timeouts.readHeader = amount
        case "read_timeout": timeouts.read = amount
        default: timeouts.idle = amount
        }
    }

    private mutating func parsePrometheus(_ node: Node, at path: String) {
        var exposition = configuration.exporter.exposition
        var addMetricSuffixes: (Bool, Node)?
        var strategySet = false
        for (key, value) in reader.mapping(node, at: path, allowed: Self.prometheusKeys) {
            let keyPath = "\(path).\(key)"
            switch key {
            case "endpoint":
                if let endpoint = endpoint(value, at: keyPath) { configuration.exporter.endpoint = endpoint }
            case _ where Self.timeoutKeys.contains(key):
                if let amount = timeout(value, at: keyPath) { Self.set(key, amount, in: &configuration.exporter.timeouts) }
            case "namespace":
                guard let namespace = reader.string(value, at: keyPath) else { continue }
                guard Self.isValidNamespace(namespace) else {
                    reader.fail(keyPath, "must match [a-zA-Z_:][a-zA-Z0-9_:]* (or be empty), got \"\(namespace)\"", value)
                    continue
                }
                exposition.namespace = namespace
            case "const_labels":
                var labels: [String: String] = [:]
                for (name, labelValue) in reader.mapping(value, at: keyPath, allowed: nil) {
                    guard PrometheusNames.isLegacyLabelName(name) else {
                        reader.fail("\(keyPath).\(name)", "not a valid Prometheus label name", labelValue)
                        continue
                    }
                    if let text = reader.string(labelValue, at: "\(keyPath).\(name)") { labels[name] = text }
                }
                exposition.constLabels = labels
            case "translation_strategy":
                guard let text = reader.string(value, at: keyPath) else { continue }
                guard let strategy = TranslationStrategy(rawValue: text) else {
                    let valid = TranslationStrategy.allCases.map(\.rawValue).joined(separator: ", ")
                    reader.fail(keyPath, "unknown strategy \"\(text)\" (expected one of: \(valid))", value)
                    continue
                }
                exposition.translationStrategy = strategy
                strategySet = true
            case "add_metric_suffixes":
                if let flag = reader.bool(value, at: keyPath) { addMetricSuffixes = (flag, value) }
            case "without_scope_info":
                if let flag = reader.bool(value, at: keyPath) { exposition.withoutScopeInfo = flag }
            case "resource_to_telemetry_conversion":
                for (setting, flagNode) in reader.mapping(value, at: keyPath, allowed: ["enabled"]) {
                    if let flag = reader.bool(flagNode, at: "\(keyPath).\(setting)") {
                        exposition.resourceToTelemetryConversion = flag
                    }
                }
            case "metric_expiration":
                if let duration = duration(value, at: keyPath) { exposition.metricExpiration = duration }
            case "send_timestamps":
                if let flag = reader.bool(value, at: keyPath) { exposition.sendTimestamps = flag }
            case "tls":
                configuration.exporter.tls = tls(value, at: keyPath)
            case "max_connections":
                if let limit = reader.integer(value, at: keyPath, minimum: 1) { configuration.exporter.maxConnections = limit }
            case "ui":
                if let flag = reader.bool(value, at: keyPath) { configuration.exporter.ui = flag }
            case "shutdown_grace_period":
                if let duration = duration(value, at: keyPath) { configuration.exporter.shutdownGracePeriod = duration }
            case "max_series":
                if let limit = reader.integer(value, at: keyPath, minimum: 1) { exposition.maxSeries = limit }
            case "max_series_per_metric":
                if let limit = reader.integer(value, at: keyPath, minimum: 1) { exposition.maxSeriesPerMetric = limit }
            case "max_series_bytes":
                // Bytes, like max_request_body_size; far below a series' cost is surely a unit slip.
                if let limit = reader.integer(value, at: keyPath, minimum: 1 << 20) { exposition.maxSeriesBytes = limit }
            default:  // enable_open_metrics
                if let flag = reader.bool(value, at: keyPath) { exposition.enableOpenMetrics = flag }
            }
        }
        // The deprecated add_metric_suffixes maps onto translation_strategy, as in the Collector.
        if let (flag, node) = addMetricSuffixes {
            if strategySet {
                reader.fail("\(path).add_metric_suffixes", "cannot be combined with translation_strategy", node)
            } else if !flag {
                exposition.translationStrategy = .underscoreEscapingWithoutSuffixes
            }
            configuration.warnings.append("\(path).add_metric_suffixes is deprecated; use translation_strategy")
        }
        configuration.exporter.exposition = exposition
    }

    mutating func duration(_ node: Node, at path: String) -> Duration? {
        guard let text = reader.string(node, at: path) else { return nil }
        guard let duration = DurationText.parse(text) else {
            reader.fail(path, "expected a duration such as 200ms, 5m or 1h, got \"\(text)\"", node)
            return nil
        }
        return duration
    }

    private mutating func endpoint(_ node: Node, at path: String) -> Endpoint? {
        guard let text = reader.string(node, at: path) else { return nil }
        guard let endpoint = Endpoint(parsing: text) else {
            reader.fail(path, "expected host:port (e.g. 0.0.0.0:4318), got \"\(text)\"", node)
            return nil
        }
        return endpoint
    }

    /// A namespace is empty or a legacy metric name, as it prefixes every metric name.
    static func isValidNamespace(_ text: String) -> Bool {
        text.isEmpty || PrometheusNames.isLegacyMetricName(text)
    }
}
