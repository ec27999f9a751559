import Foundation
import HTTPServerSupport
import NIOCore
import NIOHTTP1
import OpenSREPipeline
import OpenSRESLO

/// `GET /api/v1/slos` (every SLO) and `GET /api/v1/slos/{name}` (one), the
/// numbers of ``SLOStatus`` as JSON: read-only, served by the exporter's
/// listener beside `/metrics` (as is ``GoldenAPI``).
enum SLOAPI {
    static let prefix = "/api/v1/slos"

    static func handles(_ path: String) -> Bool { path == prefix || path.hasPrefix(prefix + "/") }

    /// Minutes of events the detail carries for its charts: six hours (or the period, when shorter).
    static let historyMinutes = 360

    /// The SLO `path` names (`/api/v1/slos/{name}`), nil for the list.
    static func name(in path: String) -> String? {
        path == prefix ? nil : String(path.dropFirst(prefix.count + 1))
    }

    /// A `405` unless `method` is GET.
    static func refusal(of method: HTTPMethod) -> HTTPResponse? {
        method == .GET
            ? nil : json(.methodNotAllowed, Failure(error: "method \(method.rawValue) not allowed, use GET"), headers: ["Allow": "GET"])
    }

    static func list(_ statuses: [SLOStatus]) -> HTTPResponse { json(.ok, List(slos: statuses)) }

    /// One SLO with its history, or a `404` naming what was asked for.
    static func detail(_ status: SLOStatus?, name: String) -> HTTPResponse {
        guard let status else { return json(.notFound, Failure(error: "no SLO named \(name)")) }
        return json(.ok, One(slo: status))
    }

    private struct List: Encodable { var slos: [SLOStatus] }
    private struct One: Encodable { var slo: SLOStatus }
    struct Failure: Encodable { var error: String }

    /// A JSON response (the API's one way of writing one).
    static func json(_ status: HTTPResponseStatus, _ value: some Encodable, headers: HTTPHeaders = [:]) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Non-finite numbers never reach here (no data is null), but a body is always written.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        let body = (try? encoder.encode(value)) ?? Data(#"{"error":"could not encode the response"}"#.utf8)
        var headers = headers
        headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: status, headers: headers, body: ByteBuffer(bytes: body))
    }
}

/// `GET /api/v1/golden`: every job's golden signals (``GoldenStatus``).
enum GoldenAPI {
    static let path = "/api/v1/golden"

    private struct List: Encodable { var jobs: [GoldenStatus] }

    static func response(method: HTTPMethod, statuses: [GoldenStatus]) -> HTTPResponse {
        SLOAPI.refusal(of: method) ?? SLOAPI.json(.ok, List(jobs: statuses))
    }
}
