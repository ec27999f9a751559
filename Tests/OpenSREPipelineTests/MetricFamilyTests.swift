@testable import OpenSREPipeline
import OpenSREModel
import PrometheusExposition
import Testing

@Suite("Metric family index")
struct MetricFamilyTests {
    @Test("matches a dictionary through random creations, removals and expiry; sorted by label text")
    func model() {
        let family = MetricFamily(name: "m", type: .gauge, help: "")
        var model: [[UInt8]: Series] = [:]
        var generator = SystemRandomNumberGenerator()
        for step in 0..<6000 {
            let text = Array("k=\"\(Int.random(in: 0..<700, using: &generator))\"".utf8)
            let (series, isNew) = family.series(labelText: text)
            if let known = model[text] {
                #expect(!isNew && series === known)
                if step % 4 == 0 {
                    family.remove(series)
                    #expect(series.isRemoved)
                    model[text] = nil
                }
            } else {
                #expect(isNew && series.hasLabelText(text))
                series.lastSeen = UInt64(step)
                model[text] = series
            }
            if step % 1500 == 1499 {
                // Expire about a third, then (at the end) nearly everything.
                let deadline = UInt64(step - (step == 5999 ? 10 : 1000))
                let expired = model.filter { $0.value.lastSeen < deadline }
                let (count, bytes) = family.expire(before: deadline)
                #expect(count == expired.count && bytes == expired.values.reduce(0) { $0 + $1.accountedBytes })
                for (key, series) in expired {
                    #expect(series.isRemoved)
                    model[key] = nil
                }
            }
            #expect(family.seriesCount == model.count)
            if step % 500 == 250 {
                // Removed series wait out of the index for compaction; a sorted read never shows them.
                #expect(family.sortedSeries().map(\.labelTextBytes) == model.keys.sorted { $0.lexicographicallyPrecedes($1) })
            }
        }
        let sorted = family.sortedSeries().map { $0.labelTextBytes }
        #expect(sorted == model.keys.sorted { $0.lexicographicallyPrecedes($1) })
        for (key, series) in model {
            let found = family.series(labelText: key)
            #expect(found.0 === series && !found.isNew)
        }
    }
}
