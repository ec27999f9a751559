import NIOCore
import NIOHTTP1

/// How long a connection may take at each step, so that slow or stalled
/// clients cannot hold connections (and memory) forever. Nil disables a timeout.
package struct ConnectionTimeouts: Sendable, Equatable {
    /// `read_header_timeout`: from the first byte of a request to its complete head.
    package var readHeader: TimeAmount?
    /// `read_timeout`: from a request's head to the end of its body.
    package var read: TimeAmount?
    /// `idle_timeout`: a kept-alive connection without a request is closed after this.
    package var idle: TimeAmount?

    package init(readHeader: TimeAmount? = .seconds(10), read: TimeAmount? = .seconds(30), idle: TimeAmount? = .seconds(60)) {
        self.readHeader = readHeader
        self.read = read
        self.idle = idle
    }
}
