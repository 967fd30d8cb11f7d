#include "histogram.h"

#include <string.h>

void hist_init(histogram *h) {
    memset(h, 0, sizeof *h);
}

size_t hist_index(int64_t value) {
    if (value < 0) value = 0;
    if (value >= HIST_MAX_VALUE) value = HIST_MAX_VALUE - 1;
    uint64_t v = (uint64_t)value;
    int top = 63 - __builtin_clzll(v | (HIST_SUB_COUNT - 1)); /* >= HIST_SUB_BITS - 1 */
    int bucket = top - (HIST_SUB_BITS - 1);
    size_t sub = (size_t)(v >> bucket);
    return (size_t)(bucket + 1) * HIST_SUB_HALF + (sub - HIST_SUB_HALF);
}

int64_t hist_lowest_at(size_t index) {
    int bucket = (int)(index >> (HIST_SUB_BITS - 1)) - 1;
    int64_t sub = (int64_t)(index & (HIST_SUB_HALF - 1)) + HIST_SUB_HALF;
    if (bucket < 0) {
        sub -= HIST_SUB_HALF;
        bucket = 0;
    }
    return sub << bucket;
}

int64_t hist_highest_at(size_t index) {
    int bucket = (int)(index >> (HIST_SUB_BITS - 1)) - 1;
    if (bucket < 0) bucket = 0;
    return hist_lowest_at(index) + ((int64_t)1 << bucket) - 1;
}

void hist_record(histogram *h, int64_t value) {
    if (value < 0) value = 0;
    h->counts[hist_index(value)]++;
    if (h->total == 0 || value < h->min) h->min = value;
    if (h->total == 0 || value > h->max) h->max = value;
    h->total++;
    h->sum += (double)value;
}

void hist_merge(histogram *dst, const histogram *src) {
    if (src->total == 0) return;
    for (size_t i = 0; i < HIST_COUNTS; i++) dst->counts[i] += src->counts[i];
    if (dst->total == 0 || src->min < dst->min) dst->min = src->min;
    if (dst->total == 0 || src->max > dst->max) dst->max = src->max;
    dst->total += src->total;
    dst->sum += src->sum;
}

int64_t hist_percentile(const histogram *h, double p) {
    if (h->total == 0) return 0;
    if (p >= 100.0) return h->max;
    double want = p / 100.0 * (double)h->total;
    uint64_t rank = (uint64_t)want;
    if ((double)rank < want || rank == 0) rank++;
    uint64_t seen = 0;
    for (size_t i = 0; i < HIST_COUNTS; i++) {
        seen += h->counts[i];
        if (seen >= rank) {
            int64_t v = hist_highest_at(i);
            return v > h->max ? h->max : v < h->min ? h->min : v;
        }
    }
    return h->max;
}

double hist_mean(const histogram *h) {
    return h->total ? h->sum / (double)h->total : 0.0;
}
