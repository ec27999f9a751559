// Counts heap allocations in the benchmark executables.
//
// The executable defines malloc and friends itself (forwarding to glibc's
// __libc_* entry points), so every allocation in the process, Swift runtime
// included, passes through a counter. Linked only into benchmark binaries.
#ifndef MALLOC_COUNTER_H
#define MALLOC_COUNTER_H
#include <stdint.h>

typedef struct MallocCounts {
    uint64_t allocations;  // malloc, calloc, realloc of NULL, aligned allocations
    uint64_t bytes;        // bytes requested by those calls (and by growing reallocs)
    uint64_t frees;
} MallocCounts;

/// Totals since the process started (relaxed atomic reads).
MallocCounts malloc_counter_read(void);

/// Live heap bytes (glibc mallinfo2: uordblks, in use in the arenas, + hblkhd,
/// in mmapped chunks).
uint64_t malloc_counter_heap_in_use(void);

#endif
