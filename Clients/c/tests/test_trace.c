/* W3C traceparent in libcivicwire and civicload's --trace-sample. */
#include <stdio.h>
#include <string.h>

#include "civicwire/trace.h"
#include "sampling.h"
#include "tests.h"

static void format_and_parse(check_ctx *t) {
    cw_trace_context ctx, back;
    CHECK(t, cw_trace_context_random(&ctx) == CW_OK && ctx.sampled);
    char buf[CW_TRACEPARENT_LEN + 1];
    CHECK(t, cw_traceparent_format(&ctx, buf, sizeof buf) == CW_OK);
    CHECK(t, strlen(buf) == CW_TRACEPARENT_LEN && strncmp(buf, "00-", 3) == 0 && strcmp(buf + 52, "-01") == 0);
    CHECK(t, cw_traceparent_parse(buf, &back) == CW_OK);
    CHECK(t, memcmp(back.trace_id, ctx.trace_id, 16) == 0 && memcmp(back.span_id, ctx.span_id, 8) == 0 && back.sampled);
    char small[CW_TRACEPARENT_LEN];
    CHECK(t, cw_traceparent_format(&ctx, small, sizeof small) == CW_INVALID_ARGUMENT);
    cw_trace_context other;
    CHECK(t, cw_trace_context_random(&other) == CW_OK && memcmp(other.trace_id, ctx.trace_id, 16) != 0);

    CHECK(t, cw_traceparent_parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", &back) == CW_OK);
    CHECK(t, back.trace_id[0] == 0x4b && back.span_id[7] == 0xb7 && !back.sampled);
}

static void rejects_malformed(check_ctx *t) {
    const char *bad[] = {
        "",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",
    };
    cw_trace_context ctx;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(t, cw_traceparent_parse(bad[i], &ctx) == CW_INVALID_ARGUMENT);
    }
    CHECK(t, cw_traceparent_parse(NULL, &ctx) == CW_INVALID_ARGUMENT);
}

static void sampler_fraction(check_ctx *t) {
    sampler never, always, tenth;
    sampler_init(&never, 0, 1);
    sampler_init(&always, 1, 1);
    sampler_init(&tenth, 0.1, 42);
    int traced = 0;
    bool any_never = false, all_always = true;
    for (int i = 0; i < 10000; i++) {
        any_never |= sampler_next(&never);
        all_always &= sampler_next(&always);
        traced += sampler_next(&tenth);
    }
    CHECK(t, !any_never && all_always);
    /* A fixed seed: the count is fixed too; the bounds say it is about a tenth. */
    CHECK(t, traced > 800 && traced < 1200);
}

size_t trace_tests(check_case *out) {
    static const check_case cases[] = {
        {"trace/format_and_parse", format_and_parse, NULL},
        {"trace/rejects_malformed", rejects_malformed, NULL},
        {"trace/sampler_fraction", sampler_fraction, NULL},
    };
    return CHECK_SUITE(out, cases);
}
