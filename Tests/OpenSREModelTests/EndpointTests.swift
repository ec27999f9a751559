import OpenSREModel
import Testing

@Suite("Endpoint and duration parsing")
struct EndpointTests {
    @Test(
        "host:port forms",
        arguments: [
            ("0.0.0.0:4318", "0.0.0.0", 4318),
            ("localhost:8889", "localhost", 8889),
            (":4318", "0.0.0.0", 4318),
            ("[::1]:9000", "::1", 9000),
            ("127.0.0.1:0", "127.0.0.1", 0),
        ])
    func valid(text: String, host: String, port: Int) {
        #expect(Endpoint(parsing: text) == Endpoint(host: host, port: port))
    }

    @Test("invalid endpoints", arguments: ["4318", "host:", "host:70000", "::1:80", "host:port", "[::1:80"])
    func invalid(text: String) {
        #expect(Endpoint(parsing: text) == nil)
    }

    @Test(
        "Go-style durations",
        arguments: [
            ("200ms", Duration.milliseconds(200)), ("5s", .seconds(5)), ("1m30s", .seconds(90)),
            ("1.5h", .seconds(5400)), ("0", .zero), ("250us", .microseconds(250)), ("10ns", .nanoseconds(10)),
        ])
    func durations(text: String, expected: Duration) {
        #expect(DurationText.parse(text) == expected)
    }

    @Test("invalid durations", arguments: ["", "5", "ms", "5 parsecs", "1x", "-1s"])
    func invalidDurations(text: String) {
        #expect(DurationText.parse(text) == nil)
    }
}
