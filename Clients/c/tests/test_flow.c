/*
 * Conversations with a fake server driven step by step: handshake order, stream
 * limits, fragmentation, flow control, deadlines, cancel, GOAWAY and PING.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civicgrid/wire/v1/wire.pb-c.h"
#include "fake_server.h"
#include "tests.h"

#define EMPTY_CALL "/civicgrid.v1.Diagnostics/EmptyCall"

/* A client connected to a fake server that answered the handshake with `settings`. */
typedef struct fixture {
    cw_conn *conn;
    int sfd;
    fs_frame_in *f;
} fixture;

static bool setup(check_ctx *t, fixture *fx, const cw_conn_opts *opts, const ProtobufCMessage *settings) {
    fx->f = malloc(sizeof *fx->f);
    if (!fs_pair(opts, &fx->conn, &fx->sfd)) {
        CHECK(t, !"socketpair");
        return false;
    }
    fs_script s = {0};
    fs_handshake(&s, settings);
    fs_send(fx->sfd, &s);
    fs_free(&s);
    CHECK(t, fs_read_preface(fx->sfd, 1000));
    CHECK(t, fs_read_frame(fx->sfd, fx->f, 1000) && fx->f->h.type == CW_FRAME_SETTINGS);
    for (int i = 0; i < 3; i++) cw_conn_step(fx->conn, 0);
    CHECK(t, cw_conn_state_of(fx->conn) == CW_CONN_READY);
    return true;
}

static void teardown(fixture *fx) {
    cw_conn_free(fx->conn);
    close(fx->sfd);
    free(fx->f);
}

static void server_write(fixture *fx, const fs_script *s) {
    fs_send(fx->sfd, s);
}

static cw_call *start(check_ctx *t, cw_conn *conn, uint64_t timeout_us, const cw_metadata *md) {
    cw_call *k = NULL;
    cw_call_opts o = {.timeout_micros = timeout_us, .metadata = md};
    CHECK(t, cw_call_start(conn, EMPTY_CALL, &o, &k) == CW_OK);
    return k;
}

static void waits_for_server_settings(check_ctx *t) {
    cw_conn *conn;
    int sfd;
    fs_frame_in *f = malloc(sizeof *f);
    CHECK(t, fs_pair(NULL, &conn, &sfd));
    cw_call *k = start(t, conn, 0, NULL);
    CHECK(t, cw_call_send(k, "", 0) == CW_OK && cw_call_close_send(k) == CW_OK);
    for (int i = 0; i < 3; i++) cw_conn_step(conn, 0);
    CHECK(t, fs_read_preface(sfd, 1000));
    CHECK(t, fs_read_frame(sfd, f, 1000) && f->h.type == CW_FRAME_SETTINGS && f->h.stream_id == 0);
    CHECK(t, !fs_read_frame(sfd, f, 50)); /* no HEADERS before the server's SETTINGS */
    fs_script s = {0};
    fs_handshake(&s, NULL);
    fs_send(sfd, &s);
    CHECK(t, fs_expect(sfd, conn, CW_FRAME_SETTINGS, f, 1000) && (f->h.flags & CW_FLAG_ACK) && f->h.length == 0);
    CHECK(t, fs_read_frame(sfd, f, 1000) && f->h.type == CW_FRAME_HEADERS && f->h.stream_id == 1);
    Civicgrid__Wire__V1__Headers *h = civicgrid__wire__v1__headers__unpack(NULL, f->h.length, f->payload);
    CHECK(t, h != NULL && strcmp(h->method, EMPTY_CALL) == 0 && h->timeout_micros == 0);
    if (h) civicgrid__wire__v1__headers__free_unpacked(h, NULL);
    CHECK(t, fs_read_frame(sfd, f, 1000) && f->h.type == CW_FRAME_MESSAGE && f->h.length == 0 && f->h.flags == 0);
    CHECK(t, fs_read_frame(sfd, f, 1000) && f->h.type == CW_FRAME_HALF_CLOSE && f->h.stream_id == 1);
    cw_call_free(k);
    cw_conn_free(conn);
    close(sfd);
    fs_free(&s);
    free(f);
}

static void honours_max_concurrent_streams(check_ctx *t) {
    Civicgrid__Wire__V1__Settings st = CIVICGRID__WIRE__V1__SETTINGS__INIT;
    st.max_concurrent_streams = 2;
    fixture fx;
    if (!setup(t, &fx, NULL, &st.base)) return;
    cw_call *calls[5];
    for (int i = 0; i < 5; i++) calls[i] = start(t, fx.conn, 0, NULL);
    CHECK(t, fs_expect(fx.sfd, fx.conn, CW_FRAME_HEADERS, fx.f, 1000) && fx.f->h.stream_id == 1);
    CHECK(t, fs_expect(fx.sfd, fx.conn, CW_FRAME_HEADERS, fx.f, 1000) && fx.f->h.stream_id == 3);
    CHECK(t, !fs_expect(fx.sfd, fx.conn, CW_FRAME_HEADERS, fx.f, 50));
    CHECK(t, cw_conn_calls_in_flight(fx.conn) == 5);
    CHECK(t, cw_call_stream_id(calls[2]) == 0);
    fs_script s = {0};
    fs_trailers(&s, 1, 0, "");
    server_write(&fx, &s);
    CHECK(t, fs_expect(fx.sfd, fx.conn, CW_FRAME_HEADERS, fx.f, 1000) && fx.f->h.stream_id == 5);
    CHECK(t, cw_call_done(calls[0]) && cw_call_status(calls[0])->code == CW_OK);
    CHECK(t, cw_call_stream_id(calls[2]) == 5);
    for (int i = 0; i < 5; i++) cw_call_free(calls[i]);
    fs_free(&s);
    teardown(&fx);
}

/* Honours the server's max_frame_size and initial_window_size, resumes on WINDOW_UPDATE. */
static void fragments_to_frame_size_and_window(check_ctx *t) {
    Civicgrid__Wire__V1__Settings st = CIVICGRID__WIRE__V1__SETTINGS__INIT;
    st.max_frame_size = 1024;
    st.initial_window_size = 3000;
    fixture fx;
    if (!setup(t, &fx, NULL, &st.base)) return;
    uint8_t *req = malloc(5000);
    for (int i = 0; i < 5000; i++) req[i] = (uint8_t)i;
    cw_call *k = start(t, fx.conn, 0, NULL);
    CHECK(t, cw_call_send(k, req, 5000) == CW_OK && cw_call_close_send(k) == CW_OK);
    uint8_t *got = malloc(5000);
    size_t total = 0;
    int frames = 0;
    bool more_ok = true;
    while (total < 3000 && fs_expect(fx.sfd, fx.conn, CW_FRAME_MESSAGE, fx.f, 1000)) {
        CHECK(t, fx.f->h.length <= 1024);
        more_ok = more_ok && (fx.f->h.flags & CW_FLAG_MORE);
        memcpy(got + total, fx.f->payload, fx.f->h.length);
        total += fx.f->h.length;
        frames++;
    }
    CHECK(t, total == 3000 && frames == 3 && more_ok);
    CHECK(t, !fs_expect(fx.sfd, fx.conn, CW_FRAME_MESSAGE, fx.f, 50)); /* window exhausted */
    Civicgrid__Wire__V1__WindowUpdate wu = CIVICGRID__WIRE__V1__WINDOW_UPDATE__INIT;
    wu.increment = 5000;
    fs_script s = {0};
    fs_frame_msg(&s, CW_FRAME_WINDOW_UPDATE, 0, 1, &wu.base);
    server_write(&fx, &s);
    uint8_t last_flags = CW_FLAG_MORE;
    while (total < 5000 && fs_expect(fx.sfd, fx.conn, CW_FRAME_MESSAGE, fx.f, 1000)) {
        memcpy(got + total, fx.f->payload, fx.f->h.length);
        total += fx.f->h.length;
        last_flags = fx.f->h.flags;
    }
    CHECK(t, total == 5000 && last_flags == 0 && memcmp(got, req, 5000) == 0);
    CHECK(t, fs_read_frame(fx.sfd, fx.f, 1000) && fx.f->h.type == CW_FRAME_HALF_CLOSE);
    cw_call_free(k);
    free(req);
    free(got);
    fs_free(&s);
    teardown(&fx);
}

static uint32_t window_update_increment(const fs_frame_in *f) {
    Civicgrid__Wire__V1__WindowUpdate *w = civicgrid__wire__v1__window_update__unpack(NULL, f->h.length, f->payload);
    uint32_t inc = w ? w->increment : 0;
    if (w) civicgrid__wire__v1__window_update__free_unpacked(w, NULL);
    return inc;
}

/* Grants window as messages are consumed, and lets a message larger than the window complete. */
static void grants_window_as_it_consumes(check_ctx *t) {
    cw_conn_opts opts = {.initial_window_size = 4096, .max_frame_size = 1024};
    fixture fx;
    if (!setup(t, &fx, &opts, NULL)) return;
    cw_call *k = start(t, fx.conn, 0, NULL);
    CHECK(t, fs_expect(fx.sfd, fx.conn, CW_FRAME_HEADERS, fx.f, 1000));
    static const uint8_t kb[1024];
    fs_script s = {0};
    fs_frame(&s, CW_FRAME_MESSAGE, 0, 1, kb, 1024);
    fs_frame(&s, CW_FRAME_MESSAGE, 0, 1, kb, 1024);
    fs_frame(&s, CW_FRAME_MESSAGE, 0, 1, kb, 1024);
    server_write(&fx, &s);
    for (int i = 0; i < 3; i++) cw_conn_step(fx.conn, 10);
    CHECK(t, !fs_read_frame(fx.sfd, fx.f, 30)); /* nothing consumed, nothing granted */
    uint8_t *m;
    size_t len;
    CHECK(t, cw_call_next_message(k, &m, &len) == CW_OK && len == 1024);
    free(m);
    CHECK(t, cw_call_next_message(k, &m, &len) == CW_OK && len == 1024);
    free(m);
    CHECK(t, fs_expect(fx.sfd, fx.conn, CW_FRAME_WINDOW_UPDATE, fx.f, 1000) && window_update_increment(fx.f) == 2048);
    CHECK(t, cw_call_next_message(k, &m, &len) == CW_OK && len == 1024);
    free(m);
    /* A 10 KiB message through a 4 KiB window: the server sends only what it was granted. */
    int64_t window = 4096 - 1024; /* 2048 granted back, 1024 of the third message not yet */
    size_t sent = 0;
    const size_t big = 10240;
    for (int round = 0; round < 100 && sent < big; round++) {
        fs_free(&s);
        while (window > 0 && sent < big) {
            size_t n = big - sent < 1024 ? big - sent : 1024;
            if ((int64_t)n > window) n = (size_t)window;
            sent += n;
            window -= (int64_t)n;
            fs_frame(&s, CW_FRAME_MESSAGE, sent < big ? CW_FLAG_MORE : 0, 1, kb, n);
        }
        server_write(&fx, &s);
        if (sent < big) {
            CHECK(t, fs_expect(fx.sfd, fx.conn, CW_FRAME_WINDOW_UPDATE, fx.f, 1000));
            window += window_update_increment(fx.f);
        }
    }
    CHECK(t, sent == big);
    CHECK(t, cw_call_wait_message(k, &m, &len) == CW_OK && len == big);
    free(m);
    cw_call_free(k);
    fs_free(&s);
    teardown(&fx);
}

static void deadline_sent_and_enforced(check_ctx *t) {
    fixture fx;
    if (!setup(t, &fx, NULL, NULL)) return;
    cw_call *k = start(t, fx.conn, 50000, NULL);
    CHECK(t, fs_expect(fx.sfd, fx.conn, CW_FRAME_HEADERS, fx.f, 1000));
    Civicgrid__Wire__V1__Headers *h = civicgrid__wire__v1__headers__unpack(NULL, fx.f->h.length, fx.f->payload);
    CHECK(t, h != NULL && h->timeout_micros > 0 && h->timeout_micros <= 50000);
    if (h) civicgrid__wire__v1__headers__free_unpacked(h, NULL);
    /* The fake server never answers: the call can only end by its own deadline, and the
     * client tells the server with a CANCEL carrying DEADLINE_EXCEEDED. */
    CHECK(t, cw_call_wait(k) == CW_DEADLINE_EXCEEDED);
    CHECK(t, fs_expect(fx.sfd, fx.conn, CW_FRAME_CANCEL, fx.f, 1000));
    Civicgrid__Wire__V1__Cancel *c = civicgrid__wire__v1__cancel__unpack(NULL, fx.f->h.length, fx.f->payload);
    CHECK(t, c != NULL && c->code == CW_DEADLINE_EXCEEDED);
    if (c) civicgrid__wire__v1__cancel__free_unpacked(c, NULL);
    /* A late answer for the cancelled stream is ignored. */
    fs_script s = {0};
    fs_unary_answer(&s, 1, "x", 1);
    server_write(&fx, &s);
    CHECK(t, cw_conn_step(fx.conn, 20) == CW_OK);
    CHECK(t, cw_call_status(k)->code == CW_DEADLINE_EXCEEDED);
    cw_call_free(k);
    fs_free(&s);
    teardown(&fx);
}

static void cancel_sends_cancel(check_ctx *t) {
    fixture fx;
    if (!setup(t, &fx, NULL, NULL)) return;
    cw_call *k = start(t, fx.conn, 0, NULL);
    CHECK(t, fs_expect(fx.sfd, fx.conn, CW_FRAME_HEADERS, fx.f, 1000));
    CHECK(t, cw_call_cancel(k) == CW_OK);
    CHECK(t, cw_call_done(k) && cw_call_status(k)->code == CW_CANCELLED);
    CHECK(t, fs_expect(fx.sfd, fx.conn, CW_FRAME_CANCEL, fx.f, 1000) && fx.f->h.stream_id == 1);
    cw_call_free(k);
    teardown(&fx);
}

static void metadata_out_and_in(check_ctx *t) {
    fixture fx;
    if (!setup(t, &fx, NULL, NULL)) return;
    cw_metadata md;
    cw_metadata_init(&md);
    cw_metadata_add_string(&md, "x-civic-initial", "hello");
    cw_metadata_add(&md, "x-civic-trailing-bin", "\x00\x01\xfe", 3);
    cw_call *k = start(t, fx.conn, 0, &md);
    CHECK(t, fs_expect(fx.sfd, fx.conn, CW_FRAME_HEADERS, fx.f, 1000));
    Civicgrid__Wire__V1__Headers *h = civicgrid__wire__v1__headers__unpack(NULL, fx.f->h.length, fx.f->payload);
    CHECK(t, h != NULL && h->n_metadata == 2);
    if (h && h->n_metadata == 2) {
        CHECK(t, strcmp(h->metadata[0]->key, "x-civic-initial") == 0 &&
                     strcmp(h->metadata[0]->string_value, "hello") == 0);
        CHECK(t, h->metadata[1]->value_case == CIVICGRID__WIRE__V1__METADATA_ENTRY__VALUE_BINARY_VALUE &&
                     h->metadata[1]->binary_value.len == 3);
        /* echo them back: leading, then trailing, plus a reserved key the client drops */
        fs_script s = {0};
        Civicgrid__Wire__V1__MetadataEntry grpc = CIVICGRID__WIRE__V1__METADATA_ENTRY__INIT;
        grpc.key = "grpc-status";
        grpc.value_case = CIVICGRID__WIRE__V1__METADATA_ENTRY__VALUE_STRING_VALUE;
        grpc.string_value = "0";
        Civicgrid__Wire__V1__MetadataEntry *lead[2] = {h->metadata[0], &grpc};
        Civicgrid__Wire__V1__Headers rh = CIVICGRID__WIRE__V1__HEADERS__INIT;
        rh.n_metadata = 2;
        rh.metadata = lead;
        fs_frame_msg(&s, CW_FRAME_HEADERS, 0, 1, &rh.base);
        Civicgrid__Wire__V1__Trailers tr = CIVICGRID__WIRE__V1__TRAILERS__INIT;
        tr.n_metadata = 1;
        tr.metadata = &h->metadata[1];
        fs_frame_msg(&s, CW_FRAME_TRAILERS, 0, 1, &tr.base);
        server_write(&fx, &s);
        fs_free(&s);
    }
    if (h) civicgrid__wire__v1__headers__free_unpacked(h, NULL);
    CHECK(t, cw_call_wait(k) == CW_OK);
    const cw_metadata *im = cw_call_initial_metadata(k);
    const cw_metadata *tm = cw_call_trailing_metadata(k);
    CHECK(t, im->count == 1 && strcmp((char *)im->entries[0].value, "hello") == 0);
    CHECK(t, tm->count == 1 && tm->entries[0].value_len == 3 && memcmp(tm->entries[0].value, "\x00\x01\xfe", 3) == 0);
    cw_call_free(k);
    cw_metadata_clear(&md);
    teardown(&fx);
}

/* cw_call_opts.traceparent goes out as "traceparent" metadata after the call's own; a
 * malformed one, or a second one, is refused before anything is sent. */
static void traceparent_sent_as_metadata(check_ctx *t) {
    fixture fx;
    if (!setup(t, &fx, NULL, NULL)) return;
    const char *tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    cw_metadata md;
    cw_metadata_init(&md);
    cw_metadata_add_string(&md, "x-civic-initial", "hello");
    cw_call *bad = NULL;
    cw_call_opts malformed = {.traceparent = "00-nope"};
    CHECK(t, cw_call_start(fx.conn, "/civicgrid.v1.Diagnostics/EmptyCall", &malformed, &bad) == CW_INVALID_ARGUMENT && bad == NULL);
    cw_metadata twice;
    cw_metadata_init(&twice);
    cw_metadata_add_string(&twice, "traceparent", tp);
    cw_call_opts duplicate = {.metadata = &twice, .traceparent = tp};
    CHECK(t, cw_call_start(fx.conn, "/civicgrid.v1.Diagnostics/EmptyCall", &duplicate, &bad) == CW_INVALID_ARGUMENT && bad == NULL);
    cw_metadata_clear(&twice);

    cw_call_opts o = {.metadata = &md, .traceparent = tp};
    cw_call *k = NULL;
    CHECK(t, cw_call_start(fx.conn, "/civicgrid.v1.Diagnostics/EmptyCall", &o, &k) == CW_OK && k != NULL);
    CHECK(t, fs_expect(fx.sfd, fx.conn, CW_FRAME_HEADERS, fx.f, 1000));
    Civicgrid__Wire__V1__Headers *h = civicgrid__wire__v1__headers__unpack(NULL, fx.f->h.length, fx.f->payload);
    CHECK(t, h != NULL && h->n_metadata == 2);
    if (h && h->n_metadata == 2) {
        CHECK(t, strcmp(h->metadata[0]->key, "x-civic-initial") == 0);
        CHECK(t, strcmp(h->metadata[1]->key, "traceparent") == 0 && strcmp(h->metadata[1]->string_value, tp) == 0);
    }
    if (h) civicgrid__wire__v1__headers__free_unpacked(h, NULL);
    if (k) cw_call_free(k);
    cw_metadata_clear(&md);
    teardown(&fx);
}

/* GOAWAY: no new calls, calls above last_stream_id fail, the rest finish, then close. */
static void goaway_drains(check_ctx *t) {
    Civicgrid__Wire__V1__Settings st = CIVICGRID__WIRE__V1__SETTINGS__INIT;
    st.max_concurrent_streams = 2;
    fixture fx;
    if (!setup(t, &fx, NULL, &st.base)) return;
    cw_call *a = start(t, fx.conn, 0, NULL), *b = start(t, fx.conn, 0, NULL), *c = start(t, fx.conn, 0, NULL);
    CHECK(t, fs_expect(fx.sfd, fx.conn, CW_FRAME_HEADERS, fx.f, 1000));
    CHECK(t, fs_expect(fx.sfd, fx.conn, CW_FRAME_HEADERS, fx.f, 1000) && fx.f->h.stream_id == 3);
    Civicgrid__Wire__V1__GoAway g = CIVICGRID__WIRE__V1__GO_AWAY__INIT;
    g.last_stream_id = 0x7fffffff;
    fs_script s = {0};
    fs_frame_msg(&s, CW_FRAME_GOAWAY, 0, 0, &g.base);
    Civicgrid__Wire__V1__Ping p = CIVICGRID__WIRE__V1__PING__INIT;
    p.opaque = 42;
    fs_frame_msg(&s, CW_FRAME_PING, 0, 0, &p.base);
    server_write(&fx, &s);
    CHECK(t, fs_expect(fx.sfd, fx.conn, CW_FRAME_PING, fx.f, 1000) && (fx.f->h.flags & CW_FLAG_ACK));
    Civicgrid__Wire__V1__Ping *ack = civicgrid__wire__v1__ping__unpack(NULL, fx.f->h.length, fx.f->payload);
    CHECK(t, ack != NULL && ack->opaque == 42);
    if (ack) civicgrid__wire__v1__ping__free_unpacked(ack, NULL);
    CHECK(t, cw_conn_state_of(fx.conn) == CW_CONN_DRAINING);
    CHECK(t, cw_call_done(c) && cw_call_status(c)->code == CW_UNAVAILABLE); /* never sent */
    cw_call *d = NULL;
    cw_call_opts o = {0};
    CHECK(t, cw_call_start(fx.conn, EMPTY_CALL, &o, &d) == CW_UNAVAILABLE && d == NULL);
    fs_free(&s);
    g.last_stream_id = 1;
    fs_frame_msg(&s, CW_FRAME_GOAWAY, 0, 0, &g.base);
    fs_unary_answer(&s, 1, "", 0);
    server_write(&fx, &s);
    CHECK(t, cw_call_wait(a) == CW_OK);
    CHECK(t, cw_call_done(b) && cw_call_status(b)->code == CW_UNAVAILABLE);
    CHECK(t, cw_conn_state_of(fx.conn) == CW_CONN_CLOSED);
    uint32_t last = 0, code = 9;
    CHECK(t, cw_conn_goaway(fx.conn, &last, &code) && last == 1 && code == 0);
    cw_call_free(a);
    cw_call_free(b);
    cw_call_free(c);
    fs_free(&s);
    teardown(&fx);
}

static void ping_round_trip(check_ctx *t) {
    fixture fx;
    if (!setup(t, &fx, NULL, NULL)) return;
    CHECK(t, cw_conn_ping(fx.conn, 7) == CW_OK);
    CHECK(t, cw_conn_ping(fx.conn, 8) == CW_FAILED_PRECONDITION);
    CHECK(t, fs_expect(fx.sfd, fx.conn, CW_FRAME_PING, fx.f, 1000) && fx.f->h.flags == 0);
    fs_script s = {0};
    fs_frame(&s, CW_FRAME_PING, CW_FLAG_ACK, 0, fx.f->payload, fx.f->h.length);
    server_write(&fx, &s);
    for (int i = 0; i < 50 && !cw_conn_ping_acked(fx.conn, NULL); i++) cw_conn_step(fx.conn, 10);
    int64_t rtt = -1;
    CHECK(t, cw_conn_ping_acked(fx.conn, &rtt) && rtt >= 0);
    fs_free(&s);
    teardown(&fx);
}

/* Steps the client for up to ms, reading what it sends, until a PING reaches the server end. */
static bool await_ping(fixture *fx, int ms) {
    for (int waited = 0; waited < ms; waited += 20) {
        cw_conn_step(fx->conn, 20);
        while (fs_read_frame(fx->sfd, fx->f, 0)) {
            if (fx->f->h.type == CW_FRAME_PING) return true;
        }
    }
    return false;
}

static void keepalive_pings_and_closes(check_ctx *t) {
    fixture fx;
    if (!setup(t, &fx, NULL, NULL)) return;
    CHECK(t, cw_conn_timeout_ms(fx.conn) == -1); /* keepalive off: no timer at all */
    teardown(&fx);

    cw_conn_opts opts = {.keepalive_interval_ms = 1000, .keepalive_timeout_ms = 300};
    if (!setup(t, &fx, &opts, NULL)) return;
    int wait = cw_conn_timeout_ms(fx.conn);
    CHECK_MSG(t, wait >= 0 && wait <= 1000, "%d", wait);
    CHECK(t, await_ping(&fx, 3000) && fx.f->h.flags == 0);
    Civicgrid__Wire__V1__Ping *p = civicgrid__wire__v1__ping__unpack(NULL, fx.f->h.length, fx.f->payload);
    CHECK(t, p != NULL && (p->opaque >> 63) == 1);
    if (p) protobuf_c_message_free_unpacked(&p->base, NULL);
    fs_script s = {0};
    fs_frame(&s, CW_FRAME_PING, CW_FLAG_ACK, 0, fx.f->payload, fx.f->h.length);
    server_write(&fx, &s);
    for (int i = 0; i < 25; i++) cw_conn_step(fx.conn, 20); /* past the 300 ms timeout: acknowledged */
    CHECK(t, cw_conn_state_of(fx.conn) == CW_CONN_READY);

    /* The next silence brings the next PING; left unanswered, it closes the connection. */
    CHECK(t, await_ping(&fx, 3000));
    for (int i = 0; i < 100 && cw_conn_state_of(fx.conn) != CW_CONN_CLOSED; i++) cw_conn_step(fx.conn, 20);
    CHECK(t, cw_conn_state_of(fx.conn) == CW_CONN_CLOSED);
    CHECK_MSG(t, strstr(cw_conn_error(fx.conn), "keepalive: no PING ACK within 300 ms") != NULL, "%s", cw_conn_error(fx.conn));
    fs_free(&s);
    teardown(&fx);
}

static void bad_window_update_is_stream_error(check_ctx *t) {
    fixture fx;
    if (!setup(t, &fx, NULL, NULL)) return;
    cw_call *k = start(t, fx.conn, 0, NULL);
    CHECK(t, fs_expect(fx.sfd, fx.conn, CW_FRAME_HEADERS, fx.f, 1000));
    Civicgrid__Wire__V1__WindowUpdate wu = CIVICGRID__WIRE__V1__WINDOW_UPDATE__INIT;
    wu.increment = 0x7fffffff; /* on top of 256 KiB: above 2^31-1 */
    fs_script s = {0};
    fs_frame_msg(&s, CW_FRAME_WINDOW_UPDATE, 0, 1, &wu.base);
    server_write(&fx, &s);
    CHECK(t, cw_call_wait(k) == CW_INTERNAL);
    CHECK(t, fs_expect(fx.sfd, fx.conn, CW_FRAME_CANCEL, fx.f, 1000));
    CHECK(t, cw_conn_state_of(fx.conn) == CW_CONN_READY); /* the connection lives on */
    cw_call_free(k);
    fs_free(&s);
    teardown(&fx);
}

static void bad_method_rejected_locally(check_ctx *t) {
    fixture fx;
    if (!setup(t, &fx, NULL, NULL)) return;
    const char *bad[] = {"", "/", "noslash", "/a/b/c", "//b", "/a/", "a/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cw_call *k = NULL;
        CHECK_MSG(t, cw_call_start(fx.conn, bad[i], NULL, &k) == CW_UNIMPLEMENTED && k == NULL, "'%s'", bad[i]);
    }
    cw_call *k = NULL;
    CHECK(t, cw_call_start(fx.conn, "civicgrid.v1.Diagnostics/EmptyCall", NULL, &k) == CW_OK);
    CHECK(t, fs_expect(fx.sfd, fx.conn, CW_FRAME_HEADERS, fx.f, 1000));
    Civicgrid__Wire__V1__Headers *h = civicgrid__wire__v1__headers__unpack(NULL, fx.f->h.length, fx.f->payload);
    CHECK(t, h != NULL && strcmp(h->method, EMPTY_CALL) == 0);
    if (h) civicgrid__wire__v1__headers__free_unpacked(h, NULL);
    cw_call_free(k);
    teardown(&fx);
}

/* Many entries (beyond the encoder's inline array) go out; too many bytes fail locally. */
static void metadata_many_and_too_big(check_ctx *t) {
    fixture fx;
    if (!setup(t, &fx, NULL, NULL)) return;
    cw_metadata md;
    cw_metadata_init(&md);
    for (int i = 0; i < 40; i++) cw_metadata_add_string(&md, "x-many", "value");
    cw_call *k = start(t, fx.conn, 0, &md);
    CHECK(t, fs_expect(fx.sfd, fx.conn, CW_FRAME_HEADERS, fx.f, 1000));
    Civicgrid__Wire__V1__Headers *h = civicgrid__wire__v1__headers__unpack(NULL, fx.f->h.length, fx.f->payload);
    CHECK(t, h != NULL && h->n_metadata == 40);
    if (h) civicgrid__wire__v1__headers__free_unpacked(h, NULL);
    cw_call_free(k);
    char big[4000];
    memset(big, 'v', sizeof big - 1);
    big[sizeof big - 1] = 0;
    cw_metadata_add_string(&md, "x-big", big);
    cw_metadata_add_string(&md, "x-big2", big);
    cw_metadata_add_string(&md, "x-big3", big);
    k = start(t, fx.conn, 0, &md);
    cw_conn_step(fx.conn, 0);
    CHECK(t, cw_call_done(k) && cw_call_status(k)->code == CW_RESOURCE_EXHAUSTED);
    CHECK(t, !fs_expect(fx.sfd, fx.conn, CW_FRAME_HEADERS, fx.f, 50));
    cw_call_free(k);
    cw_metadata_clear(&md);
    teardown(&fx);
}

size_t flow_tests(check_case *out) {
    static const check_case cases[] = {
        {"flow/waits_for_server_settings", waits_for_server_settings, NULL},
        {"flow/honours_max_concurrent_streams", honours_max_concurrent_streams, NULL},
        {"flow/fragments_to_frame_size_and_window", fragments_to_frame_size_and_window, NULL},
        {"flow/grants_window_as_it_consumes", grants_window_as_it_consumes, NULL},
        {"flow/deadline_sent_and_enforced", deadline_sent_and_enforced, NULL},
        {"flow/cancel_sends_cancel", cancel_sends_cancel, NULL},
        {"flow/metadata_out_and_in", metadata_out_and_in, NULL},
        {"flow/traceparent_sent_as_metadata", traceparent_sent_as_metadata, NULL},
        {"flow/metadata_many_and_too_big", metadata_many_and_too_big, NULL},
        {"flow/goaway_drains", goaway_drains, NULL},
        {"flow/ping_round_trip", ping_round_trip, NULL},
        {"flow/keepalive_pings_and_closes", keepalive_pings_and_closes, NULL},
        {"flow/bad_window_update_is_stream_error", bad_window_update_is_stream_error, NULL},
        {"flow/bad_method_rejected_locally", bad_method_rejected_locally, NULL},
    };
    return CHECK_SUITE(out, cases);
}
