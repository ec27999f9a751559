/// The fields of a series that few series use, out of line (see ``Series``):
/// its UTF-8 label text, and the slots its observers (``SeriesObserver``) set.
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

    /// Whether an observer follows this series' points (``Series/followPoints()``):
    /// the store hands them over only then.
    var wantsPoints = false
}
