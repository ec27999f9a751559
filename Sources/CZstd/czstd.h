// The system zstd (Debian libzstd-dev), for `Content-Encoding: zstd` request bodies.
#ifndef CZSTD_H
#define CZSTD_H
#include <zstd.h>
#endif
