/// `metric_expiration`: series not updated for the configured time are
/// removed by the processor thread on a timer, whether or not anyone scrapes.
extension SeriesStore {
    /// Removes what was last seen more than `metric_expiration` before `now`
    /// (monotonic nanoseconds); returns the number of series removed. Does
    /// nothing when the expiration is zero ("never").
    @discardableResult
    package func expire(now: UInt64) -> Int {
        let window = settings.metricExpiration.nanoseconds
        let derivedWindow = settings.effectiveDerivedExpiration.nanoseconds
        guard window > 0 || derivedWindow > 0 else { return 0 }
        // Idle streams are dropped on the longer window (0 is never).
        let deadline = window > 0 && now > window ? now - window : 0
        var expired = 0
        var freed = 0
        for family in families.values {
            let familyWindow = family.isDerived ? derivedWindow : window
            guard familyWindow > 0, now > familyWindow else { continue }
            let deadline = now - familyWindow
            if endedSeries != nil {
                let ended = family.series(lastSeenBefore: deadline)
                if !ended.isEmpty { endedSeries?.append(EndedFamily(family: family, series: ended)) }
            }
            let (count, bytes) = family.expire(before: deadline)
            expired += count
            freed += bytes
        }
        // Forget what the removed series and idle streams still hold.
        let targetKeys = targets.liveKeyBytes
        targets.removeAll { $0.isRemoved }
        freed += targetKeys - targets.liveKeyBytes
        for stream in streams.values {
            let keys = stream.series.liveKeyBytes
            stream.series.removeAll { $0.isRemoved }
            freed += keys - stream.series.liveKeyBytes
        }
        let idle = { (stream: MetricStream) in stream.series.count == 0 && stream.lastSeen < deadline }
        for stream in streams.values where idle(stream) {
            freed += stream.accountedBytes
        }
        streams.removeAll(where: idle)
        seriesBytes -= freed
        for observer in observers { observer.didExpire(keeping: streams.values) }
        let referenced = Set(streams.values.compactMap { $0.family.map(ObjectIdentifier.init) })
        let before = families.count
        families = families.filter { !$0.value.isEmpty || referenced.contains(ObjectIdentifier($0.value)) }
        if families.count != before { sortedFamilies = nil }
        statistics.expiredSeries += expired
        totalSeries -= expired
        return expired
    }
}
