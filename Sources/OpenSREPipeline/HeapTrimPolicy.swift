/// When the processor returns free heap memory to the system: once a burst
/// of queued batches (about 100 MB of decoded points) has been folded in.
/// Their buffers, freed by then, would otherwise stay resident between the
/// series allocated meanwhile. A job the processor loop runs, not part of a drain.
struct HeapTrimPolicy {
    /// Points queued at once that count as a burst.
    static let burstPoints = 500_000

    /// Most points seen queued since the heap was last trimmed.
    private(set) var largestBacklog = 0

    /// Notes how many points wait before a drain.
    mutating func observe(backlog: Int) {
        largestBacklog = max(largestBacklog, backlog)
    }

    /// Whether to trim now, with `queued` points still waiting; forgets the burst when so.
    mutating func shouldTrim(queued: Int) -> Bool {
        guard largestBacklog >= Self.burstPoints, queued == 0 else { return false }
        largestBacklog = 0
        return true
    }
}
