import NIOSSL

/// TLS for a listener (`tls:` under the receiver's `http` or the exporter,
/// with the Collector's keys). Off unless configured.
package struct ListenerTLS: Sendable, Equatable {
    /// `cert_file`: the PEM certificate chain.
    package var certificateFile: String
    /// `key_file`: the PEM private key.
    package var keyFile: String
    /// `client_ca_file`: when set, clients must present a certificate signed by it (mutual TLS).
    package var clientCAFile: String?

    package init(certificateFile: String, keyFile: String, clientCAFile: String? = nil) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.clientCAFile = clientCAFile
    }

    /// Loads the files into a TLS context; throws with a readable reason.
    /// - Parameter applicationProtocols: offered by ALPN (`h2` first where
    ///   gRPC is served, so that gRPC clients, which require it, get HTTP/2).
    package func makeContext(applicationProtocols: [String] = []) throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = applicationProtocols
        if let clientCAFile {
            configuration.trustRoots = .file(clientCAFile)
            configuration.certificateVerification = .noHostnameVerification
        }
        return try NIOSSLContext(configuration: configuration)
    }
}
