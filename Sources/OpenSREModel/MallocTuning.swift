import CMallocTuning

/// glibc malloc settings for the collector process.
///
/// Each request allocates a few hundred KiB of batch buffers that the
/// processor frees a moment later. With glibc's defaults those buffers are
/// mmapped or trimmed off the heap top and then faulted back in zeroed for the
/// next request: 65 page faults and ~10% of decode CPU per 1000-point request
/// in the micro benchmark. A fixed mmap threshold (4 MiB) keeps them in the
/// heap, and a 32 MiB trim threshold lets a few requests' worth stay mapped;
/// larger blocks (a big scrape page) are still mmapped and returned on free.
package enum MallocTuning {
    package static let mmapThreshold: Int32 = 4 << 20
    package static let trimThreshold: Int32 = 32 << 20

    /// Returns whether glibc accepted the settings.
    @discardableResult
    package static func apply() -> Bool {
        opensre_malloc_tune(mmapThreshold, trimThreshold) == 1
    }
}
