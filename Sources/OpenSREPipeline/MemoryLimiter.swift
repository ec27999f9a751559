import Dispatch
import Foundation
import OpenSREModel
import Synchronization

/// Watches the process's resident memory and says when to refuse data, so
/// that the collector answers 503 (senders retry) instead of being killed.
///
/// Resident memory is read every `check_interval`; between two reads, the
/// receiver accounts what it is about to hold: request bodies as they
/// arrive (their whole `Content-Length` up front) and decompression output,
/// across all connections. ``reserve(_:)`` grants bytes only while
/// resident + in flight + the request stays under the soft limit, so
/// concurrent bodies cannot together cross it; ``release(_:)`` gives them
/// back once the request is decoded and queued, or its connection is gone.
///
/// Like the processor it belongs to, it does nothing until ``start()`` (which
/// reads once at once, then every interval) and stops reading at ``stop()``.
package final class MemoryLimiter: Sendable {
    package let hardLimit: UInt64
    package let softLimit: UInt64
    private let refusing = Atomic<Bool>(false)
    private let resident = Atomic<UInt64>(0)
    /// Bytes reserved by requests in flight (bodies, decompression output).
    private let inFlight = Atomic<Int>(0)
    private let interval: DispatchTimeInterval
    /// Where resident memory is read from: /proc in the collector, a stand-in in tests.
    private let readResident: @Sendable () -> UInt64
    /// The running timer, between ``start()`` and ``stop()``.
    private let timer = Mutex<(any DispatchSourceTimer)?>(nil)

    package init(
        configuration: MemoryLimiterConfiguration,
        readResident: @escaping @Sendable () -> UInt64 = { MemoryLimiter.residentMemory() }
    ) {
        (hardLimit, softLimit) = configuration.limits(available: Self.availableMemory())
        interval = .milliseconds(max(configuration.checkInterval.milliseconds, 10))
        self.readResident = readResident
    }

    deinit {
        stop()
    }

    /// Reads resident memory now, then every `check_interval` until ``stop()``.
    /// Calling it again while running does nothing.
    package func start() {
        timer.withLock { timer in
            guard timer == nil else { return }
            check()
            let source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "opensre.memory-limiter"))
            source.schedule(deadline: .now() + interval, repeating: interval)
            source.setEventHandler { [weak self] in self?.check() }
            source.resume()
            timer = source
        }
    }

    /// Stops reading; the last reading stays in force.
    package func stop() {
        timer.withLock { timer in
            timer?.cancel()
            timer = nil
        }
    }

    /// Whether new data should be refused now.
    package var isRefusing: Bool { refusing.load(ordering: .relaxed) }

    /// The resident memory at the last check.
    package var residentBytes: UInt64 { resident.load(ordering: .relaxed) }

    /// Bytes reserved by requests in flight.
    package var inFlightBytes: Int { inFlight.load(ordering: .relaxed) }

    /// What could still be reserved now: soft limit − resident − in flight.
    package var headroom: Int {
        let free = Int(clamping: softLimit) - Int(clamping: resident.load(ordering: .relaxed))
        return max(free - inFlight.load(ordering: .relaxed), 0)
    }

    /// Reserves `bytes` if they fit under the soft limit with everything
    /// else in flight; false (nothing reserved) otherwise.
    package func reserve(_ bytes: Int) -> Bool {
        guard bytes > 0 else { return true }
        return reserve(upTo: bytes, atLeast: bytes) == bytes
    }

    /// Reserves as much of `bytes` as fits, but nothing unless at least
    /// `minimum` does; returns what was reserved.
    package func reserve(upTo bytes: Int, atLeast minimum: Int = 1) -> Int {
        guard bytes > 0 else { return 0 }
        let free = Int(clamping: softLimit) - Int(clamping: resident.load(ordering: .relaxed))
        var current = inFlight.load(ordering: .relaxed)
        while true {
            let granted = min(bytes, free - current)
            guard granted >= max(minimum, 1) else { return 0 }
            let (exchanged, original) = inFlight.compareExchange(
                expected: current, desired: current + granted, ordering: .relaxed)
            if exchanged { return granted }
            current = original
        }
    }

    /// Gives back bytes reserved earlier.
    package func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        inFlight.subtract(bytes, ordering: .relaxed)
    }

    package func check() {
        let rss = readResident()
        resident.store(rss, ordering: .relaxed)
        refusing.store(rss >= softLimit, ordering: .relaxed)
    }

    /// Resident set size from /proc/self/statm.
    package static func residentMemory() -> UInt64 {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = UInt64(fields[1]) else { return 0 }
        return pages * UInt64(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The container's memory limit (cgroup v2, then v1), else the host's memory.
    package static func availableMemory() -> UInt64 {
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
                let value = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)), value < (1 << 60)
            {
                return value
            }
        }
        guard let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
            let kib = UInt64(line.split(separator: " ").dropFirst().first ?? "")
        else { return 1 << 30 }
        return kib * 1024
    }
}
