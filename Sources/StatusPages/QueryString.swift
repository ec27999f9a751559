import Foundation

/// A page's query string (the text after `?`): `key=value` pairs, `+` and
/// percent-escapes decoded; pairs without `=` are skipped.
package enum QueryString {
    package static func pairs(_ query: Substring) -> [(key: Substring, value: String)] {
        query.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            return (parts[0], String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "")
        }
    }
}

/// `/golden?job=NAME`: the job whose charts are drawn.
package enum GoldenQuery {
    package static func job(in query: Substring) -> String? {
        QueryString.pairs(query).last { $0.key == "job" && !$0.value.isEmpty }?.value
    }
}
