import Glibc

/// The system's wall clock (`CLOCK_REALTIME`), in Unix nanoseconds: what OTLP
/// timestamps are compared with. Components take it as a closure so tests
/// pass a fixed time instead.
package enum WallClock {
    package static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
