#include "cotlp.h"
#include <stdlib.h>
#include <string.h>

#define COTLP_ALIGN 16
/// Never grow the reusable block past this; bigger requests use overflow.
#define COTLP_MAX_BLOCK (64u * 1024u * 1024u)

static size_t cotlp_round_up(size_t n) {
    return (n + (COTLP_ALIGN - 1)) & ~((size_t)COTLP_ALIGN - 1);
}

static void *cotlp_arena_alloc(void *data, size_t size) {
    COTLPArena *arena = (COTLPArena *)data;
    size_t rounded = cotlp_round_up(size == 0 ? 1 : size);
    if (rounded < size || arena->total + rounded > arena->limit) {
        arena->exhausted = 1;
        return NULL;
    }
    arena->total += rounded;
    if (arena->capacity - arena->used >= rounded) {
        void *p = arena->block + arena->used;
        arena->used += rounded;
        return p;
    }
    if (arena->overflow_count == arena->overflow_capacity) {
        size_t next = arena->overflow_capacity ? arena->overflow_capacity * 2 : 64;
        void **grown = realloc(arena->overflow, next * sizeof(void *));
        if (grown == NULL) return NULL;
        arena->overflow = grown;
        arena->overflow_capacity = next;
    }
    void *p = aligned_alloc(COTLP_ALIGN, rounded);
    if (p == NULL) return NULL;
    arena->overflow[arena->overflow_count++] = p;
    return p;
}

static void cotlp_arena_free(void *data, void *pointer) {
    (void)data;
    (void)pointer;
}

COTLPArena *cotlp_arena_create(size_t capacity, size_t limit) {
    COTLPArena *arena = calloc(1, sizeof(COTLPArena));
    if (arena == NULL) return NULL;
    capacity = cotlp_round_up(capacity == 0 ? 4096 : capacity);
    arena->block = aligned_alloc(COTLP_ALIGN, capacity);
    if (arena->block == NULL) {
        free(arena);
        return NULL;
    }
    arena->capacity = capacity;
    arena->limit = limit;
    arena->allocator.alloc = cotlp_arena_alloc;
    arena->allocator.free = cotlp_arena_free;
    arena->allocator.allocator_data = arena;
    return arena;
}

void cotlp_arena_reset(COTLPArena *arena) {
    size_t needed = arena->total;
    for (size_t i = 0; i < arena->overflow_count; i++) free(arena->overflow[i]);
    int overflowed = arena->overflow_count > 0;
    arena->overflow_count = 0;
    arena->used = 0;
    arena->total = 0;
    arena->exhausted = 0;
    if (overflowed && needed > arena->capacity && needed <= COTLP_MAX_BLOCK) {
        size_t capacity = cotlp_round_up(needed + needed / 4);
        uint8_t *grown = aligned_alloc(COTLP_ALIGN, capacity);
        if (grown != NULL) {
            free(arena->block);
            arena->block = grown;
            arena->capacity = capacity;
        }
    }
}

void *cotlp_arena_allocate(COTLPArena *arena, size_t size) {
    return cotlp_arena_alloc(arena, size);
}

void cotlp_arena_destroy(COTLPArena *arena) {
    if (arena == NULL) return;
    cotlp_arena_reset(arena);
    free(arena->overflow);
    free(arena->block);
    free(arena);
}
