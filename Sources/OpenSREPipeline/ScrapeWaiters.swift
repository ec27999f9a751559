import Synchronization

/// Tasks waiting for the next scrape to be answered (shutdown's final
/// scrape), each with a deadline: resumed by the scrape, or by the deadline.
final class ScrapeWaiters: Sendable {
    private struct Waiter {
        var id: UInt64
        var after: Int
        var continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var nextID: UInt64 = 0
        var waiters: [Waiter] = []
        var answered = 0
    }

    private let state = Mutex(State())

    /// Records that `count` scrapes have been answered in all; resumes those waiting for it.
    func answered(_ count: Int) {
        let ready = state.withLock { state -> [Waiter] in
            state.answered = max(state.answered, count)
            let ready = state.waiters.filter { $0.after < count }
            state.waiters.removeAll { $0.after < count }
            return ready
        }
        for waiter in ready { waiter.continuation.resume(returning: true) }
    }

    /// Waits until more than `count` scrapes were answered (true), or until
    /// `deadline` passes or the task is cancelled (false).
    func wait(after count: Int, until deadline: ContinuousClock.Instant) async -> Bool {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        var timeout: Task<Void, Never>?
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let answeredAlready = state.withLock { state -> Bool in
                    guard state.answered <= count else { return true }
                    state.waiters.append(Waiter(id: id, after: count, continuation: continuation))
                    return false
                }
                if answeredAlready {
                    continuation.resume(returning: true)
                    return
                }
                // Started once the waiter is in place, so the deadline cannot pass unseen.
                timeout = Task {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    self.resume(id, with: false)
                }
            }
        } onCancel: {
            self.resume(id, with: false)
        }
        timeout?.cancel()
        return result
    }

    private func resume(_ id: UInt64, with result: Bool) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(returning: result)
    }
}
