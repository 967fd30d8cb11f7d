/* civicload's load loop: connections, call scheduling and measurement. */
#ifndef CIVICLOAD_RUNNER_H
#define CIVICLOAD_RUNNER_H

#include <stdint.h>

#include "civicwire/status.h"
#include "histogram.h"
#include "options.h"

typedef struct results {
    histogram *hist; /* latencies of measured calls, ns */
    histogram *hist_ok;     /* the same, calls that ended OK */
    histogram *hist_failed; /* the same, calls that ended with any other status (refusals) */
    uint64_t status[CW_CODE_MAX + 1];
    uint64_t calls;        /* measured calls completed */
    uint64_t warmup_calls; /* completed during warm-up, not measured */
    int64_t elapsed_ns;    /* from the first measured send to the last measured completion */
    double rate;           /* calls / elapsed */
    uint32_t reconnects;
    uint64_t retries;          /* keyed calls sent again (--retry) */
    uint64_t connect_failures; /* failed connects survived (--retry) */
    char error[320];       /* why the run stopped early, or empty */
} results;

/* Runs the load described by o. Returns 0 when it ran to its bound, 1 when it stopped early. */
int run_load(const options *o, results *r);
void results_free(results *r);

int64_t mono_ns(void);

#endif
