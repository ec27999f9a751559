// swift-tools-version:6.1
// OpenSRE: an OTLP (HTTP and gRPC) metrics collector with a Prometheus exporter.
//
// Target graph (one way, data model at the bottom):
//   COTLP, CZlib, CZstd, CSnappy      C: protoc-c output + arena allocator; zlib, zstd and snappy shims
//   OpenSREModel                      attributes, decoded batches, hashing
//   OTLPDecoding      -> COTLP, CZlib, OpenSREModel
//   PrometheusExposition -> OpenSREModel   naming, label text, text-format writer
//   OpenSRESLO        -> OpenSREModel, PrometheusExposition, Yams   OpenSLO, budgets, slots, rules
//   OpenSREPipeline   -> OpenSREModel, PrometheusExposition, OpenSRESLO   rings, batch processor, series store
//   HTTPServerSupport -> NIO, NIOHTTP2   binding, protocol detection, quiescing, response helpers
//   OTLPReceiver      -> OTLPDecoding, OpenSREPipeline, HTTPServerSupport   POST /v1/metrics, MetricsService/Export
//   PrometheusExporter -> OpenSREPipeline, HTTPServerSupport                 GET /metrics
//   RemoteWriteExporter -> OpenSREPipeline, COTLP, CSnappy, CZlib, AsyncHTTPClient  remote write: encoding, queues, WAL, delivery
//   OpenSREConfig     -> the components above + Yams   the YAML file, validated
//   OpenSRECollector  -> all of the above + ServiceLifecycle   wiring
//   opensre           -> OpenSRECollector + ArgumentParser     the executable
import PackageDescription

let package = Package(
    name: "opensre",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "opensre", targets: ["opensre"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .target(
            name: "COTLP",
            linkerSettings: [.linkedLibrary("protobuf-c")]
        ),
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CZstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .systemLibrary(
            name: "CSnappy",
            providers: [.apt(["libsnappy-dev"])]
        ),
        .target(name: "CMallocTuning"),
        .target(name: "OpenSREModel", dependencies: ["CMallocTuning"]),
        .target(
            name: "OTLPDecoding",
            dependencies: ["COTLP", "CZlib", "CZstd", "OpenSREModel"]
        ),
        .target(
            name: "PrometheusExposition",
            dependencies: ["OpenSREModel", "CZlib"]
        ),
        .target(
            name: "OpenSRESLO",
            dependencies: [
                "OpenSREModel", "PrometheusExposition", "CZlib",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "OpenSREPipeline",
            dependencies: [
                "OpenSREModel", "PrometheusExposition", "OpenSRESLO",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "HTTPServerSupport",
            dependencies: [
                "OpenSREModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "OTLPReceiver",
            dependencies: [
                "OTLPDecoding", "OpenSREPipeline", "HTTPServerSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "StatusPages", dependencies: ["OpenSREPipeline", "OpenSRESLO"]),
        .target(
            name: "PrometheusExporter",
            dependencies: [
                "OpenSREPipeline", "OpenSRESLO", "StatusPages", "HTTPServerSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "RemoteWriteExporter",
            dependencies: [
                "COTLP", "CSnappy", "CZlib", "OpenSREModel", "PrometheusExposition", "OpenSREPipeline", "HTTPServerSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "OpenSREConfig",
            dependencies: [
                "OpenSREModel", "OpenSREPipeline", "OTLPReceiver", "PrometheusExporter", "PrometheusExposition",
                "OpenSRESLO", "HTTPServerSupport", "RemoteWriteExporter",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "OpenSRECollector",
            dependencies: [
                "OpenSREConfig", "OTLPReceiver", "PrometheusExporter", "OpenSREPipeline", "HTTPServerSupport",
                "RemoteWriteExporter",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "opensre",
            dependencies: [
                "OpenSRECollector", "OpenSREConfig", "OpenSREModel", "OpenSRESLO",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "OpenSRETestSupport",
            dependencies: [
                "OpenSREPipeline",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "OpenSREModelTests", dependencies: ["OpenSREModel"]),
        .testTarget(name: "OTLPDecodingTests", dependencies: ["OTLPDecoding", "COTLP", "OpenSRETestSupport"]),
        .testTarget(name: "PrometheusExpositionTests", dependencies: ["PrometheusExposition"]),
        .testTarget(name: "StatusPagesTests", dependencies: ["StatusPages", "OpenSREPipeline", "OpenSRESLO"]),
        .testTarget(
            name: "PrometheusExporterTests",
            dependencies: [
                "PrometheusExporter", "OpenSREPipeline", "HTTPServerSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),
        .testTarget(
            name: "OpenSREPipelineTests",
            dependencies: ["OpenSREPipeline", "OTLPDecoding", "OpenSRETestSupport", "OpenSRESLO", "PrometheusExposition"]),
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["OpenSREPipeline", "OTLPDecoding", "PrometheusExposition", "OpenSREModel"]
        ),
        .testTarget(
            name: "OpenSRESLOTests",
            dependencies: [
                "OpenSRESLO", "OpenSREModel", "PrometheusExposition", "OpenSRETestSupport", .product(name: "Yams", package: "Yams"),
            ]),
        .testTarget(
            name: "OpenSREConfigTests",
            dependencies: [
                "OpenSREConfig", "PrometheusExposition", "OTLPReceiver", "RemoteWriteExporter",
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        .testTarget(
            name: "OTLPReceiverTests",
            dependencies: [
                "OTLPReceiver", "OpenSRETestSupport", "OTLPDecoding", "OpenSREModel", "HTTPServerSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
            ]
        ),
        .testTarget(
            name: "RemoteWriteExporterTests",
            dependencies: [
                "RemoteWriteExporter", "COTLP", "OpenSREPipeline", "OTLPDecoding", "PrometheusExposition",
                "OpenSRETestSupport",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "OpenSRECollector", "OpenSREConfig", "OpenSRETestSupport", "OTLPDecoding", "OpenSREPipeline",
                "RemoteWriteExporter", "OpenSRESLO",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: [
                "sdk_client.py", "sdk_stream_client.py", "sdk_slo_client.py", "sdk_delta_idle_client.py", "flask_app.py",
                "flask_spans_app.py",
                "grpc_client.py", "sdk_remote_write_client.py",
                "make_hostile.py",
            ]
        ),
    ]
)

// The libFuzzer target for the in-process pipeline (decode, apply, render) exists only when asked for
// (OPENSRE_FUZZ=1), so normal builds and tests do not pay for it; see .ci/fuzz.
if Context.environment["OPENSRE_FUZZ"] == "1" {
    package.targets.append(
        .executableTarget(
            name: "OTLPDecodeFuzzer",
            dependencies: ["OTLPDecoding", "OpenSREModel", "OpenSREPipeline", "OpenSRESLO"],
            path: "Tests/Fuzz",
            exclude: ["lsan.supp"],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ))
}

// Benchmarks (see Benchmarks/README.md) exist only when asked for
// (OPENSRE_BENCHMARKS=1): the load generator, the micro benchmarks and the
// allocation counter they link. Normal builds neither resolve nor build them.
if Context.environment["OPENSRE_BENCHMARKS"] == "1" {
    package.dependencies.append(
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.1.0"))
    package.targets += [
        .target(name: "CMallocCounter", path: "Benchmarks/Sources/CMallocCounter"),
        .executableTarget(
            name: "opensre-loadgen",
            dependencies: [
                "OTLPDecoding",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
            ],
            path: "Benchmarks/Sources/LoadGenerator"
        ),
        .executableTarget(
            name: "opensre-bench",
            dependencies: [
                "CMallocCounter", "OTLPDecoding", "OpenSREModel", "OpenSREPipeline", "PrometheusExposition",
                // decode.traces.unpack: protobuf-c alone, the floor under decode.traces.
                "COTLP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // The per-call cases (grpc.call.10points, http.call.10points).
                "OTLPReceiver",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                // remotewrite.encode.*: encode + snappy of a store's series.
                "RemoteWriteExporter",
            ],
            path: "Benchmarks/Sources/MicroBenchmarks"
        ),
    ]
}

// The grpc-swift 2 baseline server the OTLP/gRPC receiver was measured
// against (Benchmarks/grpc_load.sh, RESULTS.md "OTLP/gRPC"): only with
// OPENSRE_GRPC_BASELINE=1, since grpc-swift and its TLS stack take tens of
// minutes to build here.
if Context.environment["OPENSRE_GRPC_BASELINE"] == "1" {
    package.dependencies += [
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
    ]
    package.targets.append(
        .executableTarget(
            name: "opensre-grpc-swift-baseline",
            dependencies: [
                "OTLPDecoding",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
            ],
            path: "Benchmarks/Sources/GRPCSwiftBaseline"
        ))
}
