import Dispatch
import HTTPServerSupport
import NIOCore
import NIOHTTP1
import OpenSREPipeline
import Synchronization

/// Streams a scrape to an HTTP/1.1 scraper while the processor renders it,
/// with chunked transfer encoding: the page is never held whole (a 1M-series
/// page is 130 MB), its first bytes leave before its last series is rendered,
/// and the event loop, which also serves ingest, only writes buffers.
///
/// `write` and `finish` run on the processor thread; they hand buffers to the
/// channel's event loop with `execute`, which runs tasks in order.
package final class StreamingScrapeSink: ScrapeSink, @unchecked Sendable {
    // @unchecked: `pending` and `started` are touched by the processor thread
    // only, the channel context only on its event loop (NIOLoopBound checks).
    private let context: NIOLoopBound<ChannelHandlerContext>
    private let eventLoop: any EventLoop
    private let head: HTTPResponseHead
    private let keepAlive: Bool
    private var pending: ByteBuffer
    private var started = false
    private var abandoned = false
    /// Bytes handed to the event loop and not yet written to the socket.
    private let unsent = Atomic<Int>(0)
    private let progress = Atomic<UInt64>(DispatchTime.now().uptimeNanoseconds)
    /// Who to wake once `unsent` falls to a limit (the processor, paused on this reader).
    private let drainWaiter = Mutex<(limit: Int, wake: @Sendable () -> Void)?>(nil)

    /// Bytes gathered before they are sent: small compressed pieces are
    /// coalesced; plain slices (256 KiB) go at once.
    package static let chunkBytes = 64 << 10

    /// - Parameter head: the 200 response's head, sent with the first bytes.
    package init(context: ChannelHandlerContext, head: HTTPResponseHead, keepAlive: Bool) {
        self.context = NIOLoopBound(context, eventLoop: context.eventLoop)
        eventLoop = context.eventLoop
        var head = head
        if !keepAlive { head.headers.replaceOrAdd(name: "Connection", value: "close") }
        self.head = head
        self.keepAlive = keepAlive
        pending = context.channel.allocator.buffer(capacity: Self.chunkBytes)
    }

    package func reserve(_ bytes: Int) {}

    package var backlog: Int { abandoned ? 0 : unsent.load(ordering: .relaxed) }

    package var lastProgress: UInt64 { progress.load(ordering: .relaxed) }

    package func notifyWhenBacklog(atMost limit: Int, _ wake: @escaping @Sendable () -> Void) {
        drainWaiter.withLock { $0 = (limit, wake) }
        wakeWaiterIfDrained()
    }

    /// Calls the registered waiter (once) if the backlog is down to its limit.
    private func wakeWaiterIfDrained() {
        let backlog = unsent.load(ordering: .relaxed)
        let wake = drainWaiter.withLock { waiter -> (@Sendable () -> Void)? in
            guard let registered = waiter, backlog <= registered.limit else { return nil }
            waiter = nil
            return registered.wake
        }
        wake?()
    }

    package func abandon() {
        abandoned = true
        let context = self.context
        eventLoop.execute { context.value.close(promise: nil) }
    }

    package func write(_ bytes: UnsafeRawBufferPointer) {
        guard !abandoned else { return }
        pending.writeBytes(bytes)
        if pending.readableBytes >= Self.chunkBytes { send(last: false) }
    }

    /// Ends the response once the scrape completed. After a failure the
    /// scraper gets `failure` if nothing was sent yet; otherwise the
    /// connection is closed mid-body, which tells it the page is incomplete.
    package func finish(_ result: Result<Void, ProcessorError>, failure: @escaping @Sendable () -> HTTPResponse) {
        guard !abandoned else { return }
        switch result {
        case .success:
            send(last: true)
        case .failure where !started:
            let context = self.context
            let keepAlive = self.keepAlive
            eventLoop.execute {
                failure().write(to: context.value, keepAlive: keepAlive) { NIOAny($0) }
            }
        case .failure:
            let context = self.context
            eventLoop.execute { context.value.close(promise: nil) }
        }
    }

    private func send(last: Bool) {
        let chunk = pending
        pending = last ? ByteBuffer() : ByteBufferAllocator().buffer(capacity: Self.chunkBytes)
        let first = !started
        started = true
        if first { progress.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed) }
        let context = self.context
        let head = self.head
        let close = last && !keepAlive
        let size = chunk.readableBytes
        unsent.add(size, ordering: .relaxed)
        eventLoop.execute { [self] in
            let context = context.value
            if first { context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil) }
            if size > 0 {
                let written = context.eventLoop.makePromise(of: Void.self)
                written.futureResult.whenComplete { _ in
                    self.unsent.subtract(size, ordering: .relaxed)
                    self.progress.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
                    self.wakeWaiterIfDrained()
                }
                context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(chunk))), promise: written)
            }
            if last {
                let done = context.eventLoop.makePromise(of: Void.self)
                context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)), promise: done)
                if close {
                    let channel = context.channel
                    done.futureResult.whenComplete { _ in channel.close(promise: nil) }
                }
            } else {
                context.flush()
            }
        }
    }
}
