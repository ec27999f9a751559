import Foundation

/// A time chart drawn as inline SVG by us: lines (broken where a value is
/// missing), stacked bars and labelled horizontal rules over a time axis, in
/// page-local CSS classes. No script and nothing fetched, so it renders in
/// an air-gapped sidecar and without JavaScript.
struct SVGChart {
    struct Line {
        var name: String
        var cssClass: String
        var start: Int64
        var step: Int
        var values: [Double?]
    }

    /// Bars per interval from `start`, every `step` seconds; the stacks
    /// are drawn bottom up in their order.
    struct Bars {
        var start: Int64
        var step: Int
        var stacks: [(cssClass: String, values: [Double])]
    }

    struct Rule {
        var label: String
        var value: Double
        var cssClass: String
    }

    static let width = 760.0
    static let height = 220.0
    private static let left = 64.0, right = 16.0, top = 12.0, bottom = 26.0

    var title: String
    /// The time range shown, Unix seconds.
    var from: Int64
    var to: Int64
    var lines: [Line] = []
    var bars: Bars?
    var rules: [Rule] = []
    /// The y range always includes these (0, or 1 for a remaining budget).
    var yIncludes: [Double] = [0]
    var yLabel: (Double) -> String

    func render() -> String {
        let (low, high, step) = yScale()
        let plotWidth = Self.width - Self.left - Self.right
        let plotHeight = Self.height - Self.top - Self.bottom
        let span = Double(max(to - from, 1))
        func x(_ time: Int64) -> Double { Self.left + plotWidth * Double(time - from) / span }
        func y(_ value: Double) -> Double { Self.top + plotHeight * (1 - (value - low) / (high - low)) }

        var svg = HTML()
        svg.open("svg", [
            ("xmlns", "http://www.w3.org/2000/svg"), ("class", "chart"), ("role", "img"),
            ("viewBox", "0 0 \(Self.number(Self.width)) \(Self.number(Self.height))"),
        ])
        svg.element("title", [], title)
        var tick = low
        while tick <= high + step / 2 {
            let position = Self.number(y(tick))
            svg.raw("<line class=\"grid\" x1=\"\(Self.number(Self.left))\" x2=\"\(Self.number(Self.width - Self.right))\" y1=\"\(position)\" y2=\"\(position)\"/>")
            svg.element("text", [("class", "axis"), ("x", Self.number(Self.left - 6)), ("y", Self.number(y(tick) + 4)), ("text-anchor", "end")], yLabel(tick))
            tick += step
        }
        let days = to - from > 2 * 86_400
        for index in 0...5 {
            let time = from + (to - from) * Int64(index) / 5
            svg.element(
                "text", [("class", "axis"), ("x", Self.number(x(time))), ("y", Self.number(Self.height - 8)), ("text-anchor", "middle")],
                days ? PageFormat.day(time) : PageFormat.clock(time))
        }
        if let bars {
            let width = max(1, plotWidth * Double(bars.step) / span - 1)
            let count = bars.stacks.map(\.values.count).max() ?? 0
            for index in 0..<count {
                var base = 0.0
                let left = x(bars.start + Int64(index * bars.step))
                for stack in bars.stacks where index < stack.values.count && stack.values[index] > 0 {
                    let value = stack.values[index]
                    svg.raw("<rect class=\"\(stack.cssClass)\" x=\"\(Self.number(left))\" y=\"\(Self.number(y(base + value)))\" width=\"\(Self.number(width))\" height=\"\(Self.number(y(base) - y(base + value)))\"/>")
                    base += value
                }
            }
        }
        for line in lines {
            // Runs of consecutive values are paths; a lone value (one
            // minute of data) is a dot, which a path would not show.
            var runs: [[(Double, Double)]] = [[]]
            for (index, value) in line.values.enumerated() {
                guard let value, value.isFinite else {
                    if !runs[runs.count - 1].isEmpty { runs.append([]) }
                    continue
                }
                runs[runs.count - 1].append((x(line.start + Int64(index * line.step)), y(value)))
            }
            let path = runs.filter { $0.count > 1 }.map { run in
                "M" + run.map { "\(Self.number($0.0)) \(Self.number($0.1))" }.joined(separator: " L")
            }.joined(separator: " ")
            svg.open("g", [("class", "series " + line.cssClass)])
            svg.element("title", [], line.name)
            if !path.isEmpty { svg.raw("<path class=\"line \(line.cssClass)\" d=\"\(path)\"/>") }
            for run in runs where run.count == 1 {
                svg.raw("<circle class=\"dot \(line.cssClass)\" cx=\"\(Self.number(run[0].0))\" cy=\"\(Self.number(run[0].1))\" r=\"2.5\"/>")
            }
            svg.close("g")
        }
        for rule in rules {
            let position = Self.number(y(rule.value))
            svg.raw("<line class=\"rule \(rule.cssClass)\" x1=\"\(Self.number(Self.left))\" x2=\"\(Self.number(Self.width - Self.right))\" y1=\"\(position)\" y2=\"\(position)\"/>")
            svg.element("text", [("class", "rule-label"), ("x", Self.number(Self.width - Self.right - 4)), ("y", Self.number(y(rule.value) - 4)), ("text-anchor", "end")], rule.label)
        }
        svg.close("svg")
        return svg.text
    }

    /// The y range, widened to round tick steps of 1, 2 or 5 × 10ⁿ (about
    /// four of them) over every value, bar top and rule.
    private func yScale() -> (low: Double, high: Double, step: Double) {
        var values = yIncludes + rules.map(\.value)
        for line in lines { values += line.values.compactMap { $0 }.filter(\.isFinite) }
        if let bars {
            let count = bars.stacks.map(\.values.count).max() ?? 0
            for index in 0..<count {
                values.append(bars.stacks.reduce(0) { $0 + (index < $1.values.count ? $1.values[index] : 0) })
            }
        }
        let minimum = values.min() ?? 0
        let maximum = values.max() ?? 1
        let step = Self.niceStep((maximum - minimum) / 4)
        let low = (minimum / step).rounded(.down) * step
        var high = (maximum / step).rounded(.up) * step
        if high <= low { high = low + step }
        return (low, high, step)
    }

    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let fraction = raw / magnitude
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude
    }

    /// Coordinates and counts with at most one decimal (beyond Int's range, `%g`).
    static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        guard rounded == rounded.rounded() else { return String(format: "%.1f", rounded) }
        return Int(exactly: rounded).map(String.init) ?? String(format: "%g", rounded)
    }
}
