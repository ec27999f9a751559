/// `exporters.prometheusremotewrite`: the Collector's keys and defaults, plus
/// `export_interval` (OpenSRE sends the accumulated state on a timer, as a
/// scrape would read it, rather than each batch as it arrives).
package struct RemoteWriteConfiguration: Sendable, Equatable {
    /// `endpoint` (required): the receiver's URL, `http://` or `https://`.
    package var endpoint: String
    /// `headers`: added to every request (a bearer token, `X-Scope-OrgID`).
    /// The protocol's own headers (``reservedHeaders``) cannot be set.
    package var headers: [String: String] = [:]
    /// `tls`: how an `https://` endpoint is trusted.
    package var tls = ClientTLS()
    /// `timeout`, default 5s: one attempt's limit, connection included.
    package var timeout: Duration = .seconds(5)
    /// `external_labels`: added to every series that lacks the label.
    package var externalLabels: [String: String] = [:]
    /// `target_info.enabled`, default true.
    package var targetInfo = true
    /// `send_metadata`, default false: each family's type, help and unit.
    package var sendMetadata = false
    /// `max_batch_size_bytes`, default 3000000: a request's most protobuf bytes.
    package var maxBatchBytes = 3_000_000
    /// `remote_write_queue`.
    package var queue = Queue()
    /// `retry_on_failure`.
    package var retry = RemoteWriteRetryPolicy()
    /// `wal`, when set: the queue lives on disk.
    package var wal: WAL?
    /// `export_interval` (OpenSRE's), default 15s: how often the state is sent.
    package var exportInterval: Duration = .seconds(15)

    /// Headers the protocol sets; `headers` may not name them (any case).
    package static let reservedHeaders = [
        "content-encoding", "content-type", "x-prometheus-remote-write-version", "user-agent",
    ]

    package init(endpoint: String) {
        self.endpoint = endpoint
    }

    /// `remote_write_queue`.
    package struct Queue: Sendable, Equatable {
        /// `enabled`, default true. When false an export waits until its
        /// requests are delivered (or given up) before the next one is taken.
        package var enabled = true
        /// `queue_size`, default 10000: most requests waiting in memory
        /// (spread over the shards); past it the oldest is dropped.
        package var size = 10_000
        /// `num_consumers`, default 5: shards, each sending in order.
        package var consumers = 5

        package init() {}
    }

    /// `wal`.
    package struct WAL: Sendable, Equatable {
        /// `directory` (required): one subdirectory per shard.
        package var directory: String
        /// `buffer_size`, default 300: accepted for the Collector's shape;
        /// OpenSRE reads records from disk as its senders need them.
        package var bufferSize = 300
        /// `truncate_frequency`, default 1m: how often delivered records are
        /// deleted from disk (and the log synced).
        package var truncateFrequency: Duration = .seconds(60)
        /// `max_size_bytes` (OpenSRE's), default 512 MiB: the log's bound
        /// across shards; past it the oldest records are dropped and counted.
        package var maxBytes = 512 << 20

        package init(directory: String) {
            self.directory = directory
        }
    }

    /// `tls` of an outgoing connection (the Collector's client keys).
    package struct ClientTLS: Sendable, Equatable {
        /// `ca_file`: trust these roots instead of the system's.
        package var caFile: String?
        /// `cert_file` and `key_file`: a client certificate (mutual TLS).
        package var certFile: String?
        package var keyFile: String?
        /// `insecure_skip_verify`, default false: accept any certificate.
        package var insecureSkipVerify = false
        /// `server_name_override`: the name checked in the certificate and sent as SNI.
        package var serverNameOverride: String?

        package init() {}
    }
}
