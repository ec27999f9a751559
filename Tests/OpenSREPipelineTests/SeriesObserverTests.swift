import OTLPDecoding
import OpenSREModel
@testable import OpenSREPipeline
import PrometheusExposition
import Testing

/// The store's contract with its observers, seen through one that records
/// what it is told: new streams, new series of the streams it follows,
/// accepted points of the series that asked for them, batch and expiry
/// boundaries, and its family in the scrape.
@Suite("Series store: observers")
struct SeriesObserverTests {
    /// Follows streams named `tracked.*`, and the points of their series with a `follow` attribute.
    final class RecordingObserver: SeriesObserver {
        var events: [String] = []
        var points = 0

        func willApply(
            _ batch: DecodedBatch, bytes: UnsafeRawBufferPointer, points: UnsafeBufferPointer<DecodedPoint>,
            stream: (DecodedStream) -> MetricStream?
        ) {
            events.append("batch of \(points.count) points")
        }

        func streamCreated(
            _ stream: MetricStream, decoded: DecodedStream, metric: String, job: String, resource: [Attribute],
            resourceBytes: UnsafeRawBufferPointer
        ) -> Bool {
            events.append("stream \(metric) of \(job)")
            return metric.hasPrefix("tracked.")
        }

        func seriesCreated(
            _ series: Series, of stream: MetricStream, attributes: UnsafeRawBufferPointer,
            identity: UnsafeRawBufferPointer
        ) {
            let decoded = AttributeDecoder.decode(attributes)
            events.append("series " + decoded.map { "\($0.key)=\(AttributeText.labelValue($0.value))" }.joined(separator: ","))
            if decoded.contains(where: { $0.key == "follow" }) { series.followPoints() }
        }

        func folded(_ point: DecodedPoint, into series: Series, of stream: MetricStream, wallClock: UInt64) {
            points += 1
            events.append("point \(series.state.value) at \(wallClock)")
        }

        func didApply() { events.append("applied") }

        func didExpire(keeping streams: [MetricStream]) { events.append("expired, \(streams.count) streams left") }

        func takeWarnings() -> [String] { ["seen \(points) points"] }

        func scrapeSource(reading store: SeriesStore) -> (any MetricFamilySource)? {
            Source(points: points)
        }

        struct Source: MetricFamilySource {
            let points: Int
            func families(for scrape: ScrapeContext) -> [any ExposedFamily] {
                var family = SyntheticFamily(name: "observed_points", type: .gauge, help: "Points seen.")
                family.append([], Double(points))
                return [family]
            }
        }
    }

    static func gauge(_ name: String, _ points: [(attributes: String, value: Int, time: Int)]) -> String {
        let rendered = points.map {
            #"{"asInt":"\#($0.value)","timeUnixNano":"\#($0.time)","attributes":\#($0.attributes)}"#
        }
        return #"{"name":"\#(name)","gauge":{"dataPoints":[\#(rendered.joined(separator: ","))]}}"#
    }

    static let follow = JSONRequests.attributes(("follow", "yes"))
    static let other = JSONRequests.attributes(("other", "x"))

    @Test("told of every new stream, of new series only where it follows the stream, of points only where the series asked")
    func contract() throws {
        let observer = RecordingObserver()
        let store = SeriesStore(
            settings: ExpositionSettings(namespace: "", metricExpiration: .seconds(1)), observers: [observer])
        store.apply(
            try JSONRequests.batch(
                JSONRequests.request(
                    service: "shop", Self.gauge("tracked.depth", [(Self.follow, 1, 10), (Self.other, 2, 10)]),
                    Self.gauge("untracked", [(Self.follow, 3, 10)]))),
            now: 1, wallClock: 500)
        #expect(observer.events == [
            "batch of 3 points", "stream tracked.depth of shop", "series follow=yes", "point 1.0 at 500",
            "series other=x", "stream untracked of shop", "applied",
        ])

        // A point refused as out of order is not handed over; nor are the points of series not followed.
        observer.events = []
        store.apply(
            try JSONRequests.batch(
                JSONRequests.request(
                    service: "shop", Self.gauge("tracked.depth", [(Self.follow, 4, 20), (Self.follow, 5, 15), (Self.other, 6, 20)]),
                    Self.gauge("untracked", [(Self.other, 7, 20)]))),
            now: 2, wallClock: 600)
        #expect(observer.events == ["batch of 4 points", "point 4.0 at 600", "applied"])
        #expect(store.statistics.refused[.outOfOrder] == 1)
        #expect(store.takeWarnings() == ["seen 2 points"])

        // Its family is composed into the scrape, by name among the store's.
        #expect(String(decoding: ScrapeSources.render(store), as: UTF8.self) == """
            # HELP observed_points Points seen.
            # TYPE observed_points gauge
            observed_points 2
            # HELP tracked_depth tracked.depth
            # TYPE tracked_depth gauge
            tracked_depth{follow="yes",instance="i1",job="shop",otel_scope_name="lib"} 4
            tracked_depth{instance="i1",job="shop",otel_scope_name="lib",other="x"} 6
            # HELP untracked untracked
            # TYPE untracked gauge
            untracked{follow="yes",instance="i1",job="shop",otel_scope_name="lib"} 3
            untracked{instance="i1",job="shop",otel_scope_name="lib",other="x"} 7

            """)

        observer.events = []
        store.expire(now: 3_000_000_000)
        #expect(observer.events == ["expired, 0 streams left"])
    }
}
