import OpenSREPipeline
import Synchronization
import Testing

@Suite("Bounded lock-free ring")
struct BoundedRingTests {
    @Test("FIFO order, full at capacity, reusable after draining")
    func basics() {
        let ring = BoundedRing<Int>(capacity: 3)
        #expect(ring.capacity == 4)
        for value in 0..<4 { #expect(ring.push(value)) }
        #expect(!ring.push(99))
        #expect(ring.count == 4)
        #expect((0..<4).map { _ in ring.pop() } == [0, 1, 2, 3])
        #expect(ring.pop() == nil)
        for lap in 0..<10 {
            #expect(ring.push(lap))
            #expect(ring.pop() == lap)
        }
    }

    @Test("several producer threads, one consumer: every element arrives exactly once")
    func concurrent() async {
        let ring = BoundedRing<Int>(capacity: 64)
        let producers = 4
        let perProducer = 50_000
        let received = Received()
        await withTaskGroup(of: Void.self) { group in
            for producer in 0..<producers {
                group.addTask {
                    for index in 0..<perProducer {
                        let value = producer * perProducer + index
                        while !ring.push(value) { await Task.yield() }
                    }
                }
            }
            group.addTask {
                var seen: [Int] = []
                seen.reserveCapacity(producers * perProducer)
                while seen.count < producers * perProducer {
                    if let value = ring.pop() { seen.append(value) } else { await Task.yield() }
                }
                received.values.withLock { $0 = seen }
            }
        }
        let values = received.values.withLock { $0 }
        #expect(values.count == producers * perProducer)
        #expect(Set(values).count == producers * perProducer)
        // Per producer, order is kept.
        for producer in 0..<producers {
            let mine = values.filter { $0 / perProducer == producer }
            #expect(mine == mine.sorted())
        }
    }
}

private final class Received: Sendable {
    let values = Mutex<[Int]>([])
}
