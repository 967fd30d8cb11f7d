/* civicload's HDR-style histogram: bucket arithmetic and percentiles. */
#include <stdlib.h>

#include "histogram.h"
#include "tests.h"

static void index_roundtrip(check_ctx *t) {
    const int64_t values[] = {0, 1, 2047, 2048, 2049, 4095, 4096, 123456, 1000000, 987654321, HIST_MAX_VALUE - 1};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        size_t idx = hist_index(values[i]);
        CHECK_MSG(t, idx < HIST_COUNTS, "index %zu", idx);
        CHECK_MSG(t, hist_lowest_at(idx) <= values[i] && values[i] <= hist_highest_at(idx), "value %lld",
                  (long long)values[i]);
        /* 3 significant digits: a bucket is at most 1/1024 of its value wide */
        CHECK(t, (hist_highest_at(idx) - hist_lowest_at(idx)) * 1024 <= values[i] + 1024);
    }
    CHECK(t, hist_index(2047) + 1 == hist_index(2048));
    CHECK(t, hist_index(-5) == 0);
}

static void percentiles_of_uniform(check_ctx *t) {
    histogram *h = malloc(sizeof *h);
    hist_init(h);
    for (int64_t v = 1; v <= 100000; v++) hist_record(h, v * 1000); /* 1 us .. 100 ms */
    CHECK(t, h->total == 100000 && h->min == 1000 && h->max == 100000000);
    const double ps[] = {50, 90, 99, 99.9};
    for (size_t i = 0; i < 4; i++) {
        double want = ps[i] / 100.0 * 100000000.0;
        double got = (double)hist_percentile(h, ps[i]);
        CHECK_MSG(t, got >= want * 0.999 && got <= want * 1.002, "p%g = %.0f, want %.0f", ps[i], got, want);
    }
    CHECK(t, hist_percentile(h, 100) == 100000000);
    double mean = hist_mean(h);
    CHECK(t, mean > 50000000 && mean < 50001000);
    histogram *g = malloc(sizeof *g);
    hist_init(g);
    hist_record(g, 5);
    hist_merge(g, h);
    CHECK(t, g->total == 100001 && g->min == 5 && g->max == 100000000);
    free(g);
    free(h);
}

static void empty_and_single(check_ctx *t) {
    histogram *h = malloc(sizeof *h);
    hist_init(h);
    CHECK(t, hist_percentile(h, 50) == 0 && hist_mean(h) == 0);
    hist_record(h, 777777);
    CHECK(t, hist_percentile(h, 0) == 777777 && hist_percentile(h, 99.9) == 777777);
    hist_record(h, HIST_MAX_VALUE * 4);
    CHECK(t, h->max == HIST_MAX_VALUE * 4 && hist_percentile(h, 100) == HIST_MAX_VALUE * 4);
    free(h);
}

size_t histogram_tests(check_case *out) {
    static const check_case cases[] = {
        {"histogram/index_roundtrip", index_roundtrip, NULL},
        {"histogram/percentiles_of_uniform", percentiles_of_uniform, NULL},
        {"histogram/empty_and_single", empty_and_single, NULL},
    };
    return CHECK_SUITE(out, cases);
}
