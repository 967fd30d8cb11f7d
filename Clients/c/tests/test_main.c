/* Unit and robustness tests of libcivicwire and civicload's pure parts: no server needed. */
#include <signal.h>

#include "check.h"
#include "tests.h"

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    check_case cases[256];
    size_t n = 0;
    n += codec_tests(cases + n);
    n += robustness_tests(cases + n);
    n += flow_tests(cases + n);
    n += histogram_tests(cases + n);
    n += options_tests(cases + n);
    n += tls_tests(cases + n);
    n += trace_tests(cases + n);
    n += keyed_tests(cases + n);
    n += stream_tests(cases + n);
    return check_run(cases, n, argc > 1 ? argv[1] : NULL);
}
