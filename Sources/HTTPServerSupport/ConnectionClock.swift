import NIOCore
import NIOHTTP1

/// The state one connection's two timeout handlers share (confined to its event loop).
///
/// Each phase sets a deadline; one timer per connection enforces it. The
/// timer is only rescheduled when a deadline comes earlier than the time it
/// is set for: a timer that fires early checks the current deadline and
/// sleeps again until then. With keep-alive traffic a request therefore
/// costs three clock reads, not three timer schedules and cancellations
/// (each an allocation and a heap operation on the event loop).
final class ConnectionClock {
    enum Phase { case awaitingRequest, readingHead, readingBody, responding }

    let timeouts: ConnectionTimeouts
    private(set) var phase = Phase.awaitingRequest
    /// When the current phase times out; nil when it cannot.
    private var deadline: NIODeadline?
    private var timer: Scheduled<Void>?
    /// When `timer` fires (meaningful while it is set).
    private var timerDeadline = NIODeadline.distantFuture
    private var loop: (any EventLoop)?
    /// Answers 408 and closes (set by ``ByteArrivalHandler``): a request too slow to arrive.
    var timeOut: (() -> Void)?
    /// Closes the connection (set by ``RequestTimeoutHandler``): idle too long.
    var closeIdle: (() -> Void)?

    init(timeouts: ConnectionTimeouts) {
        self.timeouts = timeouts
    }

    /// Moves to `phase` and starts its timeout (`responding` has none).
    func enter(_ phase: Phase, on loop: any EventLoop) {
        self.phase = phase
        let amount: TimeAmount?
        switch phase {
        case .awaitingRequest: amount = timeouts.idle
        case .readingHead: amount = timeouts.readHeader
        case .readingBody: amount = timeouts.read
        case .responding: amount = nil
        }
        guard let amount else {
            deadline = nil
            return
        }
        let due = NIODeadline.now() + amount
        deadline = due
        if timer != nil, timerDeadline <= due { return }  // it fires first and waits for the rest
        timer?.cancel()
        schedule(at: due, on: loop)
    }

    /// Cancels the timer for good (the connection is closed).
    func stop() {
        deadline = nil
        timer?.cancel()
        timer = nil
    }

    private func schedule(at due: NIODeadline, on loop: any EventLoop) {
        self.loop = loop
        timerDeadline = due
        let bound = NIOLoopBound(self, eventLoop: loop)
        timer = loop.scheduleTask(deadline: due) { bound.value.fire() }
    }

    private func fire() {
        timer = nil
        guard let deadline, let loop else { return }  // no timeout now: the next phase schedules one
        if deadline > NIODeadline.now() {
            schedule(at: deadline, on: loop)
            return
        }
        self.deadline = nil
        switch phase {
        case .readingHead, .readingBody: timeOut?()
        case .awaitingRequest: closeIdle?()
        case .responding: break
        }
    }
}
