/* civicload --trace-sample: which calls carry a fresh traceparent. */
#ifndef CIVICLOAD_SAMPLING_H
#define CIVICLOAD_SAMPLING_H

#include <stdbool.h>
#include <stdint.h>

/* A seeded generator per run (no global state); splitmix64. */
typedef struct sampler {
    uint64_t state;
    double ratio; /* 0: never, 1: every call */
} sampler;

void sampler_init(sampler *s, double ratio, uint64_t seed);

/* Whether the next call is traced: true for about `ratio` of calls. */
bool sampler_next(sampler *s);

#endif
