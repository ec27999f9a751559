import OpenSREPipeline
import Testing

@Suite("Cardinality limits")
struct CardinalityTests {
    func request(_ metric: String, series: Range<Int>, value: Double = 1) -> String {
        JSONRequests.request(
            service: "api",
            JSONRequests.gauge(metric, series.map { (JSONRequests.attributes(("id", "\($0)")), value) }))
    }

    @Test("past max_series_per_metric and max_series new series are refused and reported; existing ones update")
    func limits() throws {
        let store = SeriesStore(settings: ExpositionSettings(maxSeries: 5, maxSeriesPerMetric: 3))
        let first = store.apply(try JSONRequests.batch(request("a", series: 0..<5)))
        #expect(first.refused[.cardinalityLimit] == 2 && store.seriesCount == 3)
        let second = store.apply(try JSONRequests.batch(request("b", series: 0..<3)))
        #expect(second.refused[.cardinalityLimit] == 1 && store.seriesCount == 5)
        #expect(store.seriesHeadroom == 0)
        // Existing series still take new values.
        let update = store.apply(try JSONRequests.batch(request("a", series: 0..<3, value: 9)))
        #expect(update.refused[.cardinalityLimit] == 0)
        let page = String(decoding: ScrapeSources.render(store), as: UTF8.self)
        #expect(page.contains(#"opensre_a{id="2",instance="i1",job="api",otel_scope_name="lib"} 9"#))
        #expect(store.statistics.refused[.cardinalityLimit] == 3)
    }
}
