#ifndef OPENSRE_MALLOC_TUNING_H
#define OPENSRE_MALLOC_TUNING_H

/// Sets glibc's mmap and trim thresholds and the most malloc arenas (mallopt
/// is in <malloc.h>, which Swift's Glibc module does not export). Returns 1
/// when all were accepted.
int opensre_malloc_tune(int mmap_threshold, int trim_threshold, int arena_max);

/// Returns free heap memory to the kernel (malloc_trim(0)); 1 when some was released.
int opensre_malloc_trim(void);

/// Hints the CPU to load the cache line at `address` (for a walk over
/// objects scattered in memory, a few steps ahead of where it reads).
static inline void opensre_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
