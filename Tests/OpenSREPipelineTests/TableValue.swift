/// A value for `SeriesTable` in its tests (it stores class instances).
final class TableValue {
    let value: Int
    init(_ value: Int) { self.value = value }
}
