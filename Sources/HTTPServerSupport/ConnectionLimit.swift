import Glibc
import NIOCore

/// How many connections one listener holds at once (`max_connections` under
/// `receivers.otlp.protocols.http` and `exporters.prometheus`).
///
/// Every connection is a file descriptor. Without a cap, idle connections
/// exhaust the process's descriptors, and then `accept` fails for both
/// listeners (and for the files the collector opens). With it, a listener at
/// its cap stops accepting: further connections wait in the kernel's backlog
/// and are taken as soon as one closes. Each listener has its own cap, so a
/// flood on the receiver never blocks the exporter's health probes.
package enum ConnectionLimit {
    /// The default `max_connections` per listener: far more than a sidecar or
    /// a scraper needs, and below common descriptor limits once the soft
    /// limit is raised to the hard one (see ``raiseOpenFileLimit()``).
    package static let defaultMaxConnections = 4096

    /// Descriptors kept free for everything that is not a connection (event
    /// loops, listening sockets, SLO state, `/proc` reads, logs).
    package static let reservedDescriptors = 64

    /// The cap a listener applies: `configured`, lowered so that both
    /// listeners together stay within `openFileLimit` minus the reserve.
    package static func effective(configured: Int, openFileLimit: UInt64) -> Int {
        let budget = openFileLimit > UInt64(Int.max) ? Int.max : Int(openFileLimit)
        let share = max((budget - reservedDescriptors) / 2, 1)
        return max(min(configured, share), 1)
    }

    /// The process's soft limit on open files (`RLIMIT_NOFILE`).
    package static func openFileLimit() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return UInt64.max }
        return UInt64(limit.rlim_cur)  // RLIM_INFINITY is all ones: UInt64.max
    }

    /// Raises the soft open-file limit to the hard one (as Go's runtime does
    /// at start): the soft default of 1024 is a relic that only bites servers.
    /// Returns the soft limit in force afterwards.
    @discardableResult
    package static func raiseOpenFileLimit() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return openFileLimit() }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return openFileLimit()
    }
}
