import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import NIOSSL
import OpenSREModel

/// Errors of ``HTTPServer``.
package enum HTTPServerError: Error, CustomStringConvertible {
    /// `start()` after `shutdown()`.
    case shutDown

    package var description: String { "the server was shut down and cannot be started again" }
}
