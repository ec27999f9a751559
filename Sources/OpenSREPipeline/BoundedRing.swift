import Synchronization

/// A bounded, lock-free queue from the event loops to the batching processor.
///
/// This is Dmitry Vyukov's bounded MPMC queue algorithm, used with one consumer:
/// every cell carries a sequence number that says whose turn it is.
/// - A producer claims position `p` with one compare-and-swap on
///   `enqueuePosition` when cell `p & mask` has sequence `p` (free), writes the
///   element, then publishes it by storing sequence `p + 1` (release).
/// - The consumer takes position `p` when the cell's sequence is `p + 1`
///   (acquire), moves the element out and frees the cell for the next lap by
///   storing `p + capacity`.
/// - A full ring makes `push` return false at once: the caller answers 503 so
///   the sender retries later; nothing blocks and nothing is dropped silently.
///
/// Each event loop gets its own ring, so producers rarely contend; the
/// algorithm stays correct even if they do. Only one thread may call `pop`.
package final class BoundedRing<Element>: @unchecked Sendable {
    // @unchecked: cells are handed between threads only through the sequence
    // protocol above (a release store after writing, an acquire load before reading).
    package let capacity: Int
    private let mask: Int
    private let sequences: UnsafeMutablePointer<Atomic<Int>>
    private let elements: UnsafeMutablePointer<Element?>
    private let enqueuePosition = Atomic<Int>(0)
    private let dequeuePosition = Atomic<Int>(0)

    /// - Parameter capacity: rounded up to a power of two (at least 2).
    package init(capacity: Int) {
        var size = 2
        while size < capacity { size <<= 1 }
        self.capacity = size
        mask = size - 1
        sequences = .allocate(capacity: size)
        elements = .allocate(capacity: size)
        for index in 0..<size {
            (sequences + index).initialize(to: Atomic(index))
            (elements + index).initialize(to: nil)
        }
    }

    deinit {
        for index in 0..<capacity {
            _ = (sequences + index).move()
        }
        sequences.deallocate()
        elements.deinitialize(count: capacity)
        elements.deallocate()
    }

    /// Adds `element`; false when the ring is full. Safe from any thread.
    package func push(_ element: Element) -> Bool {
        var position = enqueuePosition.load(ordering: .relaxed)
        while true {
            let sequence = sequences[position & mask].load(ordering: .acquiring)
            let difference = sequence &- position
            if difference == 0 {
                let (exchanged, current) = enqueuePosition.compareExchange(
                    expected: position, desired: position &+ 1, ordering: .relaxed)
                if exchanged { break }
                position = current
            } else if difference < 0 {
                return false
            } else {
                position = enqueuePosition.load(ordering: .relaxed)
            }
        }
        elements[position & mask] = element
        sequences[position & mask].store(position &+ 1, ordering: .releasing)
        return true
    }

    /// Removes the oldest published element; nil when there is none. Consumer only.
    package func pop() -> Element? {
        let position = dequeuePosition.load(ordering: .relaxed)
        let sequence = sequences[position & mask].load(ordering: .acquiring)
        guard sequence == position &+ 1 else { return nil }
        let element = elements[position & mask].take()
        sequences[position & mask].store(position &+ capacity, ordering: .releasing)
        dequeuePosition.store(position &+ 1, ordering: .relaxed)
        return element
    }

    /// Elements pushed and not yet popped (approximate while producers run).
    package var count: Int {
        max(0, enqueuePosition.load(ordering: .relaxed) &- dequeuePosition.load(ordering: .relaxed))
    }
}
