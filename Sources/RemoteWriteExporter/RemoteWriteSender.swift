import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOSSL

/// Posts remote-write requests over AsyncHTTPClient (a pooled connection
/// per shard in flight, TLS, HTTP/2 where the receiver offers it) with the
/// protocol's headers and the user's, and reports how each attempt ended.
package final class RemoteWriteSender: Sendable {
    private let client: HTTPClient
    private let endpoint: String
    private let headers: HTTPHeaders
    private let timeout: TimeAmount

    /// The version header of remote write 1.0.
    static let protocolVersion = "0.1.0"
    static let userAgent = "OpenSRE/0.1"
    /// How much of an error answer's body is kept for the log (as Prometheus does).
    static let errorTextLimit = 1024

    /// - Parameter group: event loops for the connections (the collector's).
    package init(configuration: RemoteWriteConfiguration, group: any EventLoopGroup) throws {
        var clientConfiguration = HTTPClient.Configuration()
        let timeout = TimeAmount(configuration.timeout)
        // A receiver that accepts and then goes silent is a timeout too, not a hung sender.
        clientConfiguration.timeout = HTTPClient.Configuration.Timeout(connect: timeout, read: timeout)
        clientConfiguration.redirectConfiguration = .disallow
        if configuration.endpoint.lowercased().hasPrefix("https://") {
            clientConfiguration.tlsConfiguration = try Self.tlsConfiguration(configuration.tls)
        }
        client = HTTPClient(eventLoopGroup: group, configuration: clientConfiguration)
        endpoint = configuration.endpoint
        self.timeout = timeout
        var headers = HTTPHeaders()
        for (name, value) in configuration.headers.sorted(by: { $0.key < $1.key }) { headers.add(name: name, value: value) }
        headers.add(name: "Content-Encoding", value: "snappy")
        headers.add(name: "Content-Type", value: "application/x-protobuf")
        headers.add(name: "X-Prometheus-Remote-Write-Version", value: Self.protocolVersion)
        headers.add(name: "User-Agent", value: Self.userAgent)
        self.headers = headers
    }

    static func tlsConfiguration(_ tls: RemoteWriteConfiguration.ClientTLS) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile = tls.caFile {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        }
        if let certFile = tls.certFile, let keyFile = tls.keyFile {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certFile).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
        }
        if tls.insecureSkipVerify { configuration.certificateVerification = .none }
        return configuration
    }

    /// One attempt: the answer, with the first line of an error's body.
    package func post(_ body: [UInt8]) async -> (answer: RemoteWriteRetryPolicy.Answer, code: String, text: String) {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers = headers
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: timeout)
            let status = Int(response.status.code)
            var text = ""
            if !(200..<300).contains(status) {
                var collected = ByteBuffer()
                for try await chunk in response.body {
                    var chunk = chunk
                    if collected.readableBytes < Self.errorTextLimit {
                        collected.writeBuffer(&chunk)
                    }
                }
                let line = collected.readableBytesView.prefix(Self.errorTextLimit).split(separator: UInt8(ascii: "\n")).first
                text = line.map { String(decoding: $0, as: UTF8.self) } ?? ""
            } else {
                // The body means nothing on success (the spec: ignore it); read it so the connection is reused.
                for try await _ in response.body {}
            }
            return (.status(status, retryAfter: response.headers.first(name: "Retry-After")), String(status), text)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return (.noAnswer("timed out after \(timeout)"), "timeout", "")
        } catch {
            return (.noAnswer("\(error)"), "error", "")
        }
    }

    package func shutdown() async {
        try? await client.shutdown()
    }
}
