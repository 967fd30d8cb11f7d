/*
 * An HDR-style latency histogram: log-linear buckets with 3 significant digits
 * (relative error below 0.1%) from 1 ns to about 18 minutes; fixed memory.
 */
#ifndef CIVICLOAD_HISTOGRAM_H
#define CIVICLOAD_HISTOGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HIST_SUB_BITS 11                        /* 2048 sub-buckets: 3 significant digits */
#define HIST_SUB_COUNT (1u << HIST_SUB_BITS)
#define HIST_SUB_HALF (HIST_SUB_COUNT / 2)
#define HIST_BUCKETS 30                          /* top value 2^40 ns */
#define HIST_COUNTS ((HIST_BUCKETS + 1) * HIST_SUB_HALF)
#define HIST_MAX_VALUE ((int64_t)1 << 40)

typedef struct histogram {
    uint64_t counts[HIST_COUNTS];
    uint64_t total;
    int64_t min;
    int64_t max;
    double sum;
} histogram;

void hist_init(histogram *h);
/* Records one value in ns; negative values count as 0, values above the range as the top. */
void hist_record(histogram *h, int64_t value);
/* Adds every count of src into dst. */
void hist_merge(histogram *dst, const histogram *src);
/* The value at percentile p (0..100): the highest value equivalent to the bucket reached. */
int64_t hist_percentile(const histogram *h, double p);
double hist_mean(const histogram *h);

/* Index of a value's bucket, and the lowest / highest value that shares the bucket. */
size_t hist_index(int64_t value);
int64_t hist_lowest_at(size_t index);
int64_t hist_highest_at(size_t index);

#endif
