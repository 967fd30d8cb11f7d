/* civicload's client streaming (--messages): every message queued on one call, resumed after
 * CW_AGAIN, then the half-close, as a fake server sees them frame by frame. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civicgrid/wire/v1/wire.pb-c.h"
#include "fake_server.h"
#include "stream.h"
#include "tests.h"

#define STREAMING_INPUT "/civicgrid.v1.Diagnostics/StreamingInputCall"

/* Reads what the client sent so far (10 ms without a frame ends it): whole MESSAGEs of `len`
 * bytes on stream 1 are counted, a HALF_CLOSE noted; on the call's stream anything else fails
 * the check (the connection's own frames, such as the SETTINGS ACK, are skipped). */
static void read_sent(check_ctx *t, int sfd, fs_frame_in *f, size_t len, int *messages, bool *half_closed) {
    while (fs_read_frame(sfd, f, 10)) {
        if (f->h.type == CW_FRAME_HEADERS || f->h.stream_id == 0) continue;
        CHECK(t, f->h.stream_id == 1 && !*half_closed);
        if (f->h.type == CW_FRAME_MESSAGE) {
            CHECK(t, f->h.flags == 0 && f->h.length == len);
            (*messages)++;
        } else {
            CHECK(t, f->h.type == CW_FRAME_HALF_CLOSE);
            *half_closed = true;
        }
    }
}

/* A client connected to a fake server that answered the handshake with `settings` (NULL:
 * empty), and one StreamingInputCall started on it. */
static cw_call *connect_and_start(check_ctx *t, const ProtobufCMessage *settings, cw_conn **conn, int *sfd, fs_frame_in *f) {
    CHECK(t, fs_pair(NULL, conn, sfd));
    fs_script s = {0};
    fs_handshake(&s, settings);
    fs_send(*sfd, &s);
    fs_free(&s);
    CHECK(t, fs_read_preface(*sfd, 1000));
    CHECK(t, fs_read_frame(*sfd, f, 1000) && f->h.type == CW_FRAME_SETTINGS);
    for (int i = 0; i < 3; i++) cw_conn_step(*conn, 0);
    cw_call *k = NULL;
    cw_call_opts o = {0};
    CHECK(t, cw_call_start(*conn, STREAMING_INPUT, &o, &k) == CW_OK);
    return k;
}

/*
 * Twelve messages of 40 bytes to a server whose max_message_size is 100: at most two wait
 * unsent in the call at once, so queueing stops with CW_AGAIN and resumes after the
 * connection has sent them. The server gets all twelve, then one HALF_CLOSE.
 */
static void sends_every_message_then_half_closes(check_ctx *t) {
    Civicgrid__Wire__V1__Settings st = CIVICGRID__WIRE__V1__SETTINGS__INIT;
    st.max_message_size = 100;
    cw_conn *conn;
    int sfd;
    fs_frame_in *f = malloc(sizeof *f);
    cw_call *k = connect_and_start(t, &st.base, &conn, &sfd, f);
    uint8_t msg[40];
    memset(msg, 0x2a, sizeof msg);
    uint32_t left = 12;
    int agains = 0, messages = 0;
    bool half_closed = false;
    cw_code rc;
    while ((rc = stream_send(k, msg, sizeof msg, &left)) == CW_AGAIN && agains < 100) {
        agains++;
        cw_conn_step(conn, 0);
        read_sent(t, sfd, f, sizeof msg, &messages, &half_closed);
    }
    CHECK(t, rc == CW_OK && left == 0);
    CHECK(t, agains >= 5); /* two fit unsent at a time: twelve need at least five resumptions */
    for (int i = 0; i < 3; i++) cw_conn_step(conn, 0);
    read_sent(t, sfd, f, sizeof msg, &messages, &half_closed);
    CHECK(t, messages == 12 && half_closed);
    /* Everything is queued: a further call sends nothing and is refused as after close_send. */
    left = 1;
    CHECK(t, stream_send(k, msg, sizeof msg, &left) == CW_FAILED_PRECONDITION && left == 1);

    cw_call_free(k);
    cw_conn_free(conn);
    close(sfd);
    free(f);
}

/* One message (the default, --messages 1) is exactly a unary request: MESSAGE, HALF_CLOSE. */
static void one_message_is_a_unary_request(check_ctx *t) {
    cw_conn *conn;
    int sfd;
    fs_frame_in *f = malloc(sizeof *f);
    cw_call *k = connect_and_start(t, NULL, &conn, &sfd, f);
    uint32_t left = 1;
    CHECK(t, stream_send(k, (const uint8_t *)"ab", 2, &left) == CW_OK && left == 0);
    int messages = 0;
    bool half_closed = false;
    for (int i = 0; i < 3; i++) cw_conn_step(conn, 0);
    read_sent(t, sfd, f, 2, &messages, &half_closed);
    CHECK(t, messages == 1 && half_closed);
    cw_call_free(k);
    cw_conn_free(conn);
    close(sfd);
    free(f);
}

size_t stream_tests(check_case *out) {
    static const check_case cases[] = {
        {"stream/sends_every_message_then_half_closes", sends_every_message_then_half_closes, NULL},
        {"stream/one_message_is_a_unary_request", one_message_is_a_unary_request, NULL},
    };
    return CHECK_SUITE(out, cases);
}
