/*
 * Conformance of civicgridd to docs/PROTOCOL.md point by point (the table in section 8),
 * with hand-written frames over a raw socket: each case is one row of that table.
 * They run against a server with the default settings.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "civicgrid/v1/diagnostics.pb-c.h"
#include "civicgrid/wire/v1/wire.pb-c.h"
#include "conformance_target.h"
#include "raw_wire.h"

#define UNARY "/civicgrid.v1.Diagnostics/UnaryCall"
#define WAIT_MS 5000

/* A connection past the handshake, or -1 (recorded as a failure). */
static int open_raw(check_ctx *t, bool handshake) {
    const target *tg = t->arg;
    int fd = raw_connect(tg->host, tg->port);
    CHECK_MSG(t, fd >= 0, "connect to %s:%s", tg->host, tg->port);
    if (fd >= 0 && handshake && !raw_handshake(fd)) {
        CHECK_MSG(t, false, "handshake");
        close(fd);
        return -1;
    }
    return fd;
}

static void send_script(int fd, fs_script *s) {
    fs_send(fd, s);
    fs_free(s);
    memset(s, 0, sizeof *s);
}

/* Checks the next GOAWAY's code (and last_stream_id unless want_last < 0), then closes fd. */
static void expect_goaway(check_ctx *t, int fd, uint32_t want_code, int64_t want_last) {
    uint32_t code = 99, last = 0;
    bool seen = raw_goaway(fd, &code, &last, WAIT_MS);
    CHECK_MSG(t, seen && code == want_code && (want_last < 0 || last == (uint32_t)want_last),
              "goaway %d, code %u (want %u), last_stream_id %u (want %lld)", seen, code, want_code, last,
              (long long)want_last);
    close(fd);
}

/* Checks the TRAILERS code of `stream` (other streams' frames before it are skipped). */
static void expect_trailers(check_ctx *t, int fd, uint32_t stream, uint32_t want) {
    uint32_t code = 99;
    bool seen = raw_trailers(fd, stream, &code, WAIT_MS);
    CHECK_MSG(t, seen && code == want, "stream %u: trailers %d, code %u (want %u)", stream, seen, code, want);
}

/* An empty UnaryCall on `stream` that must end OK. */
static void unary_ok(check_ctx *t, int fd, uint32_t stream) {
    fs_script s = {0};
    Civicgrid__V1__SimpleRequest req = CIVICGRID__V1__SIMPLE_REQUEST__INIT;
    raw_unary(&s, stream, UNARY, &req.base);
    send_script(fd, &s);
    expect_trailers(t, fd, stream, CW_OK);
}

/* Reads until the ACK of a PING the test sent last; true when no GOAWAY came before it. */
static bool acked_without_goaway(int fd, int timeout_ms) {
    static fs_frame_in f;
    bool goaway = false;
    while (fs_read_frame(fd, &f, timeout_ms)) {
        if (f.h.type == CW_FRAME_PING) return !goaway;
        goaway |= f.h.type == CW_FRAME_GOAWAY;
    }
    return false;
}

/* 1.1: another major version gets the server's preface, then GOAWAY UNSUPPORTED_VERSION. */
static void unsupported_version_after_preface(check_ctx *t) {
    int fd = open_raw(t, false);
    if (fd < 0) return;
    fs_script s = {0};
    fs_append(&s, "\x7f" "CGW" "\x02\x00\x00\x00", 8);
    send_script(fd, &s);
    CHECK_MSG(t, fs_read_preface(fd, WAIT_MS), "the server's preface comes first");
    static fs_frame_in f;
    CHECK(t, fs_read_frame(fd, &f, WAIT_MS) && f.h.type == CW_FRAME_GOAWAY);
    Civicgrid__Wire__V1__GoAway *g = civicgrid__wire__v1__go_away__unpack(NULL, f.h.length, f.payload);
    CHECK(t, g != NULL && g->error_code == CW_GOAWAY_UNSUPPORTED_VERSION && g->last_stream_id == 0);
    if (g) civicgrid__wire__v1__go_away__free_unpacked(g, NULL);
    close(fd);
}

/* 1.1: a first byte that cannot start a preface is judged at once (the handshake timeout is 10 s). */
static void preface_judged_on_first_wrong_byte(check_ctx *t) {
    int fd = open_raw(t, false);
    if (fd < 0) return;
    fs_script s = {0};
    fs_append(&s, "\x00", 1);
    send_script(fd, &s);
    CHECK_MSG(t, fs_read_preface(fd, WAIT_MS), "the server's preface, then its GOAWAY");
    expect_goaway(t, fd, CW_GOAWAY_PROTOCOL_ERROR, 0);
}

/* 1.2: the handshake timeout counts from accept; bytes trickling in do not extend it. */
static void handshake_timeout_is_absolute(check_ctx *t) {
    int fd = open_raw(t, false);
    if (fd < 0) return;
    uint8_t bytes[CW_PREFACE_SIZE + CW_FRAME_HEADER_SIZE];
    memcpy(bytes, CW_PREFACE, CW_PREFACE_SIZE);
    cw_frame_header h = {.length = 1000, .type = CW_FRAME_SETTINGS}; /* a payload that never all arrives */
    cw_frame_header_encode(&h, bytes + CW_PREFACE_SIZE);
    bool seen = false;
    uint32_t code = 99, last;
    for (size_t i = 0; i < sizeof bytes + 1000 && !seen; i++) {
        uint8_t b = i < sizeof bytes ? bytes[i] : 0;
        if (send(fd, &b, 1, MSG_NOSIGNAL) != 1) break;
        seen = raw_goaway(fd, &code, &last, 500); /* one byte per 0.5 s */
    }
    CHECK_MSG(t, seen && code == CW_GOAWAY_HANDSHAKE_TIMEOUT, "goaway %d code %u", seen, code);
    close(fd);
}

/* 1.2: the server does not wait for the client's SETTINGS ACK. */
static void settings_ack_not_awaited(check_ctx *t) {
    int fd = open_raw(t, true); /* raw_handshake never sends an ACK */
    if (fd < 0) return;
    unary_ok(t, fd, 1);
    close(fd);
}

/* 1.2: a first frame other than SETTINGS is PROTOCOL_ERROR. */
static void first_frame_not_settings(check_ctx *t) {
    int fd = open_raw(t, false);
    if (fd < 0) return;
    fs_script s = {0};
    fs_append(&s, CW_PREFACE, CW_PREFACE_SIZE);
    raw_ping(&s, 1);
    send_script(fd, &s);
    CHECK(t, fs_read_preface(fd, WAIT_MS));
    expect_goaway(t, fd, CW_GOAWAY_PROTOCOL_ERROR, 0);
}

/* 6.1: after the client's GOAWAY the server finishes the open stream, then closes. */
static void client_goaway(check_ctx *t) {
    int fd = open_raw(t, true);
    if (fd < 0) return;
    fs_script s = {0};
    Civicgrid__V1__SimpleRequest req = CIVICGRID__V1__SIMPLE_REQUEST__INIT;
    req.sleep_micros = 200000;
    raw_unary(&s, 1, UNARY, &req.base);
    Civicgrid__Wire__V1__GoAway g = CIVICGRID__WIRE__V1__GO_AWAY__INIT;
    fs_frame_msg(&s, CW_FRAME_GOAWAY, 0, 0, &g.base);
    send_script(fd, &s);
    expect_trailers(t, fd, 1, CW_OK);
    CHECK(t, raw_wait_close(fd, WAIT_MS));
    close(fd);
}

/* 6.4: GOAWAY carries the highest stream id processed, refused streams included. */
static void last_stream_id_includes_refused(check_ctx *t) {
    int fd = open_raw(t, true);
    if (fd < 0) return;
    fs_script s = {0};
    unary_ok(t, fd, 1);
    raw_headers(&s, 3, "not-a-path");
    send_script(fd, &s);
    expect_trailers(t, fd, 3, CW_UNIMPLEMENTED);
    raw_headers(&s, 2, UNARY);
    send_script(fd, &s);
    expect_goaway(t, fd, CW_GOAWAY_PROTOCOL_ERROR, 3);
}

/* 3.1: a second HEADERS on an open stream is PROTOCOL_ERROR. */
static void second_headers(check_ctx *t) {
    int fd = open_raw(t, true);
    if (fd < 0) return;
    fs_script s = {0};
    raw_headers(&s, 1, UNARY);
    raw_headers(&s, 1, UNARY);
    send_script(fd, &s);
    expect_goaway(t, fd, CW_GOAWAY_PROTOCOL_ERROR, 1);
}

/* 2: the reserved top bit of a stream id is ignored on receipt. */
static void reserved_stream_bit(check_ctx *t) {
    int fd = open_raw(t, true);
    if (fd < 0) return;
    fs_script s = {0};
    raw_unary(&s, 1, UNARY, &(Civicgrid__V1__SimpleRequest)CIVICGRID__V1__SIMPLE_REQUEST__INIT.base);
    /* Set the top bit in each of the three frame headers the encoder wrote. */
    for (size_t at = 0; at < s.len;) {
        s.data[at + 8] |= 0x80;
        at += CW_FRAME_HEADER_SIZE + ((size_t)s.data[at] << 24 | (size_t)s.data[at + 1] << 16 |
                                      (size_t)s.data[at + 2] << 8 | s.data[at + 3]);
    }
    send_script(fd, &s);
    expect_trailers(t, fd, 1, CW_OK);
    close(fd);
}

/* 3.1: skipped ids are closed: frames on them are ignored, HEADERS on them is PROTOCOL_ERROR. */
static void skipped_ids_are_closed(check_ctx *t) {
    int fd = open_raw(t, true);
    if (fd < 0) return;
    fs_script s = {0};
    unary_ok(t, fd, 5);
    fs_frame(&s, CW_FRAME_MESSAGE, 0, 3, "abc", 3);
    raw_ping(&s, 9);
    send_script(fd, &s);
    CHECK_MSG(t, acked_without_goaway(fd, WAIT_MS), "a MESSAGE on skipped stream 3 is ignored");
    raw_headers(&s, 3, UNARY);
    send_script(fd, &s);
    expect_goaway(t, fd, CW_GOAWAY_PROTOCOL_ERROR, 5);
}

/* 3.3: a unary call with no request message, or two, ends INTERNAL; the connection carries on. */
static void unary_message_count(check_ctx *t) {
    int fd = open_raw(t, true);
    if (fd < 0) return;
    fs_script s = {0};
    Civicgrid__V1__SimpleRequest req = CIVICGRID__V1__SIMPLE_REQUEST__INIT;
    /* One stream at a time: raw_trailers skips other streams' frames. */
    raw_headers(&s, 1, UNARY);
    fs_frame(&s, CW_FRAME_HALF_CLOSE, 0, 1, NULL, 0);
    send_script(fd, &s);
    expect_trailers(t, fd, 1, CW_INTERNAL);
    raw_headers(&s, 3, UNARY);
    fs_frame_msg(&s, CW_FRAME_MESSAGE, 0, 3, &req.base);
    fs_frame_msg(&s, CW_FRAME_MESSAGE, 0, 3, &req.base);
    fs_frame(&s, CW_FRAME_HALF_CLOSE, 0, 3, NULL, 0);
    send_script(fd, &s);
    expect_trailers(t, fd, 3, CW_INTERNAL);
    unary_ok(t, fd, 5);
    close(fd);
}

/* 6.2: the first PING is free, each sooner than 1 s after the last is a strike, a new stream
 * resets the count; the third strike is ENHANCE_YOUR_CALM. */
static void ping_strikes(check_ctx *t) {
    int fd = open_raw(t, true);
    if (fd < 0) return;
    fs_script s = {0};
    for (uint64_t i = 1; i <= 3; i++) raw_ping(&s, i);
    raw_headers(&s, 1, "bad");
    for (uint64_t i = 4; i <= 6; i++) raw_ping(&s, i);
    send_script(fd, &s);
    static fs_frame_in f;
    int acks = 0;
    uint32_t code = 99;
    while (fs_read_frame(fd, &f, WAIT_MS)) {
        if (f.h.type == CW_FRAME_PING) acks++;
        if (f.h.type == CW_FRAME_GOAWAY) {
            Civicgrid__Wire__V1__GoAway *g = civicgrid__wire__v1__go_away__unpack(NULL, f.h.length, f.payload);
            if (g) code = g->error_code;
            if (g) civicgrid__wire__v1__go_away__free_unpacked(g, NULL);
            break;
        }
    }
    CHECK_MSG(t, acks == 5 && code == CW_GOAWAY_ENHANCE_YOUR_CALM, "%d acks, goaway code %u", acks, code);
    close(fd);
}

/* 6.3: only cancels of running streams count toward the flood limit (1,000 per 10 s). */
static void cancel_flood(check_ctx *t) {
    int fd = open_raw(t, true);
    if (fd < 0) return;
    fs_script s = {0};
    uint32_t id = 1;
    for (int i = 0; i <= 1000; i++, id += 2) {
        raw_headers(&s, id, "bad");
        fs_frame(&s, CW_FRAME_CANCEL, 0, id, NULL, 0);
    }
    raw_ping(&s, 7);
    send_script(fd, &s);
    CHECK_MSG(t, acked_without_goaway(fd, 10000), "cancels of refused streams are not counted");
    for (int i = 0; i <= 1000; i++, id += 2) {
        raw_headers(&s, id, UNARY);
        fs_frame(&s, CW_FRAME_CANCEL, 0, id, NULL, 0);
    }
    send_script(fd, &s);
    expect_goaway(t, fd, CW_GOAWAY_ENHANCE_YOUR_CALM, -1);
}

/* 7: peer is "ipv4:ADDRESS:PORT" of the client's socket. */
static void peer_format(check_ctx *t) {
    int fd = open_raw(t, true);
    if (fd < 0) return;
    fs_script s = {0};
    Civicgrid__V1__SimpleRequest req = CIVICGRID__V1__SIMPLE_REQUEST__INIT;
    raw_unary(&s, 1, UNARY, &req.base);
    send_script(fd, &s);
    static fs_frame_in f;
    CHECK(t, raw_next_of(fd, CW_FRAME_MESSAGE, &f, WAIT_MS));
    Civicgrid__V1__SimpleResponse *r = civicgrid__v1__simple_response__unpack(NULL, f.h.length, f.payload);
    char want[64];
    snprintf(want, sizeof want, "ipv4:127.0.0.1:%d", raw_local_port(fd));
    CHECK_MSG(t, r != NULL && strcmp(r->peer, want) == 0, "peer %s, want %s", r ? r->peer : "?", want);
    if (r) civicgrid__v1__simple_response__free_unpacked(r, NULL);
    close(fd);
}

/* 5: bytes sent to a stream nobody reads stop within max_message_size + 2 x window
 * (defaults: 4 MiB + 512 KiB), however the sender cuts its messages. */
static void memory_bound(check_ctx *t) {
    int fd = open_raw(t, true);
    if (fd < 0) return;
    fs_script s = {0};
    /* The handler takes this first request, then sleeps 30 s: the rest waits unread. */
    Civicgrid__V1__ResponseParameters rp = CIVICGRID__V1__RESPONSE_PARAMETERS__INIT, *rpp = &rp;
    rp.size = 1;
    rp.interval_us = 30000000;
    Civicgrid__V1__StreamingOutputCallRequest first = CIVICGRID__V1__STREAMING_OUTPUT_CALL_REQUEST__INIT;
    first.n_response_parameters = 1;
    first.response_parameters = &rpp;
    raw_headers(&s, 1, "/civicgrid.v1.Diagnostics/FullDuplexCall");
    fs_frame_msg(&s, CW_FRAME_MESSAGE, 0, 1, &first.base);
    int64_t available = CW_DEFAULT_INITIAL_WINDOW_SIZE - (int64_t)protobuf_c_message_get_packed_size(&first.base);
    send_script(fd, &s);
    static uint8_t fragment[16384];
    static fs_frame_in f;
    int64_t sent = 0;
    bool stalled = false;
    for (int piece = 0; sent < 6000000; piece++) {
        bool more = piece % 16 != 15;
        size_t len = more ? sizeof fragment : 1;
        while (available < (int64_t)len && raw_next_of(fd, CW_FRAME_WINDOW_UPDATE, &f, 2000)) {
            Civicgrid__Wire__V1__WindowUpdate *w = civicgrid__wire__v1__window_update__unpack(NULL, f.h.length, f.payload);
            if (w && f.h.stream_id == 1) available += w->increment;
            if (w) civicgrid__wire__v1__window_update__free_unpacked(w, NULL);
        }
        if (available < (int64_t)len) {
            stalled = true;
            break;
        }
        fs_frame(&s, CW_FRAME_MESSAGE, more ? CW_FLAG_MORE : 0, 1, fragment, len);
        send_script(fd, &s);
        available -= (int64_t)len;
        sent += (int64_t)len;
    }
    const int64_t bound = CW_DEFAULT_MAX_MESSAGE_SIZE + 2 * (int64_t)CW_DEFAULT_INITIAL_WINDOW_SIZE;
    CHECK_MSG(t, stalled && sent <= bound, "stalled %d after %lld bytes; bound %lld", stalled, (long long)sent,
              (long long)bound);
    CHECK(t, sent > (int64_t)CW_DEFAULT_INITIAL_WINDOW_SIZE);
    fs_frame(&s, CW_FRAME_CANCEL, 0, 1, NULL, 0);
    raw_ping(&s, 3);
    send_script(fd, &s);
    CHECK(t, raw_next_of(fd, CW_FRAME_PING, &f, WAIT_MS));
    close(fd);
}

size_t conformance_points(check_case *out, const target *tg) {
    const check_case cases[] = {
        {"conformance/point_unsupported_version_after_preface", unsupported_version_after_preface, tg},
        {"conformance/point_preface_judged_on_first_wrong_byte", preface_judged_on_first_wrong_byte, tg},
        {"conformance/point_handshake_timeout_is_absolute", handshake_timeout_is_absolute, tg},
        {"conformance/point_settings_ack_not_awaited", settings_ack_not_awaited, tg},
        {"conformance/point_first_frame_not_settings", first_frame_not_settings, tg},
        {"conformance/point_client_goaway", client_goaway, tg},
        {"conformance/point_last_stream_id_includes_refused", last_stream_id_includes_refused, tg},
        {"conformance/point_second_headers", second_headers, tg},
        {"conformance/point_reserved_stream_bit", reserved_stream_bit, tg},
        {"conformance/point_skipped_ids_are_closed", skipped_ids_are_closed, tg},
        {"conformance/point_unary_message_count", unary_message_count, tg},
        {"conformance/point_ping_strikes", ping_strikes, tg},
        {"conformance/point_cancel_flood", cancel_flood, tg},
        {"conformance/point_peer_format", peer_format, tg},
        {"conformance/point_memory_bound", memory_bound, tg},
    };
    return CHECK_SUITE(out, cases);
}
