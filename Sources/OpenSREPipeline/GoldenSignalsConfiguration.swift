/// The golden signals derived per service (`processors.batch.golden_signals`).
package struct GoldenSignalsConfiguration: Sendable, Equatable {
    /// `enabled`, default true.
    package var enabled: Bool
    /// `http_error_status`, default `5..`: a regular expression (whole match)
    /// on `http.response.status_code` (or the older `http.status_code`) that
    /// makes a request an error.
    package var httpErrorStatus: String
    /// `error_type_is_error`, default true: a request with an `error.type`
    /// attribute is an error, whatever its status.
    package var errorTypeIsError: Bool

    package init(enabled: Bool = true, httpErrorStatus: String = "5..", errorTypeIsError: Bool = true) {
        self.enabled = enabled
        self.httpErrorStatus = httpErrorStatus
        self.errorTypeIsError = errorTypeIsError
    }
}
