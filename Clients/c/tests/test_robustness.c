/*
 * Robustness: the client fed truncated, oversized or garbled server replies from a
 * fake server socket returns an error status and never crashes or hangs.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "civicgrid/wire/v1/wire.pb-c.h"
#include "fake_server.h"
#include "tests.h"

#define EMPTY_CALL "/civicgrid.v1.Diagnostics/EmptyCall"

typedef struct outcome {
    cw_code code;
    char message[256];
    char conn_error[256];
    uint8_t response[64];
    size_t response_len;
} outcome;

/*
 * Runs one unary call against a scripted server: the script is written up front;
 * with eof the server end is shut down after it. The call has a deadline so a
 * script that never finishes the call still ends.
 */
static outcome run_script(const fs_script *script, bool eof, const cw_conn_opts *opts, int *server_fd_out) {
    outcome o = {.code = CW_AGAIN};
    cw_conn *conn;
    int sfd;
    if (!fs_pair(opts, &conn, &sfd)) return o;
    fs_send_split(sfd, conn, script, eof);
    cw_call_opts co = {.timeout_micros = 300000};
    cw_unary_result r;
    o.code = cw_unary(conn, EMPTY_CALL, "", 0, &co, &r);
    snprintf(o.message, sizeof o.message, "%s", r.status.message ? r.status.message : "");
    snprintf(o.conn_error, sizeof o.conn_error, "%s", cw_conn_error(conn));
    if (r.response && r.response_len <= sizeof o.response) {
        memcpy(o.response, r.response, r.response_len);
        o.response_len = r.response_len;
    }
    cw_unary_result_free(&r);
    cw_conn_free(conn);
    if (server_fd_out) *server_fd_out = sfd; else close(sfd);
    return o;
}

static void valid_script(fs_script *s) {
    fs_handshake(s, NULL);
    fs_unary_answer(s, 1, "\x0a\x02hi", 4);
}

static void baseline_reply_ok(check_ctx *t) {
    fs_script s = {0};
    valid_script(&s);
    outcome o = run_script(&s, false, NULL, NULL);
    CHECK_MSG(t, o.code == CW_OK, "%s %s", cw_code_name(o.code), o.message);
    CHECK(t, o.response_len == 4 && memcmp(o.response, "\x0a\x02hi", 4) == 0);
    fs_free(&s);
}

/* Every prefix of a valid reply, then EOF: an error unless the TRAILERS made it. */
static void truncated_replies(check_ctx *t) {
    fs_script s = {0};
    valid_script(&s);
    for (size_t cut = 0; cut < s.len; cut++) {
        fs_script p = {0};
        fs_append(&p, s.data, cut);
        p.split = s.split;
        outcome o = run_script(&p, true, NULL, NULL);
        CHECK_MSG(t, o.code == CW_UNAVAILABLE, "cut at %zu: %s %s", cut, cw_code_name(o.code), o.message);
        fs_free(&p);
    }
    fs_free(&s);
}

static void oversized_frame(check_ctx *t) {
    fs_script s = {0};
    fs_handshake(&s, NULL);
    /* A MESSAGE header announcing 2 GiB; no payload follows. */
    const uint8_t hdr[CW_FRAME_HEADER_SIZE] = {0x7f, 0xff, 0xff, 0xff, CW_FRAME_MESSAGE, 0, 0, 0, 0, 0, 0, 1};
    fs_frame(&s, CW_FRAME_HEADERS, 0, 1, NULL, 0);
    fs_append(&s, hdr, sizeof hdr);
    int sfd;
    outcome o = run_script(&s, false, NULL, &sfd);
    CHECK(t, o.code == CW_UNAVAILABLE);
    CHECK_MSG(t, strstr(o.conn_error, "max_frame_size") != NULL, "%s", o.conn_error);
    /* The client said why: GOAWAY FRAME_SIZE_ERROR after its preface, SETTINGS, ... */
    fs_frame_in *f = malloc(sizeof *f);
    bool saw_goaway = false;
    CHECK(t, fs_read_preface(sfd, 1000));
    while (!saw_goaway && fs_read_frame(sfd, f, 1000)) {
        if (f->h.type != CW_FRAME_GOAWAY) continue;
        Civicgrid__Wire__V1__GoAway *g = civicgrid__wire__v1__go_away__unpack(NULL, f->h.length, f->payload);
        CHECK(t, g != NULL && g->error_code == CW_GOAWAY_FRAME_SIZE_ERROR);
        if (g) civicgrid__wire__v1__go_away__free_unpacked(g, NULL);
        saw_goaway = true;
    }
    CHECK(t, saw_goaway);
    free(f);
    close(sfd);
    fs_free(&s);
}

/* Flips bytes of a valid reply at random (fixed seed): any status, no crash, no hang. */
static void garbled_replies(check_ctx *t) {
    fs_script s = {0};
    valid_script(&s);
    unsigned seed = 12345;
    int errors = 0;
    for (int iter = 0; iter < 600; iter++) {
        fs_script g = {0};
        fs_append(&g, s.data, s.len);
        g.split = s.split;
        int flips = 1 + rand_r(&seed) % 4;
        for (int i = 0; i < flips; i++) g.data[rand_r(&seed) % g.len] ^= (uint8_t)(1 + rand_r(&seed) % 255);
        outcome o = run_script(&g, true, NULL, NULL);
        CHECK_MSG(t, o.code >= CW_OK && o.code <= CW_CODE_MAX, "iteration %d: code %d", iter, o.code);
        if (o.code != CW_OK) errors++;
        fs_free(&g);
    }
    CHECK(t, errors > 300); /* most corruptions must be noticed */
    fs_free(&s);
}

/* Random bytes after a good handshake, and random bytes instead of one. */
static void random_garbage(check_ctx *t) {
    unsigned seed = 777;
    for (int iter = 0; iter < 300; iter++) {
        fs_script g = {0};
        if (iter % 2 == 0) fs_handshake(&g, NULL);
        size_t n = 1 + (size_t)(rand_r(&seed) % 200);
        for (size_t i = 0; i < n; i++) {
            uint8_t b = (uint8_t)rand_r(&seed);
            fs_append(&g, &b, 1);
        }
        outcome o = run_script(&g, true, NULL, NULL);
        CHECK_MSG(t, o.code != CW_OK && o.code != CW_AGAIN, "iteration %d: %s", iter, cw_code_name(o.code));
        fs_free(&g);
    }
}

/* ---- Table-driven replies: a script builder and the error it must produce ---- */

typedef struct scripted {
    void (*build)(fs_script *s); /* frames after a good handshake (unless it writes its own) */
    bool own_handshake;
    cw_conn_opts opts;
    cw_code want;          /* the call's code */
    const char *needle;    /* in the connection error (UNAVAILABLE) or the status message */
} scripted;

static void run_scripted(check_ctx *t) {
    const scripted *sc = t->arg;
    fs_script s = {0};
    if (!sc->own_handshake) fs_handshake(&s, NULL);
    sc->build(&s);
    outcome o = run_script(&s, false, &sc->opts, NULL);
    const char *where = sc->want == CW_UNAVAILABLE ? o.conn_error : o.message;
    CHECK_MSG(t, o.code == sc->want, "%s: %s", cw_code_name(o.code), o.message);
    CHECK_MSG(t, strstr(where, sc->needle) != NULL, "'%s' lacks '%s'", where, sc->needle);
    fs_free(&s);
}

static const uint8_t zeros[2048];

static void b_http(fs_script *s) {
    const char *resp = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    fs_append(s, resp, strlen(resp));
}
static void b_tls(fs_script *s) { fs_append(s, "\x16\x03\x01\x02\x00\x01\x00\x00", 8); }
static void b_version2(fs_script *s) { fs_append(s, "\x7f" "CGW\x02\x00\x00\x00", 8); }
static void b_unknown_type(fs_script *s) { fs_frame(s, 0x42, 0, 0, "x", 1); }
static void b_undecodable(fs_script *s) {
    fs_frame(s, CW_FRAME_HEADERS, 0, 1, NULL, 0);
    fs_frame(s, CW_FRAME_TRAILERS, 0, 1, "\xff\xff\xff", 3);
}
static void b_unopened(fs_script *s) { fs_frame(s, CW_FRAME_MESSAGE, 0, 99, "x", 1); }
static void b_stream_zero(fs_script *s) { fs_frame(s, CW_FRAME_MESSAGE, 0, 0, "x", 1); }
static void b_settings_range(fs_script *s) {
    Civicgrid__Wire__V1__Settings st = CIVICGRID__WIRE__V1__SETTINGS__INIT;
    st.max_frame_size = 10;
    fs_handshake(s, &st.base);
}
static void b_second_settings(fs_script *s) { fs_frame(s, CW_FRAME_SETTINGS, 0, 0, NULL, 0); }
static void b_ping_first(fs_script *s) {
    fs_append(s, CW_PREFACE, CW_PREFACE_SIZE);
    Civicgrid__Wire__V1__Ping p = CIVICGRID__WIRE__V1__PING__INIT;
    fs_frame_msg(s, CW_FRAME_PING, 0, 0, &p.base);
}
static void b_over_message_size(fs_script *s) {
    fs_frame(s, CW_FRAME_HEADERS, 0, 1, NULL, 0);
    for (int i = 0; i < 3; i++) fs_frame(s, CW_FRAME_MESSAGE, CW_FLAG_MORE, 1, zeros, 1024);
}
static void b_over_window(fs_script *s) { fs_frame(s, CW_FRAME_MESSAGE, 0, 1, zeros, 2000); }
static void b_over_metadata_size(fs_script *s) { fs_frame(s, CW_FRAME_HEADERS, 0, 1, zeros, 2000); }
static void b_bad_metadata(fs_script *s) {
    Civicgrid__Wire__V1__MetadataEntry e = CIVICGRID__WIRE__V1__METADATA_ENTRY__INIT;
    e.key = "Bad-Key";
    e.value_case = CIVICGRID__WIRE__V1__METADATA_ENTRY__VALUE_STRING_VALUE;
    e.string_value = "v";
    Civicgrid__Wire__V1__MetadataEntry *ep = &e;
    Civicgrid__Wire__V1__Headers h = CIVICGRID__WIRE__V1__HEADERS__INIT;
    h.n_metadata = 1;
    h.metadata = &ep;
    fs_frame_msg(s, CW_FRAME_HEADERS, 0, 1, &h.base);
}
static void b_second_headers(fs_script *s) {
    fs_frame(s, CW_FRAME_HEADERS, 0, 1, NULL, 0);
    fs_frame(s, CW_FRAME_HEADERS, 0, 1, NULL, 0);
}
static void b_trailers_mid_message(fs_script *s) {
    fs_frame(s, CW_FRAME_MESSAGE, CW_FLAG_MORE, 1, "ab", 2);
    fs_trailers(s, 1, 0, "");
}
static void b_two_messages(fs_script *s) {
    fs_frame(s, CW_FRAME_MESSAGE, 0, 1, "a", 1);
    fs_frame(s, CW_FRAME_MESSAGE, 0, 1, "b", 1);
    fs_trailers(s, 1, 0, "");
}
static void b_code_99(fs_script *s) { fs_trailers(s, 1, 99, "odd"); }
static void b_cancel(fs_script *s) { fs_frame(s, CW_FRAME_CANCEL, 0, 1, NULL, 0); }
static void b_half_close(fs_script *s) { fs_frame(s, CW_FRAME_HALF_CLOSE, 0, 1, NULL, 0); }
static void b_silence(fs_script *s) { (void)s; }

static const scripted sc_http = {b_http, true, {0}, CW_UNAVAILABLE, "HTTP/1.x"};
static const scripted sc_tls = {b_tls, true, {0}, CW_UNAVAILABLE, "bad server preface"};
static const scripted sc_version2 = {b_version2, true, {0}, CW_UNAVAILABLE, "CivicWire 2.0"};
static const scripted sc_unknown_type = {b_unknown_type, false, {0}, CW_UNAVAILABLE, "unknown frame type 0x42"};
static const scripted sc_undecodable = {b_undecodable, false, {0}, CW_UNAVAILABLE, "does not decode"};
static const scripted sc_unopened = {b_unopened, false, {0}, CW_UNAVAILABLE, "never opened"};
static const scripted sc_stream_zero = {b_stream_zero, false, {0}, CW_UNAVAILABLE, "on stream 0"};
static const scripted sc_settings_range = {b_settings_range, true, {0}, CW_UNAVAILABLE, "max_frame_size out of range"};
static const scripted sc_second_settings = {b_second_settings, false, {0}, CW_UNAVAILABLE, "second SETTINGS"};
static const scripted sc_ping_first = {b_ping_first, true, {0}, CW_UNAVAILABLE, "before the server's SETTINGS"};
static const scripted sc_over_message_size = {
    b_over_message_size, false, {.max_message_size = 2048, .max_frame_size = 1024}, CW_RESOURCE_EXHAUSTED,
    "max_message_size"};
static const scripted sc_over_window = {b_over_window, false, {.initial_window_size = 1000}, CW_RESOURCE_EXHAUSTED,
                                        "window"};
static const scripted sc_over_metadata_size = {b_over_metadata_size, false, {.max_metadata_size = 1024},
                                               CW_RESOURCE_EXHAUSTED, "max_metadata_size"};
static const scripted sc_bad_metadata = {b_bad_metadata, false, {0}, CW_INTERNAL, "metadata key"};
static const scripted sc_second_headers = {b_second_headers, false, {0}, CW_INTERNAL, "second HEADERS"};
static const scripted sc_trailers_mid_message = {b_trailers_mid_message, false, {0}, CW_INTERNAL,
                                                 "inside a fragmented message"};
static const scripted sc_two_messages = {b_two_messages, false, {0}, CW_INTERNAL, "more than one"};
static const scripted sc_code_99 = {b_code_99, false, {0}, CW_UNKNOWN, "odd"};
static const scripted sc_cancel = {b_cancel, false, {0}, CW_CANCELLED, "cancelled by the server"};
static const scripted sc_half_close = {b_half_close, false, {0}, CW_INTERNAL, "HALF_CLOSE"};
static const scripted sc_silence = {b_silence, false, {0}, CW_DEADLINE_EXCEEDED, "deadline"};

static void trailers_only_status(check_ctx *t) {
    const char *special = "\t\ntest with whitespace\r\nand Unicode BMP \xe2\x98\xba and non-BMP \xf0\x9f\x98\x88\t\n";
    fs_script s = {0};
    fs_handshake(&s, NULL);
    fs_trailers(&s, 1, 2, special);
    outcome o = run_script(&s, false, NULL, NULL);
    CHECK(t, o.code == CW_UNKNOWN);
    CHECK(t, strcmp(o.message, special) == 0);
    fs_free(&s);
}

static void goaway_error_then_close(check_ctx *t) {
    Civicgrid__Wire__V1__GoAway g = CIVICGRID__WIRE__V1__GO_AWAY__INIT;
    g.error_code = CW_GOAWAY_PROTOCOL_ERROR;
    g.message = "bad preface: looks like a TLS ClientHello; this CivicWire listener is plaintext (no tls_cert)";
    fs_script s = {0};
    fs_append(&s, CW_PREFACE, CW_PREFACE_SIZE);
    fs_frame_msg(&s, CW_FRAME_GOAWAY, 0, 0, &g.base);
    outcome o = run_script(&s, true, NULL, NULL);
    CHECK(t, o.code == CW_UNAVAILABLE);
    CHECK_MSG(t, strstr(o.message, "PROTOCOL_ERROR") != NULL, "%s", o.message);
    fs_free(&s);
}

size_t robustness_tests(check_case *out) {
    static const check_case cases[] = {
        {"robust/baseline_reply_ok", baseline_reply_ok, NULL},
        {"robust/truncated_replies", truncated_replies, NULL},
        {"robust/oversized_frame", oversized_frame, NULL},
        {"robust/garbled_replies", garbled_replies, NULL},
        {"robust/random_garbage", random_garbage, NULL},
        {"robust/trailers_only_status", trailers_only_status, NULL},
        {"robust/goaway_error_then_close", goaway_error_then_close, NULL},
        {"robust/http_answer", run_scripted, &sc_http},
        {"robust/tls_bytes_instead_of_preface", run_scripted, &sc_tls},
        {"robust/unsupported_version", run_scripted, &sc_version2},
        {"robust/unknown_frame_type", run_scripted, &sc_unknown_type},
        {"robust/undecodable_control_payload", run_scripted, &sc_undecodable},
        {"robust/frame_for_unopened_stream", run_scripted, &sc_unopened},
        {"robust/stream_frame_on_stream_zero", run_scripted, &sc_stream_zero},
        {"robust/settings_out_of_range", run_scripted, &sc_settings_range},
        {"robust/second_settings", run_scripted, &sc_second_settings},
        {"robust/frames_before_settings", run_scripted, &sc_ping_first},
        {"robust/message_over_max_message_size", run_scripted, &sc_over_message_size},
        {"robust/message_over_window", run_scripted, &sc_over_window},
        {"robust/metadata_over_max_metadata_size", run_scripted, &sc_over_metadata_size},
        {"robust/bad_response_metadata", run_scripted, &sc_bad_metadata},
        {"robust/second_headers", run_scripted, &sc_second_headers},
        {"robust/trailers_inside_message", run_scripted, &sc_trailers_mid_message},
        {"robust/two_messages_on_unary", run_scripted, &sc_two_messages},
        {"robust/status_code_out_of_range", run_scripted, &sc_code_99},
        {"robust/server_cancel", run_scripted, &sc_cancel},
        {"robust/server_half_close", run_scripted, &sc_half_close},
        {"robust/silent_server_times_out", run_scripted, &sc_silence},
    };
    return CHECK_SUITE(out, cases);
}
