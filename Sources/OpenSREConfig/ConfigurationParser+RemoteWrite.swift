import Foundation
import OpenSREPipeline
import PrometheusExposition
import RemoteWriteExporter
import Yams

/// `exporters.prometheusremotewrite`: the Collector's keys, checked as
/// strictly as the rest of the file.
extension ConfigurationParser {
    static let remoteWriteKeys = [
        "endpoint", "headers", "tls", "timeout", "compression", "namespace", "external_labels",
        "resource_to_telemetry_conversion", "target_info", "send_metadata", "max_batch_size_bytes",
        "remote_write_queue", "retry_on_failure", "wal", "export_interval",
    ]

    /// `besidePrometheus`: the key path of the `prometheus` exporter in the
    /// same pipeline, whose names both exporters then share.
    mutating func parseRemoteWrite(_ node: Node, at path: String, besidePrometheus: String?) {
        var settings = RemoteWriteConfiguration(endpoint: "")
        var endpointNode: Node?
        var insecure: (Bool, Node)?
        for (key, value) in reader.mapping(node, at: path, allowed: Self.remoteWriteKeys) {
            let keyPath = "\(path).\(key)"
            switch key {
            case "endpoint":
                endpointNode = value
                if let url = remoteEndpoint(value, at: keyPath) { settings.endpoint = url }
            case "headers":
                settings.headers = headers(value, at: keyPath)
            case "tls":
                (settings.tls, insecure) = clientTLS(value, at: keyPath)
            case "timeout":
                if let duration = positiveDuration(value, at: keyPath) { settings.timeout = duration }
            case "compression":
                if let text = reader.string(value, at: keyPath), !["", "snappy"].contains(text) {
                    reader.fail(keyPath, "remote write is always snappy-compressed, got \"\(text)\"", value)
                }
            case "namespace":
                guard let text = reader.string(value, at: keyPath) else { continue }
                guard Self.isValidNamespace(text) else {
                    reader.fail(keyPath, "must match [a-zA-Z_:][a-zA-Z0-9_:]* (or be empty), got \"\(text)\"", value)
                    continue
                }
                shareTranslation(
                    value, at: keyPath, beside: besidePrometheus, key: key,
                    differs: configuration.exporter.exposition.namespace != text
                ) { $0.namespace = text }
            case "resource_to_telemetry_conversion":
                guard let flag = enabledFlag(value, at: keyPath) else { continue }
                shareTranslation(
                    value, at: keyPath, beside: besidePrometheus, key: key,
                    differs: configuration.exporter.exposition.resourceToTelemetryConversion != flag
                ) { $0.resourceToTelemetryConversion = flag }
            case "external_labels":
                settings.externalLabels = externalLabels(value, at: keyPath)
            case "target_info":
                if let flag = enabledFlag(value, at: keyPath) { settings.targetInfo = flag }
            case "send_metadata":
                if let flag = reader.bool(value, at: keyPath) { settings.sendMetadata = flag }
            case "max_batch_size_bytes":
                // 0 means the default, as in the Collector.
                if let bytes = reader.integer(value, at: keyPath, minimum: 0) {
                    settings.maxBatchBytes = bytes == 0 ? 3_000_000 : bytes
                }
            case "remote_write_queue":
                settings.queue = remoteWriteQueue(value, at: keyPath)
            case "retry_on_failure":
                settings.retry = retryOnFailure(value, at: keyPath)
            case "wal":
                settings.wal = writeAheadLog(value, at: keyPath)
            default:  // export_interval
                if let duration = positiveDuration(value, at: keyPath) { settings.exportInterval = duration }
            }
        }
        if endpointNode == nil { reader.fail("\(path).endpoint", "missing: the receiver's URL is required", node) }
        if let (flag, flagNode) = insecure, flag, settings.endpoint.hasPrefix("https://") {
            reader.fail(
                "\(path).tls.insecure", "an https:// endpoint always uses TLS; use an http:// endpoint for plain text",
                flagNode)
        }
        configuration.remoteWrite = settings
    }

    /// A key that changes how names are translated: both exporters show one
    /// translation, so beside `prometheus` it must agree with that
    /// exporter's (or be left out); alone it sets the translation.
    private mutating func shareTranslation(
        _ node: Node, at keyPath: String, beside prometheus: String?, key: String, differs: Bool,
        apply: (inout ExpositionSettings) -> Void
    ) {
        guard differs else { return }
        guard let prometheus else {
            apply(&configuration.exporter.exposition)
            return
        }
        reader.fail(
            keyPath,
            "differs from \(prometheus).\(key): the scrape and remote write send one translation of the data; leave it out here to use the prometheus exporter's",
            node)
    }

    private mutating func remoteEndpoint(_ node: Node, at path: String) -> String? {
        guard let text = reader.string(node, at: path) else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty
        else {
            reader.fail(path, "expected an http:// or https:// URL (e.g. http://prometheus:9090/api/v1/write), got \"\(text)\"", node)
            return nil
        }
        return text
    }

    private mutating func headers(_ node: Node, at path: String) -> [String: String] {
        var headers: [String: String] = [:]
        for (name, value) in reader.mapping(node, at: path, allowed: nil) {
            let keyPath = "\(path).\(name)"
            guard let text = reader.string(value, at: keyPath) else { continue }
            if RemoteWriteConfiguration.reservedHeaders.contains(name.lowercased()) {
                reader.fail(keyPath, "set by the remote-write protocol; it cannot be overridden", value)
            } else if name.isEmpty || !name.utf8.allSatisfy(Self.isHeaderNameByte) {
                reader.fail(keyPath, "not a valid HTTP header name", value)
            } else if text.contains(where: { $0 == "\r" || $0 == "\n" }) {
                reader.fail(keyPath, "a header value cannot contain a line break", value)
            } else {
                headers[name] = text
            }
        }
        return headers
    }

    /// RFC 9110 token characters.
    private static func isHeaderNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    private mutating func externalLabels(_ node: Node, at path: String) -> [String: String] {
        var labels: [String: String] = [:]
        for (name, value) in reader.mapping(node, at: path, allowed: nil) {
            let keyPath = "\(path).\(name)"
            guard let text = reader.string(value, at: keyPath) else { continue }
            if !PrometheusNames.isLegacyLabelName(name) || name.hasPrefix("__") {
                reader.fail(keyPath, "not a valid label name (names starting with __ are reserved)", value)
            } else if text.isEmpty {
                reader.fail(keyPath, "a label value cannot be empty (remote write drops such labels)", value)
            } else {
                labels[name] = text
            }
        }
        return labels
    }

    private mutating func clientTLS(
        _ node: Node, at path: String
    ) -> (RemoteWriteConfiguration.ClientTLS, insecure: (Bool, Node)?) {
        var tls = RemoteWriteConfiguration.ClientTLS()
        var insecure: (Bool, Node)?
        let keys = ["ca_file", "cert_file", "key_file", "insecure", "insecure_skip_verify", "server_name_override"]
        for (key, value) in reader.mapping(node, at: path, allowed: keys) {
            let keyPath = "\(path).\(key)"
            switch key {
            case "insecure":
                if let flag = reader.bool(value, at: keyPath) { insecure = (flag, value) }
            case "insecure_skip_verify":
                if let flag = reader.bool(value, at: keyPath) { tls.insecureSkipVerify = flag }
            case "server_name_override":
                tls.serverNameOverride = reader.string(value, at: keyPath)
            default:
                guard let file = reader.string(value, at: keyPath) else { continue }
                let resolved = file.hasPrefix("/") ? file : baseDirectory + "/" + file
                guard FileManager.default.isReadableFile(atPath: resolved) else {
                    reader.fail(keyPath, "cannot read \(resolved)", value)
                    continue
                }
                switch key {
                case "ca_file": tls.caFile = resolved
                case "cert_file": tls.certFile = resolved
                default: tls.keyFile = resolved
                }
            }
        }
        if (tls.certFile == nil) != (tls.keyFile == nil) {
            reader.fail(path, "cert_file and key_file go together (a client certificate needs its key)", node)
        }
        return (tls, insecure)
    }

    private mutating func remoteWriteQueue(_ node: Node, at path: String) -> RemoteWriteConfiguration.Queue {
        var queue = RemoteWriteConfiguration.Queue()
        for (key, value) in reader.mapping(node, at: path, allowed: ["enabled", "queue_size", "num_consumers"]) {
            let keyPath = "\(path).\(key)"
            switch key {
            case "enabled":
                if let flag = reader.bool(value, at: keyPath) { queue.enabled = flag }
            case "queue_size":
                if let size = reader.integer(value, at: keyPath, minimum: 0) {
                    if size == 0 { reader.fail(keyPath, "a queue of size 0 would drop everything", value) }
                    queue.size = size
                }
            default:
                if let consumers = reader.integer(value, at: keyPath, minimum: 1, maximum: 256) { queue.consumers = consumers }
            }
        }
        return queue
    }

    private mutating func retryOnFailure(_ node: Node, at path: String) -> RemoteWriteRetryPolicy {
        var retry = RemoteWriteRetryPolicy()
        let keys = ["enabled", "initial_interval", "max_interval", "max_elapsed_time"]
        for (key, value) in reader.mapping(node, at: path, allowed: keys) {
            let keyPath = "\(path).\(key)"
            switch key {
            case "enabled":
                if let flag = reader.bool(value, at: keyPath) { retry.enabled = flag }
            case "initial_interval":
                if let duration = positiveDuration(value, at: keyPath) { retry.initialInterval = duration }
            case "max_interval":
                if let duration = positiveDuration(value, at: keyPath) { retry.maxInterval = duration }
            default:  // max_elapsed_time: 0 retries for ever
                if let duration = duration(value, at: keyPath) { retry.maxElapsedTime = duration }
            }
        }
        if retry.maxInterval < retry.initialInterval {
            reader.fail("\(path).max_interval", "must be at least initial_interval", node)
        }
        return retry
    }

    private mutating func writeAheadLog(_ node: Node, at path: String) -> RemoteWriteConfiguration.WAL? {
        var directory: String?
        var wal = RemoteWriteConfiguration.WAL(directory: "")
        let keys = ["directory", "buffer_size", "truncate_frequency", "max_size_bytes"]
        for (key, value) in reader.mapping(node, at: path, allowed: keys) {
            let keyPath = "\(path).\(key)"
            switch key {
            case "directory":
                guard let text = reader.string(value, at: keyPath) else { continue }
                if text.isEmpty { reader.fail(keyPath, "cannot be empty", value) }
                directory = text.hasPrefix("/") ? text : baseDirectory + "/" + text
            case "buffer_size":
                if let size = reader.integer(value, at: keyPath, minimum: 1) { wal.bufferSize = size }
            case "truncate_frequency":
                if let duration = positiveDuration(value, at: keyPath) { wal.truncateFrequency = duration }
            default:  // max_size_bytes: far below a request's size is surely a unit slip
                if let bytes = reader.integer(value, at: keyPath, minimum: 1 << 20) { wal.maxBytes = bytes }
            }
        }
        guard let directory else {
            reader.fail("\(path).directory", "missing: the WAL needs a directory", node)
            return nil
        }
        wal.directory = directory
        return wal
    }

    /// `{ enabled: bool }`.
    private mutating func enabledFlag(_ node: Node, at path: String) -> Bool? {
        var flag: Bool?
        for (key, value) in reader.mapping(node, at: path, allowed: ["enabled"]) {
            flag = reader.bool(value, at: "\(path).\(key)")
        }
        return flag
    }

    private mutating func positiveDuration(_ node: Node, at path: String) -> Duration? {
        guard let duration = duration(node, at: path) else { return nil }
        guard duration > .zero else {
            reader.fail(path, "must be greater than 0", node)
            return nil
        }
        return duration
    }
}
