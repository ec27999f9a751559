/// The explicit bucket boundaries the HTTP semantic conventions advise for
/// `http.server.request.duration`, in seconds: the golden latency histogram's
/// and the span metrics' default duration buckets.
package enum HTTPDurationBuckets {
    package static let seconds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
}
