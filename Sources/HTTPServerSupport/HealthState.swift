import NIOCore
import NIOHTTP1
import Synchronization

/// Liveness and readiness, served as `GET /healthz` and `GET /readyz` on both
/// listeners (so a probe can use either port).
///
/// `/healthz` answers 200 while the process serves at all. `/readyz` answers
/// 200 once every listener is bound and until shutdown begins, 503 otherwise,
/// so Kubernetes stops routing to a pod that is draining.
package final class HealthState: Sendable {
    private let ready = Atomic<Bool>(false)

    package init() {}

    package var isReady: Bool { ready.load(ordering: .acquiring) }

    package func markReady() { ready.store(true, ordering: .releasing) }

    package func markNotReady() { ready.store(false, ordering: .releasing) }

    /// The answer to a health probe, or nil when `head` is not one.
    package func response(to head: HTTPRequestHead) -> HTTPResponse? {
        let path = RequestPath.of(head.uri)
        guard path == "/healthz" || path == "/readyz" else { return nil }
        guard head.method == .GET || head.method == .HEAD else {
            return .text(.methodNotAllowed, "use GET", headers: ["Allow": "GET, HEAD"])
        }
        if path == "/healthz" { return .text(.ok, "ok") }
        return isReady ? .text(.ok, "ready") : .text(.serviceUnavailable, "not ready")
    }
}
