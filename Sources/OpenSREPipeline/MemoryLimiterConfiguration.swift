import Foundation
import OpenSREModel

/// The `memory_limiter` processor (`processors.memory_limiter`, listed first in
/// the pipeline as in the OpenTelemetry Collector).
package struct MemoryLimiterConfiguration: Sendable, Equatable {
    /// `check_interval`, default 1s: how often the resident memory is read.
    package var checkInterval: Duration
    /// `limit_mib`: the hard limit in MiB (or `limit_percentage` of the
    /// container's memory limit, or of the host's memory without one).
    package var limitMiB: Int?
    package var limitPercentage: Int?
    /// `spike_limit_mib` / `spike_limit_percentage`, default 20% of the limit:
    /// the headroom kept for spikes. Data is refused (503) above limit − spike.
    package var spikeLimitMiB: Int?
    package var spikeLimitPercentage: Int?

    package init(
        checkInterval: Duration = .seconds(1), limitMiB: Int? = nil, limitPercentage: Int? = nil,
        spikeLimitMiB: Int? = nil, spikeLimitPercentage: Int? = nil
    ) {
        self.checkInterval = checkInterval
        self.limitMiB = limitMiB
        self.limitPercentage = limitPercentage
        self.spikeLimitMiB = spikeLimitMiB
        self.spikeLimitPercentage = spikeLimitPercentage
    }

    /// (hard limit, soft limit) in bytes for a machine or container with `available` bytes.
    package func limits(available: UInt64) -> (hard: UInt64, soft: UInt64) {
        let hard = limitMiB.map { UInt64($0) << 20 } ?? (available / 100 * UInt64(limitPercentage ?? 80))
        let spike =
            spikeLimitMiB.map { UInt64($0) << 20 }
            ?? spikeLimitPercentage.map { available / 100 * UInt64($0) } ?? hard / 5
        return (hard, hard > spike ? hard - spike : 0)
    }
}
