import Foundation
import OpenSRESLO

/// The overview's sorting and filters, from its query string
/// (`?sort=burn&service=checkout&status=red`): plain links and a GET form
/// set them, so they work without JavaScript.
package struct OverviewQuery: Sendable, Equatable {
    package enum Sort: String, Sendable, CaseIterable {
        /// Remaining budget, least first (no data last): the default.
        case budget
        /// Burn rate over the shortest alerting window, highest first.
        case burn
        case name
    }

    package var sort: Sort = .budget
    /// Only this service's SLOs (empty: all).
    package var service = ""
    /// Only `green` or `red` SLOs (empty: all).
    package var status = ""

    package init(sort: Sort = .budget, service: String = "", status: String = "") {
        self.sort = sort
        self.service = service
        self.status = status
    }

    /// Reads `sort`, `service` and `status` from a query string (after `?`);
    /// unknown keys and values are ignored.
    package init(query: Substring) {
        for (key, value) in QueryString.pairs(query) {
            switch key {
            case "sort": sort = Sort(rawValue: value) ?? .budget
            case "service": service = value
            case "status": status = value == "green" || value == "red" ? value : ""
            default: continue
            }
        }
    }

    /// The statuses the filters keep, in the chosen order (ties by name).
    func apply(to statuses: [SLOStatus]) -> [SLOStatus] {
        let kept = statuses.filter { (service.isEmpty || $0.service == service) && (status.isEmpty || $0.status == status) }
        return kept.sorted { left, right in
            switch sort {
            case .name: return left.name < right.name
            case .budget: return Self.ascending(left.errorBudgetRemaining, right.errorBudgetRemaining, left.name, right.name)
            case .burn:
                return Self.ascending(
                    Self.fastestBurn(left).map { -$0 }, Self.fastestBurn(right).map { -$0 }, left.name, right.name)
            }
        }
    }

    /// The burn rate over the shortest alerting window (nil without events).
    static func fastestBurn(_ status: SLOStatus) -> Double? {
        status.windows.first(where: \.alerting)?.burnRate
    }

    /// Ascending by value, nil last, ties by name.
    private static func ascending(_ left: Double?, _ right: Double?, _ leftName: String, _ rightName: String) -> Bool {
        switch (left, right) {
        case let (left?, right?) where left != right: return left < right
        case (nil, .some): return false
        case (.some, nil): return true
        default: return leftName < rightName
        }
    }

    /// The query string of this query with `sort` changed.
    func with(sort: Sort) -> String {
        var items = ["sort=\(sort.rawValue)"]
        if !service.isEmpty { items.append("service=" + Self.encode(service)) }
        if !status.isEmpty { items.append("status=" + status) }
        return "?" + items.joined(separator: "&")
    }

    private static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}
