/// The fields of a series that few series use, out of line (see ``Series``).
final class SeriesExtras {
    let utf8LabelText: [UInt8]?
    var sloTaps: [SLOTap] = []
    var sloKey: UInt64 = 0
    var goldenTap: GoldenSignals.LatencyTap?
    var goldenCounts = true
    var goldenCPU: String?

    init(utf8LabelText: [UInt8]?) {
        self.utf8LabelText = utf8LabelText
    }
}
