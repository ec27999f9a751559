import OpenSRESLO

extension SeriesStore {
    /// A store with the collector's observers, in the order their families
    /// are composed into a scrape: the SLO feed when `slo` is given, then the
    /// golden signals unless disabled. `countingSince` (Unix ns): cumulative
    /// series that started earlier only set baselines for the golden signals.
    package convenience init(
        settings: ExpositionSettings = ExpositionSettings(), slo: SLOEngine? = nil,
        golden: GoldenSignalsConfiguration = GoldenSignalsConfiguration(), countingSince: UInt64 = 0
    ) {
        var observers: [any SeriesObserver] = []
        if let slo { observers.append(SLOFeed(engine: slo)) }
        if golden.enabled { observers.append(GoldenSignals(configuration: golden, countingSince: countingSince)) }
        self.init(settings: settings, observers: observers)
    }
}

extension SeriesStore {
    /// The golden-signals observer, when golden signals are on.
    var golden: GoldenSignals? { observers.lazy.compactMap { $0 as? GoldenSignals }.first }
}
