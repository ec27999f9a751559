/// The `slo` processor (`processors.slo` in the configuration, listed in the
/// metrics pipeline as `processors: [batch, slo]`).
package struct SLOProcessorConfiguration: Sendable, Equatable {
    /// `definitions`: OpenSLO files (paths or globs, relative to the
    /// configuration file), loaded and validated with the configuration.
    package var definitionFiles: [String]
    /// The SLOs those files define.
    package var definitions: [SLODefinition]
    /// `state_dir`, default `data/slo` (relative to the working directory):
    /// where the SLO state is persisted.
    package var stateDirectory: String
    /// `persist_interval`, default 30s: how often the state is written (and at
    /// shutdown); a crash loses at most this much counting.
    package var persistInterval: Duration

    package init(
        definitionFiles: [String] = [], definitions: [SLODefinition] = [], stateDirectory: String = "data/slo",
        persistInterval: Duration = .seconds(30)
    ) {
        self.definitionFiles = definitionFiles
        self.definitions = definitions
        self.stateDirectory = stateDirectory
        self.persistInterval = persistInterval
    }
}
