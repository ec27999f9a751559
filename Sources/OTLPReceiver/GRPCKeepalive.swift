import HTTPServerSupport
import NIOCore
import OpenSREModel

/// `keepalive.server_parameters`, with gRPC's (and so the Collector's)
/// defaults: connections live as long as clients keep them, and a connection
/// silent for `time` is pinged and closed if the ping is not answered within
/// `timeout`.
package struct GRPCKeepalive: Sendable, Equatable {
    /// `max_connection_idle`: a connection without calls for this long gets
    /// GOAWAY and is closed. Default off.
    package var maxConnectionIdle: TimeAmount?
    /// `max_connection_age`: a connection this old gets GOAWAY (its calls in
    /// flight finish), so that clients reconnect and load spreads. Default off.
    package var maxConnectionAge: TimeAmount?
    /// `max_connection_age_grace`: after that GOAWAY, calls still running after
    /// this long are cut off. Default off (they may run to their end).
    package var maxConnectionAgeGrace: TimeAmount?
    /// `time`: a connection silent this long is pinged. Default 2h.
    package var time: TimeAmount = .hours(2)
    /// `timeout`: an unanswered ping closes the connection after this. Default 20s.
    package var timeout: TimeAmount = .seconds(20)

    package init() {}
}
