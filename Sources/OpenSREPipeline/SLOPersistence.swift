import Logging
import OpenSRESLO

/// Where SLO state and the golden baselines are kept between runs, and how
/// often they are written (`processors.slo.state_dir`, `persist_interval`):
/// `slo-state.bin` (``SLOStateFile``) and `golden-baseline.bin`
/// (``GoldenBaselineFile``). The processor restores them when it starts, and
/// saves them on its thread every interval and when it stops; creating one
/// touches no file. The `slo` processor listed without definitions persists
/// the baselines alone.
struct SLOPersistence {
    let file: SLOStateFile
    let baselineFile: GoldenBaselineFile
    /// Monotonic nanoseconds between saves.
    let interval: UInt64

    init(configuration: SLOProcessorConfiguration) {
        file = SLOStateFile(directory: configuration.stateDirectory)
        baselineFile = GoldenBaselineFile(directory: configuration.stateDirectory)
        interval = max(configuration.persistInterval.nanoseconds, 1_000_000)
    }

    /// Loads the saved state into `engine` and the baselines into `golden`
    /// (either may be absent); a missing file is a fresh start, a changed
    /// definition or an unreadable file is logged and not trusted.
    func restore(into engine: SLOEngine?, golden: GoldenSignals?, now: UInt64, logger: Logger) {
        if let engine {
            do {
                switch try file.restore(into: engine) {
                case .noFile: break
                case .restored: logger.info("restored SLO state", metadata: ["file": "\(file.path)"])
                case let migrated: logger.warning("\(migrated)", metadata: ["file": "\(file.path)"])
                }
            } catch {
                logger.error("\(error)", metadata: ["file": "\(file.path)"])
            }
        }
        if let golden {
            do throws(SLOStateFile.LoadProblem) {
                let baselines = try baselineFile.restore()
                golden.restoreBaselines(baselines, hour: GoldenBaseline.hour(ofMinute: Int64(now / 60_000_000_000)))
                if !baselines.isEmpty {
                    logger.info("restored golden baselines", metadata: ["file": "\(baselineFile.path)", "jobs": "\(baselines.count)"])
                }
            } catch {
                guard case .corrupt(let reason) = error else { return }
                logger.error(
                    "golden baseline file is corrupt (\(reason)); moved aside, baselines start afresh",
                    metadata: ["file": "\(baselineFile.path)"])
            }
        }
    }

    /// Writes `engine`'s state (baselines of long-gone series pruned first)
    /// and `golden`'s hourly baselines (those empty for 14 days dropped first).
    func save(_ engine: SLOEngine?, golden: GoldenSignals?, now: UInt64, logger: Logger) {
        if let engine {
            engine.pruneBaselines(now: now)
            do {
                try file.save(engine)
            } catch {
                logger.error("could not persist SLO state: \(error)", metadata: ["file": "\(file.path)"])
            }
        }
        if let golden {
            do {
                try baselineFile.save(golden.baselinesToSave(hour: Int64(now / 3_600_000_000_000)))
            } catch {
                logger.error("could not persist golden baselines: \(error)", metadata: ["file": "\(baselineFile.path)"])
            }
        }
    }
}
