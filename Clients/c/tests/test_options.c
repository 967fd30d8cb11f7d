/* civicload's command line: durations, defaults, method names, any host, TLS flags. */
#include <stdio.h>
#include <stdlib.h>
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
int options_parse_quietly(options *o, int argc, char **argv) {
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
    CHECK(t, options_parse_quietly(&o, 3, argv) == 0);
    CHECK(t, strcmp(o.method, "/civicgrid.v1.Diagnostics/EmptyCall") == 0);
    CHECK(t, strcmp(o.host, "127.0.0.1") == 0 && strcmp(o.port, "5000") == 0);
    CHECK(t, o.total == 200 && o.concurrency == 10 && o.connections == 1 && o.rps == 0);
    CHECK(t, o.request_len == 0 && o.timeout_us == 20000000 && o.messages == 1);
    options_free(&o);
    char *streamed[] = {"civicload", "--messages", "50", "127.0.0.1:1", "a.B/C", NULL};
    CHECK(t, options_parse_quietly(&o, 5, streamed) == 0 && o.messages == 50);
    options_free(&o);
    char *rps[] = {"civicload", "--rps", "250", "-z", "2s", "-m", "x-a=b", "--format", "csv", "[::1]:7",
                   "/a.B/C", NULL};
    CHECK(t, options_parse_quietly(&o, 11, rps) == 0);
    CHECK(t, o.rps == 250 && o.concurrency == 1000 && o.total == 0 && o.duration_ns == 2000000000LL);
    CHECK(t, o.format == FORMAT_CSV && o.metadata.count == 1 && strcmp(o.host, "::1") == 0);
    CHECK(t, o.trace_sample == 0);
    options_free(&o);
    char *traced[] = {"civicload", "--trace-sample", "0.1", "127.0.0.1:1", "a.B/C", NULL};
    CHECK(t, options_parse_quietly(&o, 5, traced) == 0 && o.trace_sample == 0.1);
    options_free(&o);
}

static void rejects_bad_input(check_ctx *t) {
    char *cases[][6] = {
        {"civicload", "::1:80", "a.B/C", NULL},            /* IPv6 without brackets */
        {"civicload", "[]:80", "a.B/C", NULL},             /* empty brackets */
        {"civicload", "--cert", "c.pem", "h:1", "a.B/C", NULL}, /* --cert without --key */
        {"civicload", "127.0.0.1", "a.B/C", NULL},         /* no port */
        {"civicload", "-n", "5", "-z", "1s", NULL},        /* both bounds (and no target) */
        {"civicload", "-c", "0", "127.0.0.1:1", "a.B/C", NULL},
        {"civicload", "-m", "Bad=1", "127.0.0.1:1", "a.B/C", NULL},
        {"civicload", "--format", "xml", "127.0.0.1:1", "a.B/C", NULL},
        {"civicload", "-d", "/nonexistent/req.bin", "127.0.0.1:1", "a.B/C", NULL},
        {"civicload", "--trace-sample", "1.5", "127.0.0.1:1", "a.B/C", NULL},
        {"civicload", "--trace-sample", "-0.1", "127.0.0.1:1", "a.B/C", NULL},
        {"civicload", "--trace-sample", "some", "127.0.0.1:1", "a.B/C", NULL},
        {"civicload", "--messages", "0", "127.0.0.1:1", "a.B/C", NULL},
        {"civicload", "--messages", "1000001", "127.0.0.1:1", "a.B/C", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int argc = 0;
        while (cases[i][argc]) argc++;
        options o;
        CHECK_MSG(t, options_parse_quietly(&o, argc, cases[i]) == 2, "case %zu", i);
        options_free(&o);
    }
}

/* Any host is a target: names, IPv4, bracketed IPv6; TLS flags turn TLS on. Nothing connects here. */
static void any_host_and_tls(check_ctx *t) {
    const char *hosts[][2] = {
        {"grid.example.org:7400", "grid.example.org"}, {"10.1.2.3:80", "10.1.2.3"},
        {"[2001:db8::7]:7400", "2001:db8::7"},         {"localhost:7400", "localhost"},
    };
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        options o;
        char *argv[] = {"civicload", (char *)hosts[i][0], "a.B/C", NULL};
        CHECK_MSG(t, options_parse_quietly(&o, 3, argv) == 0 && strcmp(o.host, hosts[i][1]) == 0 && !o.tls_on, "%s", hosts[i][0]);
        options_free(&o);
    }
    options o;
    char *tls[] = {"civicload", "--ca-file", "ca.pem", "--cert", "c.pem", "--key", "c.key", "--server-name", "grid.test",
                   "[::1]:7400", "a.B/C", NULL};
    CHECK(t, options_parse_quietly(&o, 11, tls) == 0);
    CHECK(t, o.tls_on && strcmp(o.tls.ca_file, "ca.pem") == 0 && strcmp(o.tls.cert_file, "c.pem") == 0);
    CHECK(t, strcmp(o.tls.key_file, "c.key") == 0 && strcmp(o.tls.server_name, "grid.test") == 0 && !o.tls.insecure_no_verify);
    options_free(&o);
    char *plain_tls[] = {"civicload", "--tls", "localhost:7400", "a.B/C", NULL};
    CHECK(t, options_parse_quietly(&o, 4, plain_tls) == 0 && o.tls_on && o.tls.ca_file == NULL);
    options_free(&o);
}

/* -j runs the encoder (tests/fake-encoder.sh here, civicctl for real) and sends what it printed. */
static void json_body_through_encoder(check_ctx *t) {
    setenv("CIVICLOAD_ENCODER", "tests/fake-encoder.sh", 1);
    options o;
    char *argv[] = {"civicload", "-j", "{\"responseSize\":16}", "localhost:7400", "/a.B/C", NULL};
    CHECK(t, options_parse_quietly(&o, 5, argv) == 0);
    const char *want = "encode|a.B/C|--data|{\"responseSize\":16}";
    CHECK_MSG(t, o.request_len == strlen(want) && memcmp(o.request, want, o.request_len) == 0, "%.*s", (int)o.request_len,
              (const char *)o.request);
    options_free(&o);
    char *bad[] = {"civicload", "-j", "bad", "localhost:7400", "a.B/C", NULL};
    CHECK(t, options_parse_quietly(&o, 5, bad) == 2);
    options_free(&o);
    char *both[] = {"civicload", "-j", "{}", "-d", "/dev/null", "localhost:7400", "a.B/C", NULL};
    CHECK(t, options_parse_quietly(&o, 7, both) == 2);
    options_free(&o);
    setenv("CIVICLOAD_ENCODER", "/nonexistent/civicctl", 1);
    char *missing[] = {"civicload", "-j", "{}", "localhost:7400", "a.B/C", NULL};
    CHECK(t, options_parse_quietly(&o, 5, missing) == 2);
    options_free(&o);
    unsetenv("CIVICLOAD_ENCODER");
}

size_t options_tests(check_case *out) {
    static const check_case cases[] = {
        {"options/durations", durations, NULL},
        {"options/defaults_and_method", defaults_and_method, NULL},
        {"options/rejects_bad_input", rejects_bad_input, NULL},
        {"options/any_host_and_tls", any_host_and_tls, NULL},
        {"options/json_body_through_encoder", json_body_through_encoder, NULL},
    };
    return CHECK_SUITE(out, cases);
}
