/* The unit test suites: each fills `out` with its cases and returns how many. */
#ifndef CIVICWIRE_TESTS_TESTS_H
#define CIVICWIRE_TESTS_TESTS_H

#include <stddef.h>

#include "check.h"

size_t codec_tests(check_case *out);
size_t robustness_tests(check_case *out);
size_t flow_tests(check_case *out);
size_t histogram_tests(check_case *out);
size_t options_tests(check_case *out);
size_t tls_tests(check_case *out);
size_t trace_tests(check_case *out);
size_t keyed_tests(check_case *out);
size_t stream_tests(check_case *out);

/* options_parse with its usage errors kept off stderr (test_options.c). */
struct options;
int options_parse_quietly(struct options *o, int argc, char **argv);

#endif
