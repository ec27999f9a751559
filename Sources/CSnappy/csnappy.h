// The system snappy (Debian libsnappy-dev): remote write bodies are snappy
// block format (not the framed stream format).
#ifndef CSNAPPY_H
#define CSNAPPY_H
#include <snappy-c.h>
#endif
