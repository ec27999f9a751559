import CMallocTuning

/// glibc malloc settings for the collector process.
///
/// Each request allocates a few hundred KiB of batch buffers that the
/// processor frees a moment later. With glibc's defaults those buffers are
/// mmapped or trimmed off the heap top and then faulted back in zeroed for the
/// next request: 65 page faults and ~10% of decode CPU per 1000-point request
/// in the micro benchmark. A fixed mmap threshold (4 MiB) keeps them in the
/// heap, and an 8 MiB trim threshold lets about ten requests' worth stay
/// mapped; larger blocks are still mmapped and returned on free.
///
/// One malloc arena for all threads: the event loops allocate the batches
/// and the processor thread frees them, so per-thread arenas each kept their
/// own high-water mark (resident memory at 1M series varied by 30–60 MB from
/// run to run). The lock is uncontended in practice: about 30 allocations
/// per request, and glibc's per-thread cache serves small blocks without it.
package enum MallocTuning {
    package static let mmapThreshold: Int32 = 4 << 20
    package static let trimThreshold: Int32 = 8 << 20
    package static let arenas: Int32 = 1

    /// Returns whether glibc accepted the settings.
    @discardableResult
    package static func apply() -> Bool {
        opensre_malloc_tune(mmapThreshold, trimThreshold, arenas) == 1
    }

    /// Hands free heap pages back to the kernel. Freed memory inside the heap
    /// (between live blocks) is otherwise kept: after a burst of queued
    /// batches at 1M new series, 80 MB stayed resident. It walks the free
    /// lists under the malloc lock (milliseconds), so it is for after bursts.
    @discardableResult
    package static func releaseFreeMemory() -> Bool {
        opensre_malloc_trim() == 1
    }
}
