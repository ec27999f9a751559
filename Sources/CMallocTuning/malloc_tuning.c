#include "malloc_tuning.h"
#include <malloc.h>

int opensre_malloc_tune(int mmap_threshold, int trim_threshold, int arena_max) {
    int mmap_ok = mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    int trim_ok = mallopt(M_TRIM_THRESHOLD, trim_threshold);
    int arena_ok = mallopt(M_ARENA_MAX, arena_max);
    return mmap_ok == 1 && trim_ok == 1 && arena_ok == 1;
}

int opensre_malloc_trim(void) {
    return malloc_trim(0);
}
