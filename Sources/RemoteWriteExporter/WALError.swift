#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a ``WriteAheadLog`` operation failed. Disk trouble never traps: the
/// exporter counts and logs these, and the log stays usable where it can.
package enum WALError: Error, Equatable, CustomStringConvertible {
    /// A system call failed on `path`, with its `errno`.
    case system(call: String, path: String, errno: Int32)
    /// Bytes where a record should be are not a valid record (changed on
    /// disk after the log checked them when it opened).
    case corrupt(path: String, offset: Int, reason: String)
    /// A body the framing cannot hold (more than 4 GiB).
    case recordTooLarge(bytes: Int)

    package var description: String {
        switch self {
        case .system(let call, let path, let code):
            return "WAL: \(call) \(path): \(String(cString: strerror(code))) (errno \(code))"
        case .corrupt(let path, let offset, let reason):
            return "WAL: corrupt record in \(path) at offset \(offset) (\(reason)); the rest of that segment is skipped"
        case .recordTooLarge(let bytes):
            return "WAL: a \(bytes)-byte request is larger than a record can hold (4 GiB)"
        }
    }
}
