import OpenSREModel

/// A JSON value of the wrong shape, with where it was found.
struct JSONShapeError: Error {
    var message: String
    /// Set for an attribute value nested past the limit.
    var decodingError: OTLPDecodingError

    init(message: String) {
        self.message = message
        decodingError = .malformedJSON(message)
    }

    init(_ error: OTLPDecodingError) {
        message = error.reason
        decodingError = error
    }
}
