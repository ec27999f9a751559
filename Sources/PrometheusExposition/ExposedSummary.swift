/// A summary: quantiles with their values, the count and the sum.
package struct ExposedSummary: Sendable, Equatable {
    /// The quantiles (0...1), in the order the source sent them.
    package var quantiles: [Double]
    /// The value at each quantile (as many as `quantiles`).
    package var values: [Double]
    package var count: UInt64
    package var sum: Double

    package init(quantiles: [Double], values: [Double], count: UInt64, sum: Double) {
        precondition(quantiles.count == values.count, "one value per quantile")
        self.quantiles = quantiles
        self.values = values
        self.count = count
        self.sum = sum
    }
}
