import PrometheusExposition
import Testing

/// A source with fixed families that records the contexts it was asked with.
final class FakeFamilySource: MetricFamilySource {
    let fixed: [SyntheticFamily]
    private(set) var asked: [ScrapeContext] = []

    init(_ fixed: [SyntheticFamily]) {
        self.fixed = fixed
    }

    func families(for scrape: ScrapeContext) -> [any ExposedFamily] {
        asked.append(scrape)
        return fixed
    }
}

@Suite("Scrape composer")
struct ScrapeComposerTests {
    static let scrape = ScrapeContext(wallClock: 1_700_000_000_000_000_000)

    /// A gauge family with one series (or `samples`).
    static func family(_ name: String, help: String = "h", _ samples: [SyntheticFamily.Sample] = [.init([], 1)]) -> SyntheticFamily {
        SyntheticFamily(name: name, type: .gauge, help: help, samples: samples)
    }

    /// Name and HELP of each family, in the order composed.
    static func composed(_ sources: [any MetricFamilySource]) -> [String] {
        ScrapeComposer(sources).families(for: scrape).map { "\($0.metricName.text)/\($0.help)" }
    }

    @Test("families of all sources come out sorted by name, whatever order each source gave them in")
    func sortedByName() {
        let first = FakeFamilySource([Self.family("b_total"), Self.family("d")])
        let second = FakeFamilySource([Self.family("c"), Self.family("a")])
        #expect(Self.composed([first, second]) == ["a/h", "b_total/h", "c/h", "d/h"])
    }

    @Test("a name two sources both give is declared once: the earlier source's family; the later one is reported")
    func sameNameDeclaredOnce() {
        let store = FakeFamilySource([Self.family("x", help: "store"), Self.family("y", help: "store")])
        let computed = FakeFamilySource([Self.family("x", help: "computed"), Self.family("w", help: "computed")])
        #expect(Self.composed([store, computed]) == ["w/computed", "x/store", "y/store"])
        #expect(Self.composed([computed, store]) == ["w/computed", "x/computed", "y/store"])
        var left: [String] = []
        _ = ScrapeComposer([store, computed], duplicate: { left.append($0) }).families(for: Self.scrape)
        #expect(left == ["x"])
    }

    @Test("a name one source gives twice: the first it gave")
    func sameNameWithinOneSource() {
        let source = FakeFamilySource([Self.family("x", help: "2"), Self.family("a"), Self.family("x", help: "1")])
        #expect(Self.composed([source]) == ["a/h", "x/2"])
    }

    @Test("every source is asked once per scrape, with the scrape's context")
    func contextPassedOnce() {
        let first = FakeFamilySource([])
        let second = FakeFamilySource([Self.family("a")])
        let composer = ScrapeComposer([first, second])
        _ = composer.families(for: Self.scrape)
        _ = composer.families(for: ScrapeContext(wallClock: 5))
        #expect(first.asked == [Self.scrape, ScrapeContext(wallClock: 5)])
        #expect(second.asked == first.asked)
    }

    @Test("no sources, or only empty ones: no families")
    func empty() {
        #expect(Self.composed([]).isEmpty)
        #expect(Self.composed([FakeFamilySource([])]).isEmpty)
    }

    @Test("families without series are left out")
    func emptyFamiliesLeftOut() {
        let families = ScrapeComposer([FakeFamilySource([Self.family("a", []), Self.family("b"), Self.family("c", [])])])
            .families(for: Self.scrape)
        #expect(families.map(\.metricName.text) == ["b"])
    }
}

@Suite("Synthetic families walked series by series")
struct SyntheticFamilyTests {
    /// (label text, value) of every series, in walk order.
    static func walk(_ family: SyntheticFamily, utf8: Bool = false) -> [(String, ExposedValue)] {
        var seen: [(String, ExposedValue)] = []
        family.forEachSeries(utf8: utf8) { series in
            #expect(series.timestamp == nil)
            #expect(series.exemplar == nil)
            seen.append((String(decoding: Array(series.labels.head) + Array(series.labels.tail), as: UTF8.self), series.value))
        }
        return seen
    }

    @Test("series in label-text order; a label set given twice counts once, with its last value")
    func orderAndDuplicates() {
        var family = SyntheticFamily(name: "g", type: .gauge, help: "")
        family.append([Label("job", "b")], 1)
        family.append([], 2)
        family.append([Label("job", "a")], 3)
        family.append([Label("job", "b")], 4)
        family.append([Label("job", "a"), Label("resource", "cpu")], 5)
        let walked = Self.walk(family)
        #expect(walked.map(\.0) == ["", #"job="a""#, #"job="a",resource="cpu""#, #"job="b""#])
        #expect(walked.map(\.1) == [.single(2), .single(3), .single(5), .single(4)])
        #expect(family.samples.count == 5, "the samples themselves are kept as given")
    }

    @Test("label text as the exposition writes it, the same for UTF-8 scrapers")
    func labelText() {
        var family = SyntheticFamily(name: "g", type: .gauge, help: "")
        family.append([Label("http.method", "GET"), Label("path", "a\"b\\c\nd")], 1)
        let expected = #""http.method"="GET",path="a\"b\\c\nd""#
        #expect(Self.walk(family).map(\.0) == [expected])
        #expect(Self.walk(family, utf8: true).map(\.0) == [expected])
    }

    @Test("a histogram sample: cumulative counts per bound, the count, the sum; value reads the sum")
    func histogram() {
        let histogram = ExposedHistogram(bounds: [0.1, 1], bucketCounts: [2, 3, 4], count: 9, sum: 4.5)
        #expect(histogram.cumulativeCounts == [2, 5])
        #expect(histogram.bucketCounts == [2, 3, 4])
        let sample = SyntheticFamily.Sample([Label("job", "j")], histogram: histogram)
        #expect(sample.value == 4.5)
        let family = SyntheticFamily(name: "h_seconds", type: .histogram, help: "", unit: "seconds", samples: [sample])
        #expect(family.unit == "seconds")
        #expect(family.metricName == MetricName("h_seconds"))
        #expect(!family.isInfo)
        #expect(Self.walk(family).map(\.1) == [.histogram(histogram)])
    }

    @Test("per-bucket counts survive the round trip through cumulative ones, even when they wrap")
    func histogramWraps() {
        let counts: [UInt64] = [.max, 2, 0, 7]
        let histogram = ExposedHistogram(bounds: [1, 2, 3], bucketCounts: counts, count: 5, sum: nil)
        #expect(histogram.cumulativeCounts == [.max, 1, 1])
        #expect(histogram.bucketCounts == [.max, 2, 0, 4], "+Inf is what the count leaves over")
    }
}
