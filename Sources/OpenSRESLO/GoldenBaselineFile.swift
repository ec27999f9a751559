import Foundation

/// Persists the 14-day hourly baselines (``GoldenBaseline``) per job to
/// `state_dir/golden-baseline.bin`, beside the SLO state
/// (``SLOStateFile``), on the same `persist_interval` and at shutdown.
///
/// A file of its own, so that a team without SLOs yet keeps its baseline
/// (the `slo` processor listed without definitions), `opensre slo suggest`
/// reads it without the SLO definitions, and a problem with one file never
/// costs the other. Written atomically like the SLO state; the header's CRC-32,
/// length and bucket count catch a truncated or corrupt file or one written
/// with other buckets, which is then reported and not trusted (the collector
/// moves it aside and starts the baselines afresh).
///
/// Format 1, integers little-endian, strings as a u32 length and UTF-8:
/// ```
/// file    := "OSREBAS1" version:u32=1 buckets:u32=15 crc32:u32 length:u64 payload
/// payload := count:u32 job*
/// job     := name:string count:u32 hour*
/// hour    := hour:i64 requests:u64 errors:u64 bucket:u64 × 15
/// ```
/// `hour` is the Unix hour (Unix seconds / 3600); the buckets are the golden
/// ones (``GoldenBuckets``), not cumulative, the last `+Inf`.
package struct GoldenBaselineFile: Sendable {
    package let path: String
    static let magic: [UInt8] = Array("OSREBAS1".utf8)
    static let version: UInt32 = 1
    /// Job names longer than this are not saved (the reader's string bound).
    static let maxNameBytes = 1024

    package init(directory: String) {
        path = directory + "/golden-baseline.bin"
    }

    /// Writes the baselines, by job name.
    package func save(_ baselines: [(job: String, baseline: GoldenBaseline)]) throws {
        try SLOStateFile.writeAtomically(Self.encode(baselines), to: path)
    }

    /// The file's bytes for these baselines (jobs in name order).
    static func encode(_ baselines: [(job: String, baseline: GoldenBaseline)]) -> [UInt8] {
        let kept = baselines.filter { $0.job.utf8.count <= maxNameBytes }.sorted { $0.job < $1.job }
        var payload = StateWriter()
        payload.u32(UInt32(kept.count))
        for (job, baseline) in kept {
            payload.string(job)
            let hours = baseline.occupied
            payload.u32(UInt32(hours.count))
            for hour in hours {
                payload.u64(UInt64(bitPattern: hour.hour))
                payload.u64(hour.requests)
                payload.u64(hour.errors)
                for count in hour.buckets { payload.u64(count) }
            }
        }
        var file = StateWriter()
        file.bytes.append(contentsOf: magic)
        file.u32(version)
        file.u32(UInt32(GoldenBuckets.count))
        file.u32(SLOStateFile.crc(payload.bytes))
        file.u64(UInt64(payload.bytes.count))
        file.bytes.append(contentsOf: payload.bytes)
        return file.bytes
    }

    /// The saved baselines by job; empty when there is no file. Throws
    /// ``SLOStateFile/LoadProblem`` for a file that cannot be trusted,
    /// leaving it where it is (for readers such as `opensre slo suggest`).
    package func load() throws(SLOStateFile.LoadProblem) -> [String: GoldenBaseline] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        return try Self.decode(Array(data))
    }

    /// ``load()`` for the collector: a file that cannot be trusted is moved
    /// aside (kept for inspection) before the problem is thrown.
    package func restore() throws(SLOStateFile.LoadProblem) -> [String: GoldenBaseline] {
        do {
            return try load()
        } catch {
            let aside = path + ".corrupt-\(Int(Date().timeIntervalSince1970))-\(UInt32.random(in: 0...UInt32.max))"
            if (try? FileManager.default.moveItem(atPath: path, toPath: aside)) == nil { unlink(path) }
            throw error
        }
    }

    static func decode(_ bytes: [UInt8]) throws(SLOStateFile.LoadProblem) -> [String: GoldenBaseline] {
        var reader = StateReader(bytes: bytes)
        guard try reader.bytes(magic.count) == magic else { throw .corrupt("not an OpenSRE baseline file") }
        let fileVersion = try reader.u32()
        guard fileVersion == version else { throw .corrupt("unknown baseline version \(fileVersion)") }
        let buckets = try reader.u32()
        guard buckets == UInt32(GoldenBuckets.count) else { throw .corrupt("\(buckets) latency buckets, not \(GoldenBuckets.count)") }
        let checksum = try reader.u32()
        let length = try reader.u64()
        guard length == UInt64(bytes.count - reader.offset) else { throw .corrupt("truncated") }
        guard SLOStateFile.crc(Array(bytes[reader.offset...])) == checksum else { throw .corrupt("checksum mismatch") }
        var result: [String: GoldenBaseline] = [:]
        for _ in 0..<(try reader.u32()) {
            let job = try reader.string()
            var baseline = GoldenBaseline()
            let count = try reader.u32()
            guard count <= UInt32(GoldenBaseline.hours) else { throw .corrupt("\(count) hours for one job") }
            for _ in 0..<count {
                let hour = Int64(bitPattern: try reader.u64())
                let requests = try reader.u64()
                let errors = try reader.u64()
                var counts: [UInt64] = []
                for _ in 0..<GoldenBuckets.count { counts.append(try reader.u64()) }
                baseline.add(GoldenBaseline.Hour(hour: hour, requests: requests, errors: errors, buckets: counts))
            }
            result[job] = baseline
        }
        guard reader.offset == bytes.count else { throw .corrupt("unexpected trailing data") }
        return result
    }
}
