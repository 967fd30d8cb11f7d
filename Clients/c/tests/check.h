/* A tiny test harness: tests take a context, CHECK records failures, main counts. */
#ifndef CIVICWIRE_TESTS_CHECK_H
#define CIVICWIRE_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

typedef struct check_ctx {
    const char *test;
    const void *arg; /* the case's arg */
    int failures; /* in the running test */
} check_ctx;

#define CHECK(t, cond)                                                                   \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "FAIL %s: %s:%d: %s\n", (t)->test, __FILE__, __LINE__, #cond); \
            (t)->failures++;                                                             \
        }                                                                                \
    } while (0)

#define CHECK_MSG(t, cond, ...)                                                          \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "FAIL %s: %s:%d: %s: ", (t)->test, __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                                \
            fputc('\n', stderr);                                                         \
            (t)->failures++;                                                             \
        }                                                                                \
    } while (0)

typedef void (*check_fn)(check_ctx *t);
typedef struct check_case {
    const char *name;
    check_fn fn;
    const void *arg; /* for table-driven cases sharing one fn */
} check_case;

/* Copies a suite's static case table to out and returns its length. */
#define CHECK_SUITE(out, cases) (memcpy((out), (cases), sizeof(cases)), sizeof(cases) / sizeof((cases)[0]))

/* Runs every case whose name contains filter (NULL: all); prints "N passed, M failed". */
int check_run(const check_case *cases, size_t n, const char *filter);

#endif
