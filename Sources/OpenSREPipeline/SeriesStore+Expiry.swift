/// `metric_expiration`: series not updated for the configured time are
/// removed by the processor thread on a timer, whether or not anyone scrapes.
extension SeriesStore {
    /// Removes what was last seen more than `metric_expiration` before `now`
    /// (monotonic nanoseconds); returns the number of series removed. Does
    /// nothing when the expiration is zero ("never").
    @discardableResult
    package func expire(now: UInt64) -> Int {
        let window = settings.metricExpiration.nanoseconds
        guard window > 0, now > window else { return 0 }
        let deadline = now - window
        var expired = 0
        for family in families.values {
            expired += family.expire(before: deadline)
        }
        // Forget what the removed series and idle streams still hold.
        targets.removeAll { $0.isRemoved }
        for stream in streams.values {
            stream.series.removeAll { $0.isRemoved }
        }
        streams.removeAll { $0.series.count == 0 && $0.lastSeen < deadline }
        golden?.retainResources(Set(streams.values.compactMap { $0.goldenResource.map(ObjectIdentifier.init) }))
        let referenced = Set(streams.values.compactMap { $0.family.map(ObjectIdentifier.init) })
        let before = families.count
        families = families.filter { !$0.value.isEmpty || referenced.contains(ObjectIdentifier($0.value)) }
        if families.count != before { sortedFamilies = nil }
        statistics.expiredSeries += expired
        totalSeries -= expired
        return expired
    }
}
