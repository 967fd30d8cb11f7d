/* civicload's command line: durations, defaults, method names, loopback-only targets. */
#include <stdio.h>
#include <unistd.h>

#include "options.h"
#include "tests.h"

static void durations(check_ctx *t) {
    int64_t ns = 0;
    CHECK(t, parse_duration("10s", &ns) && ns == 10000000000LL);
    CHECK(t, parse_duration("250ms", &ns) && ns == 250000000LL);
    CHECK(t, parse_duration("1.5s", &ns) && ns == 1500000000LL);
    CHECK(t, parse_duration("2m", &ns) && ns == 120000000000LL);
    CHECK(t, parse_duration("300us", &ns) && ns == 300000LL);
    CHECK(t, !parse_duration("10", &ns));
    CHECK(t, !parse_duration("-1s", &ns));
    CHECK(t, !parse_duration("s", &ns));
    CHECK(t, !parse_duration("5 parsecs", &ns));
}

/* Parses argv with stderr silenced (usage errors print there). */
static int parse(options *o, int argc, char **argv) {
    fflush(stderr);
    int saved = dup(2);
    FILE *null = freopen("/dev/null", "w", stderr);
    int rc = options_parse(o, argc, argv);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    (void)null;
    return rc;
}

static void defaults_and_method(check_ctx *t) {
    options o;
    char *argv[] = {"civicload", "127.0.0.1:5000", "civicgrid.v1.Diagnostics/EmptyCall", NULL};
    CHECK(t, parse(&o, 3, argv) == 0);
    CHECK(t, strcmp(o.method, "/civicgrid.v1.Diagnostics/EmptyCall") == 0);
    CHECK(t, strcmp(o.host, "127.0.0.1") == 0 && strcmp(o.port, "5000") == 0);
    CHECK(t, o.total == 200 && o.concurrency == 10 && o.connections == 1 && o.rps == 0);
    CHECK(t, o.request_len == 0 && o.timeout_us == 20000000);
    options_free(&o);
    char *rps[] = {"civicload", "--rps", "250", "-z", "2s", "-m", "x-a=b", "--format", "csv", "[::1]:7",
                   "/a.B/C", NULL};
    CHECK(t, parse(&o, 11, rps) == 0);
    CHECK(t, o.rps == 250 && o.concurrency == 1000 && o.total == 0 && o.duration_ns == 2000000000LL);
    CHECK(t, o.format == FORMAT_CSV && o.metadata.count == 1 && strcmp(o.host, "::1") == 0);
    options_free(&o);
}

static void rejects_bad_input(check_ctx *t) {
    char *cases[][6] = {
        {"civicload", "10.1.2.3:80", "a.B/C", NULL},       /* not loopback */
        {"civicload", "127.0.0.1", "a.B/C", NULL},         /* no port */
        {"civicload", "-n", "5", "-z", "1s", NULL},        /* both bounds (and no target) */
        {"civicload", "-c", "0", "127.0.0.1:1", "a.B/C", NULL},
        {"civicload", "-m", "Bad=1", "127.0.0.1:1", "a.B/C", NULL},
        {"civicload", "--format", "xml", "127.0.0.1:1", "a.B/C", NULL},
        {"civicload", "-d", "/nonexistent/req.bin", "127.0.0.1:1", "a.B/C", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int argc = 0;
        while (cases[i][argc]) argc++;
        options o;
        CHECK_MSG(t, parse(&o, argc, cases[i]) == 2, "case %zu", i);
        options_free(&o);
    }
}

size_t options_tests(check_case *out) {
    static const check_case cases[] = {
        {"options/durations", durations, NULL},
        {"options/defaults_and_method", defaults_and_method, NULL},
        {"options/rejects_bad_input", rejects_bad_input, NULL},
    };
    return CHECK_SUITE(out, cases);
}
