import OpenSREModel
import Synchronization
import Testing

@Suite("Span cardinality guard")
struct SpanCardinalityGuardTests {
    private static let second: UInt64 = 1_000_000_000

    /// Admits `keys` for `service`; returns which were admitted.
    private static func admit(_ guardian: SpanCardinalityGuard, _ service: String, _ keys: [UInt64]) -> [Bool] {
        var admitted = [Bool](repeating: true, count: keys.count)
        Array(service.utf8).withUnsafeBytes { name in
            guardian.admit(service: name, keys: keys, spans: keys.map { _ in 1 }, admitted: &admitted)
        }
        return admitted
    }

    @Test("known keys stay; new keys past the limit overflow until an old one expires")
    func limit() {
        let clock = Clock()
        let guardian = SpanCardinalityGuard(limit: 2, expiration: 10 * Self.second, clock: { clock.now })
        #expect(Self.admit(guardian, "a", [1, 2, 3]) == [true, true, false])
        clock.now = 6 * Self.second
        #expect(Self.admit(guardian, "a", [2, 3]) == [true, false])
        // Key 1 was last seen at 0: expired at 11 s; key 2 (6 s) is not.
        clock.now = 11 * Self.second
        #expect(Self.admit(guardian, "a", [3, 4]) == [true, false])
        #expect(guardian.overflowedSpans == 3)
        #expect(Self.admit(guardian, "b", [3, 4]) == [true, true])
    }

    @Test("a service whose keys all expired is forgotten, so random service names do not pile up")
    func servicesExpire() {
        let clock = Clock()
        let guardian = SpanCardinalityGuard(limit: 5, expiration: 10 * Self.second, clock: { clock.now })
        for index in 0..<100 { _ = Self.admit(guardian, "random-\(index)", [UInt64(index)]) }
        #expect(guardian.serviceCount == 100)
        clock.now = 5 * Self.second
        _ = Self.admit(guardian, "steady", [1])
        clock.now = 12 * Self.second
        _ = Self.admit(guardian, "steady", [1])
        #expect(guardian.serviceCount == 1)
        // Without expiration (metrics_expiration 0) nothing is forgotten, as in the store.
        let keeping = SpanCardinalityGuard(limit: 5, expiration: 0, clock: { clock.now })
        for index in 0..<10 { _ = Self.admit(keeping, "random-\(index)", [1]) }
        clock.now = 1_000 * Self.second
        _ = Self.admit(keeping, "steady", [1])
        #expect(keeping.serviceCount == 11)
    }

    @Test("the overflow is reported once per interval, with each service's spans")
    func report() {
        let clock = Clock()
        let guardian = SpanCardinalityGuard(limit: 1, expiration: 0, clock: { clock.now })
        #expect(guardian.takeReport() == nil)
        _ = Self.admit(guardian, "checkout", [1, 2, 3])
        let expected =
            "span metrics over aggregation_cardinality_limit (1 series per service) went to the overflow series (otel.metric.overflow=true): checkout: 2 spans"
        #expect(guardian.takeReport() == expected)
        _ = Self.admit(guardian, "checkout", [4])
        clock.now = 30 * Self.second
        #expect(guardian.takeReport() == nil)
        clock.now = 60 * Self.second
        #expect(guardian.takeReport()?.hasSuffix("checkout: 1 spans") == true)
    }
}

private final class Clock: Sendable {
    private let value = Atomic<UInt64>(0)
    var now: UInt64 {
        get { value.load(ordering: .relaxed) }
        set { value.store(newValue, ordering: .relaxed) }
    }
}
