// Thin shim over the system zlib (Debian zlib1g-dev).
// inflateInit2 is a macro, which Swift cannot call, hence the wrapper.
#ifndef CZLIB_H
#define CZLIB_H
#include <zlib.h>

/// Starts an inflate stream. `windowBits`: 15+16 gzip only, 15+32 gzip or zlib, -15 raw deflate.
static inline int czlib_inflate_init2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
/// Starts a deflate stream (`windowBits` 15+16 writes a gzip header).
static inline int czlib_deflate_init2(z_streamp stream, int level, int windowBits) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}
#endif
