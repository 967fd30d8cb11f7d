/* civicload's keyed calls: the key appended to a request, the codes retried, the backoff. */
#include <string.h>

#include "civicwire/status.h"
#include "keyed.h"
#include "options.h"
#include "tests.h"

/* The key goes after the message as a length-delimited field: tag, length, bytes. */
static void appends_a_string_field(check_ctx *t) {
    const uint8_t msg[] = {0x0a, 0x03, 'Q', 'H', '1'}; /* field 1 = "QH1" */
    uint8_t out[64];
    size_t len = 0;
    CHECK(t, keyed_append(msg, sizeof msg, 6, "k-7", out, sizeof out, &len));
    const uint8_t want[] = {0x0a, 0x03, 'Q', 'H', '1', 0x32, 0x03, 'k', '-', '7'}; /* (6 << 3) | 2 = 0x32 */
    CHECK(t, len == sizeof want && memcmp(out, want, len) == 0);
    /* A field number above 15 takes a two-byte tag: (16 << 3) | 2 = 130 = 0x82 0x01. */
    CHECK(t, keyed_append(NULL, 0, 16, "x", out, sizeof out, &len));
    const uint8_t want16[] = {0x82, 0x01, 0x01, 'x'};
    CHECK(t, len == sizeof want16 && memcmp(out, want16, len) == 0);
}

static void refuses_what_does_not_fit(check_ctx *t) {
    const uint8_t msg[] = {0x08, 0x01};
    uint8_t out[8];
    size_t len = 99;
    CHECK(t, !keyed_append(msg, sizeof msg, 6, "too-long-for-eight", out, sizeof out, &len));
    CHECK(t, len == 99);
    CHECK(t, !keyed_append(msg, sizeof msg, 0, "k", out, sizeof out, &len));
    CHECK(t, !keyed_append(msg, sizeof msg, KEY_FIELD_MAX + 1, "k", out, sizeof out, &len));
    char long_key[KEY_MAX + 2];
    memset(long_key, 'a', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = 0;
    uint8_t big[256];
    CHECK(t, !keyed_append(msg, sizeof msg, 6, long_key, big, sizeof big, &len));
}

/* Only codes after which the server may or may not have acted, or acted on a racing copy. */
static void retries_only_unsure_outcomes(check_ctx *t) {
    CHECK(t, keyed_retryable(CW_UNAVAILABLE));
    CHECK(t, keyed_retryable(CW_DEADLINE_EXCEEDED));
    CHECK(t, keyed_retryable(CW_ABORTED));
    CHECK(t, !keyed_retryable(CW_OK));
    CHECK(t, !keyed_retryable(CW_INVALID_ARGUMENT));
    CHECK(t, !keyed_retryable(CW_FAILED_PRECONDITION));
    CHECK(t, !keyed_retryable(CW_RESOURCE_EXHAUSTED));
    CHECK(t, !keyed_retryable(CW_UNAUTHENTICATED));
}

/* Each pause lies in (0, ceiling], the ceiling doubling from 50 ms to at most 2 s. */
static void backoff_stays_under_its_ceiling(check_ctx *t) {
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    const int64_t ceilings[] = {50000000, 50000000, 100000000, 200000000, 400000000, 800000000, 1600000000,
                                2000000000, 2000000000};
    for (uint32_t attempt = 0; attempt < 9; attempt++) {
        int64_t most = 0;
        for (int i = 0; i < 2000; i++) {
            int64_t p = keyed_backoff_ns(attempt, &rng);
            CHECK(t, p > 0 && p <= ceilings[attempt]);
            if (p > most) most = p;
        }
        CHECK(t, most > ceilings[attempt] / 2); /* spread over the range, not stuck low */
    }
    CHECK(t, keyed_backoff_ns(1000, &rng) <= 2000000000);
}

static void key_options(check_ctx *t) {
    options o;
    char *ok[] = {"civicload", "--key-field", "6", "--key-prefix", "run1-", "--retry", "30s", "--ack-log",
                  "/tmp/acks", "[::1]:7400", "civicgrid.v1.Cases/SubmitApplication", NULL};
    CHECK(t, options_parse(&o, 11, ok) == 0);
    CHECK(t, o.key_field == 6 && strcmp(o.key_prefix, "run1-") == 0 && o.retry_ns == 30000000000LL);
    CHECK(t, o.ack_log != NULL && strcmp(o.ack_log, "/tmp/acks") == 0);
    options_free(&o);
    char *random_prefix[] = {"civicload", "--key-field", "6", "h:1", "a.B/C", NULL};
    CHECK(t, options_parse(&o, 5, random_prefix) == 0);
    CHECK(t, strlen(o.key_prefix) == 9 && o.key_prefix[8] == '-' && o.retry_ns == 0);
    options_free(&o);
}

static void key_options_refused(check_ctx *t) {
    options o;
    char *no_field[] = {"civicload", "--retry", "5s", "h:1", "a.B/C", NULL};
    char *bad_field[] = {"civicload", "--key-field", "0", "h:1", "a.B/C", NULL};
    char *spaced[] = {"civicload", "--key-field", "6", "--key-prefix", "a b", "h:1", "a.B/C", NULL};
    char *bad_retry[] = {"civicload", "--key-field", "6", "--retry", "soon", "h:1", "a.B/C", NULL};
    char **cases[] = {no_field, bad_field, spaced, bad_retry};
    int argcs[] = {5, 5, 7, 7};
    for (int i = 0; i < 4; i++) {
        CHECK(t, options_parse_quietly(&o, argcs[i], cases[i]) == 2);
        options_free(&o);
    }
}

size_t keyed_tests(check_case *out) {
    static const check_case cases[] = {
        {"keyed/appends_a_string_field", appends_a_string_field, NULL},
        {"keyed/refuses_what_does_not_fit", refuses_what_does_not_fit, NULL},
        {"keyed/retries_only_unsure_outcomes", retries_only_unsure_outcomes, NULL},
        {"keyed/backoff_stays_under_its_ceiling", backoff_stays_under_its_ceiling, NULL},
        {"keyed/key_options", key_options, NULL},
        {"keyed/key_options_refused", key_options_refused, NULL},
    };
    return CHECK_SUITE(out, cases);
}
