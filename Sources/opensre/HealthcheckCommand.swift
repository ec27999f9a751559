import ArgumentParser
import Foundation

/// `opensre healthcheck`: GETs `/healthz` (or another path) on a local port and
/// exits 0 on a 200 — for the container's HEALTHCHECK, where no curl is installed.
struct HealthcheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck", abstract: "Exit 0 if the collector answers 200 on a health endpoint.")

    @Option(name: .long, help: "Port to probe (the exporter's by default).")
    var port = 8889

    @Option(name: .long, help: "Path to probe.")
    var path = "/healthz"

    @Option(name: .long, help: "Seconds to wait for the answer.")
    var timeout = 2

    func run() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw ExitCode(1) }
        defer { close(socket) }
        var time = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            printError("healthcheck: cannot connect to 127.0.0.1:\(port)")
            throw ExitCode(1)
        }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard send(socket, request, request.count, 0) == request.count else { throw ExitCode(1) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = recv(socket, &buffer, buffer.count, 0)
        let status = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
        guard status.hasPrefix("HTTP/1.1 200") else {
            printError("healthcheck: \(path) answered \(status.split(separator: "\r").first ?? "nothing")")
            throw ExitCode(1)
        }
    }
}
