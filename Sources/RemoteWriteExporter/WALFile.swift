#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file descriptor of the write-ahead log, with its path for the errors,
/// closed when the last reference goes: whole reads and writes at explicit
/// offsets (no shared file position, no user-space buffering, so what
/// `write` returned from is in the page cache and survives a kill -9 of the
/// process).
final class WALFile {
    let descriptor: Int32
    let path: String

    /// Opens `path` for reading and writing; `create` makes it (0644) when missing.
    init(path: String, create: Bool = false) throws(WALError) {
        descriptor = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0o644)
        self.path = path
        guard descriptor >= 0 else { throw .system(call: "open", path: path, errno: errno) }
    }

    /// Opens the directory `path`, to fsync its entries.
    init(directory path: String) throws(WALError) {
        descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        self.path = path
        guard descriptor >= 0 else { throw .system(call: "open", path: path, errno: errno) }
    }

    deinit { if descriptor >= 0 { closeDescriptor(descriptor) } }

    /// Writes all of `bytes` at `offset`, resuming after short writes.
    func write(_ bytes: [UInt8], at offset: Int) throws(WALError) {
        let failure = bytes.withUnsafeBytes { bytes -> Int32? in
            var done = 0
            while done < bytes.count {
                let result = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
                if result < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += result
            }
            return nil
        }
        if let failure { throw .system(call: "pwrite", path: path, errno: failure) }
    }

    /// Up to `count` bytes from `offset`: fewer only at the end of the file.
    func read(_ count: Int, at offset: Int) throws(WALError) -> [UInt8] {
        var failure: Int32?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, done in
            while done < count {
                let result = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset + done))
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if result == 0 { return }
                done += result
            }
        }
        if let failure { throw .system(call: "pread", path: path, errno: failure) }
        return bytes
    }

    func size() throws(WALError) -> Int {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .system(call: "fstat", path: path, errno: errno) }
        return Int(status.st_size)
    }

    func truncate(to length: Int) throws(WALError) {
        guard ftruncate(descriptor, off_t(length)) == 0 else { throw .system(call: "ftruncate", path: path, errno: errno) }
    }

    func sync() throws(WALError) {
        guard fsync(descriptor) == 0 else { throw .system(call: "fsync", path: path, errno: errno) }
    }
}

private func closeDescriptor(_ descriptor: Int32) { _ = close(descriptor) }
