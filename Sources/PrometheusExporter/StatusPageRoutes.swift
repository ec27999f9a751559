import HTTPServerSupport
import NIOCore
import NIOHTTP1
import OpenSREPipeline
import OpenSRESLO
import StatusPages

/// The pages (``OverviewPage`` on `/`, ``SLODetailPage`` on `/slo/{name}`,
/// ``GoldenPage`` on `/golden`): the state is read on the processor
/// thread, the HTML written on the event loop. Read-only: GET only (405 in
/// JSON otherwise, as the API).
enum StatusPageRoutes {
    enum Page: Equatable {
        case overview(OverviewQuery)
        case slo(String)
        /// `?job=NAME`: that job's charts only.
        case golden(job: String?)
        case script
    }

    static let sloPrefix = "/slo/"

    /// The page `path` names (with `query`, the text after `?`), if any.
    static func page(path: String, query: Substring) -> Page? {
        if path == "/" { return .overview(OverviewQuery(query: query)) }
        if path == "/golden" { return .golden(job: GoldenQuery.job(in: query)) }
        if path == PageScript.path { return .script }
        if path.hasPrefix(sloPrefix), path.count > sloPrefix.count {
            return .slo(String(path.dropFirst(sloPrefix.count)).removingPercentEncodingOrSelf)
        }
        return nil
    }

    /// The response to `page`, computed from the processor's state.
    static func response(_ page: Page, method: HTTPMethod, processor: BatchProcessor, on loop: any EventLoop) -> EventLoopFuture<HTTPResponse> {
        if let refusal = SLOAPI.refusal(of: method) { return loop.makeSucceededFuture(refusal) }
        switch page {
        case .script:
            return loop.makeSucceededFuture(
                HTTPResponse(
                    status: .ok, headers: ["Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "max-age=300"],
                    body: ByteBuffer(string: PageScript.text)))
        case .overview(let query):
            let promise = loop.makePromise(of: [SLOStatus].self)
            processor.sloStatuses { promise.succeed($0) }
            return promise.futureResult.map { html(OverviewPage.render($0, query: query)) }
        case .golden(let job):
            let promise = loop.makePromise(of: [GoldenStatus].self)
            processor.goldenStatuses { promise.succeed($0) }
            return promise.futureResult.map { html(GoldenPage.render($0, selected: job)) }
        case .slo(let name):
            let promise = loop.makePromise(of: (status: SLOStatus, definition: SLODefinition)?.self)
            processor.sloDetail(named: name, historyMinutes: SLOAPI.historyMinutes) { promise.succeed($0) }
            return promise.futureResult.map { detail in
                guard let (status, definition) = detail else {
                    return .text(.notFound, "no SLO named \(name) (the SLOs are listed on /)")
                }
                let rules = (try? AlertRules.ruleGroups([definition], minimumEvents: nil)) ?? "(the rules could not be written)"
                return html(SLODetailPage.render(status, definition: definition.source, rules: rules))
            }
        }
    }

    private static func html(_ page: String) -> HTTPResponse {
        let headers: HTTPHeaders = [
            "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
            // Nothing is fetched from anywhere else: inline style, one script from here.
            "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; form-action 'self'",
            "X-Content-Type-Options": "nosniff",
        ]
        return HTTPResponse(status: .ok, headers: headers, body: ByteBuffer(string: page))
    }
}

extension String {
    fileprivate var removingPercentEncodingOrSelf: String { removingPercentEncoding ?? self }
}
