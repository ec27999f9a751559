@testable import OpenSREPipeline
import OpenSREModel
import PrometheusExposition
import Testing

@Suite("Series layout")
struct SeriesLayoutTests {
    @Test("the per-series fields stay small (one is kept per series)")
    func fieldsSize() {
        #expect(MemoryLayout<SeriesState>.size <= 49)
        // 88 since remote write keeps a pointer per series (malloc rounding
        // absorbed it: heap bytes per series did not change in `--memory`).
        #expect(MemoryLayout<Series.Fields>.size <= 88)
    }

    @Test("label text is kept inline and compared bytewise")
    func labelText() {
        let series = Series.make(labelText: Array("a=\"1\"".utf8), utf8LabelText: Array("\"a.b\"=\"1\"".utf8))
        #expect(series.labelTextBytes == Array("a=\"1\"".utf8))
        #expect(series.withLabelText(utf8: true) { Array($0.head) + Array($0.tail) } == Array("\"a.b\"=\"1\"".utf8))
        #expect(series.hasLabelText(Array("a=\"1\"".utf8)) && !series.hasLabelText(Array("a=\"2\"".utf8)))
        let empty = Series.make(labelText: [])
        #expect(empty.withLabelText { $0.count } == 0 && empty.hasLabelText([]))
        #expect(empty.labelTextPrecedes(series) && !series.labelTextPrecedes(empty))
        #expect(Series.make(labelText: Array("a=\"1\"".utf8)).labelTextPrecedes(Series.make(labelText: Array("a=\"1\",b=\"2\"".utf8))))
    }
}
