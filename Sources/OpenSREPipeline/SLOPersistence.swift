import Logging
import OpenSRESLO

/// Where SLO state is kept between runs, and how often it is written
/// (`processors.slo.state_dir`, `persist_interval`). The processor restores it
/// when it starts, and saves it on its thread every interval and when it stops;
/// creating one touches no file.
struct SLOPersistence {
    let file: SLOStateFile
    /// Monotonic nanoseconds between saves.
    let interval: UInt64

    init(configuration: SLOProcessorConfiguration) {
        file = SLOStateFile(directory: configuration.stateDirectory)
        interval = max(configuration.persistInterval.nanoseconds, 1_000_000)
    }

    /// Loads the saved state into `engine`; a missing file is a fresh start,
    /// a changed definition or an unreadable file is logged and not trusted.
    func restore(into engine: SLOEngine, logger: Logger) {
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

    /// Writes `engine`'s state (baselines of long-gone series pruned first).
    func save(_ engine: SLOEngine, now: UInt64, logger: Logger) {
        engine.pruneBaselines(now: now)
        do {
            try file.save(engine)
        } catch {
            logger.error("could not persist SLO state: \(error)", metadata: ["file": "\(file.path)"])
        }
    }
}
