/// The value(s) of one series, by the family's type.
package enum ExposedValue: Sendable, Equatable {
    /// A counter, gauge or untyped sample.
    case single(Double)
    case histogram(ExposedHistogram)
    case summary(ExposedSummary)
}
