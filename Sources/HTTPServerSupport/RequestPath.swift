/// The path of a request target (`/v1/metrics?x=1` → `/v1/metrics`).
package enum RequestPath {
    /// A view into `uri` up to its query: every request is routed through
    /// this, so it neither splits nor copies.
    package static func of(_ uri: String) -> Substring {
        let end = uri.utf8.firstIndex(of: UInt8(ascii: "?")) ?? uri.utf8.endIndex
        return uri[..<end]
    }
}
