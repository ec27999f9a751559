import Glibc

/// Writes the Prometheus text format (0.0.4, or 1.0.0 with quoted UTF-8 names)
/// or OpenMetrics 1.0 into a byte buffer.
///
/// Names and label texts are passed in pre-rendered (they are computed once
/// per family and per series), so writing a sample is a few appends and one
/// number formatting.
package struct ExpositionWriter {
    package let format: ExpositionFormat
    package var bytes: [UInt8]

    package init(format: ExpositionFormat = .text, capacity: Int = 0) {
        self.format = format
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    // MARK: Metadata

    /// HELP, TYPE and (OpenMetrics) UNIT lines of a family.
    ///
    /// In OpenMetrics a counter's family name drops `_total` (a counter whose
    /// name lacks it is declared `unknown`, as Prometheus's Go client does) and
    /// an info family drops `_info`; `unit` is written only when it is a suffix
    /// of the family name, as the format requires.
    package mutating func appendHeader(
        name: MetricName, type: PrometheusMetricType, help: String, unit: String = "", isInfo: Bool = false
    ) {
        guard format.syntax == .openMetrics else {
            appendMetadata("HELP", name.text, name: name) { $0.appendHelpText(help, escapeQuotes: false) }
            appendMetadata("TYPE", name.text, name: name) { $0.bytes.append(contentsOf: type.rawValue.utf8) }
            return
        }
        var familyName = name.text
        var typeText = type.rawValue
        switch type {
        case .counter:
            if familyName.hasSuffix("_total") { familyName.removeLast(6) } else { typeText = "unknown" }
        case .gauge where isInfo:
            if familyName.hasSuffix("_info") { familyName.removeLast(5) }
            typeText = "info"
        case .untyped:
            typeText = "unknown"
        default:
            break
        }
        let family = MetricName(familyName)
        appendMetadata("HELP", familyName, name: family) { $0.appendHelpText(help, escapeQuotes: true) }
        appendMetadata("TYPE", familyName, name: family) { $0.bytes.append(contentsOf: typeText.utf8) }
        if !unit.isEmpty, familyName.hasSuffix("_" + unit) {
            appendMetadata("UNIT", familyName, name: family) { $0.bytes.append(contentsOf: unit.utf8) }
        }
    }

    private mutating func appendMetadata(
        _ keyword: String, _ text: String, name: MetricName, body: (inout ExpositionWriter) -> Void
    ) {
        bytes.append(contentsOf: "# ".utf8)
        bytes.append(contentsOf: keyword.utf8)
        bytes.append(UInt8(ascii: " "))
        if name.isQuoted(in: format) {
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: name.quoted!)
            bytes.append(UInt8(ascii: "\""))
        } else {
            bytes.append(contentsOf: name.escaped)
        }
        bytes.append(UInt8(ascii: " "))
        body(&self)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// HELP escapes backslash and newline (and, in OpenMetrics, double quotes).
    private mutating func appendHelpText(_ help: String, escapeQuotes: Bool) {
        for byte in help.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\n"): bytes.append(contentsOf: "\\n".utf8)
            case UInt8(ascii: "\"") where escapeQuotes: bytes.append(contentsOf: "\\\"".utf8)
            default: bytes.append(byte)
            }
        }
    }

    // MARK: Samples

    /// One sample line: `name[suffix]{labels[,extra="bound"]} value [timestamp] [# exemplar]`.
    ///
    /// - Parameters:
    ///   - extraLabel: `le` or `quantile` with its bound, written after the series labels.
    ///   - timestamp: Unix nanoseconds (milliseconds in text, seconds in OpenMetrics); nil for none.
    ///   - exemplar: written in OpenMetrics only.
    package mutating func appendSample(
        name: MetricName, suffix: StaticString = "", labels: [UInt8], extraLabel: StaticString? = nil,
        extraValue: Double = 0, value: Double, timestamp: UInt64? = nil, exemplar: RenderedExemplar? = nil
    ) {
        labels.withUnsafeBytes { labels in
            appendSample(
                name: name, suffix: suffix, labels: SplitLabelText(head: labels), extraLabel: extraLabel,
                extraValue: extraValue, value: value, timestamp: timestamp, exemplar: exemplar)
        }
    }

    /// ``appendSample(name:suffix:labels:extraLabel:extraValue:value:timestamp:exemplar:)``
    /// with the label text where the caller keeps it, possibly in two parts
    /// (a series holds its own inline, after a prefix its stream's series share).
    package mutating func appendSample(
        name: MetricName, suffix: StaticString = "", labels: SplitLabelText, extraLabel: StaticString? = nil,
        extraValue: Double = 0, value: Double, timestamp: UInt64? = nil, exemplar: RenderedExemplar? = nil
    ) {
        let quoted = name.isQuoted(in: format)
        if quoted {
            bytes.append(contentsOf: "{\"".utf8)
            bytes.append(contentsOf: name.quoted!)
            appendStatic(suffix)
            bytes.append(UInt8(ascii: "\""))
        } else {
            bytes.append(contentsOf: name.escaped)
            appendStatic(suffix)
        }
        let hasLabels = !labels.isEmpty || extraLabel != nil
        if hasLabels {
            bytes.append(UInt8(ascii: quoted ? "," : "{"))
            bytes.append(contentsOf: labels.head)
            bytes.append(contentsOf: labels.tail)
            if let extraLabel {
                if !labels.isEmpty { bytes.append(UInt8(ascii: ",")) }
                appendStatic(extraLabel)
                bytes.append(contentsOf: "=\"".utf8)
                if format.syntax == .openMetrics {
                    PrometheusFloat.appendCanonicalValue(extraValue, to: &bytes)
                } else {
                    PrometheusFloat.appendSampleValue(extraValue, to: &bytes)
                }
                bytes.append(UInt8(ascii: "\""))
            }
            bytes.append(UInt8(ascii: "}"))
        } else if quoted {
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: " "))
        PrometheusFloat.appendSampleValue(value, to: &bytes)
        if let timestamp { appendTimestamp(timestamp) }
        if let exemplar, format.syntax == .openMetrics {
            bytes.append(contentsOf: " # {".utf8)
            bytes.append(contentsOf: exemplar.labels)
            bytes.append(contentsOf: "} ".utf8)
            PrometheusFloat.appendSampleValue(exemplar.value, to: &bytes)
            if exemplar.time > 0 {
                bytes.append(UInt8(ascii: " "))
                PrometheusFloat.appendSeconds(nanoseconds: exemplar.time, to: &bytes)
            }
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Ends the exposition (`# EOF` in OpenMetrics).
    package mutating func finish() {
        if format.syntax == .openMetrics { bytes.append(contentsOf: "# EOF\n".utf8) }
    }

    private mutating func appendTimestamp(_ nanoseconds: UInt64) {
        bytes.append(UInt8(ascii: " "))
        if format.syntax == .openMetrics {
            PrometheusFloat.appendSeconds(nanoseconds: nanoseconds, to: &bytes)
        } else {
            PrometheusFloat.appendInteger(nanoseconds / 1_000_000, to: &bytes)
        }
    }

    private mutating func appendStatic(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    // MARK: Labels

    /// The text inside a series' braces: `a="1",b="x\"y"`; label names outside
    /// the legacy set are quoted (`"http.method"="GET"`), for UTF-8 scrapers.
    package static func labelText(_ labels: [Label]) -> [UInt8] {
        var out: [UInt8] = []
        for (index, label) in labels.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            if PrometheusNames.isLegacyLabelName(label.name) {
                out.append(contentsOf: label.name.utf8)
            } else {
                out.append(UInt8(ascii: "\""))
                QuotedText.append(label.name, to: &out)
                out.append(UInt8(ascii: "\""))
            }
            out.append(contentsOf: "=\"".utf8)
            QuotedText.append(label.value, to: &out)
            out.append(UInt8(ascii: "\""))
        }
        return out
    }
}

/// Label text (what goes inside a series' braces) in two parts written one
/// after the other: a head that many series may share and the rest. Borrowed:
/// valid only while its owner is.
package struct SplitLabelText {
    package var head: UnsafeRawBufferPointer
    package var tail: UnsafeRawBufferPointer

    package init(head: UnsafeRawBufferPointer, tail: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)) {
        self.head = head
        self.tail = tail
    }

    package var count: Int { head.count + tail.count }
    package var isEmpty: Bool { head.isEmpty && tail.isEmpty }

    /// Bytewise order of the whole texts (negative, zero, positive).
    package static func compare(_ left: SplitLabelText, _ right: SplitLabelText) -> Int {
        if left.head.count == right.head.count, left.head.baseAddress == right.head.baseAddress {
            return compare(left.tail, right.tail)  // the same shared head
        }
        var leftPart = left.head
        var leftNext = left.tail
        var rightPart = right.head
        var rightNext = right.tail
        while true {
            if leftPart.isEmpty {
                if leftNext.isEmpty { return rightPart.isEmpty && rightNext.isEmpty ? 0 : -1 }
                (leftPart, leftNext) = (leftNext, UnsafeRawBufferPointer(start: nil, count: 0))
                continue
            }
            if rightPart.isEmpty {
                if rightNext.isEmpty { return 1 }
                (rightPart, rightNext) = (rightNext, UnsafeRawBufferPointer(start: nil, count: 0))
                continue
            }
            let common = min(leftPart.count, rightPart.count)
            let order = memcmp(leftPart.baseAddress!, rightPart.baseAddress!, common)
            if order != 0 { return Int(order) }
            leftPart = UnsafeRawBufferPointer(rebasing: leftPart[common...])
            rightPart = UnsafeRawBufferPointer(rebasing: rightPart[common...])
        }
    }

    /// Bytewise order of two contiguous texts.
    package static func compare(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Int {
        let common = min(left.count, right.count)
        if common > 0 {
            let order = memcmp(left.baseAddress!, right.baseAddress!, common)
            if order != 0 { return Int(order) }
        }
        return left.count - right.count
    }
}
