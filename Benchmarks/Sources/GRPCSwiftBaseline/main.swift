// A grpc-swift 2 baseline for the OTLP/gRPC receiver decision: grpc-swift does
// the transport (h2c, framing, gzip), our libprotobuf-c decoder does the work,
// and nothing goes on to the pipeline. Measured with Benchmarks/grpc_load.sh.
//
//   opensre-grpc-swift-baseline [PORT] [--no-decode] [--target-window=BYTES]
//
// PORT defaults to 4417. --no-decode skips decoding (the message bytes are only
// counted), to isolate what grpc-swift itself costs per RPC. The thread CPU
// time spent inside the decoder is summed (decode_cpu_us) to split the two in
// the same run. --target-window
// sets the HTTP/2 window the server offers (grpc-swift's default: 65535 bytes). SIGTERM/SIGINT print
// the calls and points handled and exit.
//
// The method is registered by hand with RPCRouter.registerHandler (no
// swift-protobuf, no generated code): the deserializer hands the message bytes
// to OTLPProtobufDecoder and the response is an empty ExportMetricsServiceResponse
// (zero bytes).
import Dispatch
import GRPCCore
import GRPCNIOTransportHTTP2
import Glibc
import OTLPDecoding
import Synchronization

let arguments = CommandLine.arguments.dropFirst()
let decodes = !arguments.contains("--no-decode")
let port = arguments.first(where: { !$0.hasPrefix("--") }).flatMap { Int($0) } ?? 4417
let targetWindow = arguments.first(where: { $0.hasPrefix("--target-window=") })
    .flatMap { Int($0.dropFirst("--target-window=".count)) }

/// What the deserializer hands the handler: counts only (the batch is dropped
/// where the real receiver would push it into its ring).
struct ExportSummary: Sendable {
    var points: Int
    var rejected: Int
}

/// Decoders are not thread-safe and the deserializer runs on whichever
/// cooperative-pool thread runs the RPC's task, so each call takes a decoder
/// from this pool (creating one when all are in use) and puts it back: as many
/// decoders as RPCs ever decoded at once, each used by one thread at a time.
final class DecoderPool: @unchecked Sendable {
    private final class Box: @unchecked Sendable {
        let decoder = OTLPProtobufDecoder()
    }
    private let free = Mutex<[Box]>([])
    let created = Atomic<Int>(0)

    func withDecoder<R>(_ body: (OTLPProtobufDecoder) throws -> R) rethrows -> R {
        let box =
            free.withLock { $0.popLast() }
            ?? {
                created.add(1, ordering: .relaxed)
                return Box()
            }()
        defer { free.withLock { $0.append(box) } }
        return try body(box.decoder)
    }
}

let pool = DecoderPool()
let calls = Atomic<Int>(0)
let points = Atomic<Int>(0)
let messageBytes = Atomic<Int>(0)
/// Thread CPU time spent in OTLPProtobufDecoder.decode, to split decode from transport.
let decodeNanoseconds = Atomic<Int>(0)

func threadCPUNanoseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return now.tv_sec * 1_000_000_000 + now.tv_nsec
}

struct ExportDeserializer: MessageDeserializer {
    let decodes: Bool

    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> ExportSummary {
        messageBytes.add(serializedMessageBytes.count, ordering: .relaxed)
        guard decodes else { return ExportSummary(points: 0, rejected: 0) }
        return try serializedMessageBytes.withUnsafeBytes { body in
            try pool.withDecoder { decoder in
                let start = threadCPUNanoseconds()
                defer { decodeNanoseconds.add(threadCPUNanoseconds() - start, ordering: .relaxed) }
                do {
                    let result = try decoder.decode(body)
                    return ExportSummary(points: result.batch.pointCount, rejected: result.rejected.count)
                } catch {
                    throw RPCError(code: .invalidArgument, message: "cannot decode the request: \(error)")
                }
            }
        }
    }
}

/// An empty ExportMetricsServiceResponse: no partial_success, zero bytes.
struct EmptyResponse: Sendable {}

struct EmptyResponseSerializer: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: EmptyResponse) throws -> Bytes {
        Bytes(repeating: 0, count: 0)
    }
}

let transport = HTTP2ServerTransport.Posix(
    address: .ipv4(host: "0.0.0.0", port: port),
    transportSecurity: .plaintext,
    config: .defaults { config in
        config.rpc.maxRequestPayloadSize = 64 << 20
        config.compression.enabledAlgorithms = .gzip
        if let targetWindow { config.http2.targetWindowSize = targetWindow }
    }
)

var router = RPCRouter<HTTP2ServerTransport.Posix>()
router.registerHandler(
    forMethod: MethodDescriptor(
        fullyQualifiedService: "opentelemetry.proto.collector.metrics.v1.MetricsService", method: "Export"),
    deserializer: ExportDeserializer(decodes: decodes),
    serializer: EmptyResponseSerializer(),
    handler: { stream, _ in
        let request = try await ServerRequest(stream: stream)
        calls.add(1, ordering: .relaxed)
        points.add(request.message.points, ordering: .relaxed)
        return StreamingServerResponse(single: ServerResponse(message: EmptyResponse()))
    }
)

let server = GRPCServer(transport: transport, router: router)

func report() -> String {
    "calls=\(calls.load(ordering: .relaxed)) points=\(points.load(ordering: .relaxed)) "
        + "message_bytes=\(messageBytes.load(ordering: .relaxed)) decoders=\(pool.created.load(ordering: .relaxed)) "
        + "decode_cpu_us=\(decodeNanoseconds.load(ordering: .relaxed) / 1000)"
}

var signalSources: [any DispatchSourceSignal] = []
for signalNumber in [SIGTERM, SIGINT] {
    signal(signalNumber, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
    source.setEventHandler { @Sendable in
        print("opensre-grpc-swift-baseline: stopping: \(report())")
        fflush(nil)
        exit(0)
    }
    source.resume()
    signalSources.append(source)
}

print("opensre-grpc-swift-baseline: h2c on port \(port), decode \(decodes ? "on" : "off (--no-decode)"), "
    + "target window \(targetWindow.map(String.init) ?? "default")")
fflush(nil)
try await server.serve()
