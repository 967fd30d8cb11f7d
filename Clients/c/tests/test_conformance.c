/*
 * Conformance from C against a running civicgridd: test_conformance HOST:PORT [filter]
 * Each case opens its own connection to the server's CivicWire listener.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "check.h"
#include "conformance_target.h"
#include "civicgrid/v1/diagnostics.pb-c.h"
#include "civicwire/civicwire.h"

#define SVC "/civicgrid.v1.Diagnostics/"
/* Every call has a deadline so that a broken server fails a case instead of hanging the suite. */
#define DEFAULT_TIMEOUT_US 10000000
#define SPECIAL_MESSAGE "\t\ntest with whitespace\r\nand Unicode BMP \xe2\x98\xba and non-BMP \xf0\x9f\x98\x88\t\n"


static cw_conn *connect_to(check_ctx *t) {
    const target *tg = t->arg;
    cw_conn *c = NULL;
    char err[256];
    cw_code rc = cw_conn_open(tg->host, tg->port, NULL, &c, err, sizeof err);
    CHECK_MSG(t, rc == CW_OK, "connect: %s", err);
    return c;
}

/* Packs any protobuf-c message into a malloc'd buffer. */
static uint8_t *pack(const ProtobufCMessage *m, size_t *len) {
    *len = protobuf_c_message_get_packed_size(m);
    uint8_t *b = malloc(*len ? *len : 1);
    if (b) protobuf_c_message_pack(m, b);
    return b;
}

static cw_code unary(cw_conn *c, const char *method, const ProtobufCMessage *req, const cw_call_opts *opts,
                     cw_unary_result *r) {
    size_t len;
    uint8_t *b = pack(req, &len);
    cw_call_opts dflt = {.timeout_micros = DEFAULT_TIMEOUT_US};
    cw_code rc = cw_unary(c, method, b, len, opts ? opts : &dflt, r);
    free(b);
    return rc;
}

/* Sends a message on a streaming call. */
static cw_code send_msg(cw_call *k, const ProtobufCMessage *m) {
    size_t len;
    uint8_t *b = pack(m, &len);
    cw_code rc = cw_call_send(k, b, len);
    free(b);
    return rc;
}

static void empty_unary(check_ctx *t) {
    cw_conn *c = connect_to(t);
    if (!c) return;
    Civicgrid__V1__Empty e = CIVICGRID__V1__EMPTY__INIT;
    cw_unary_result r;
    CHECK_MSG(t, unary(c, SVC "EmptyCall", &e.base, NULL, &r) == CW_OK, "%s", r.status.message);
    CHECK(t, r.response_len == 0);
    cw_unary_result_free(&r);
    cw_conn_free(c);
}

static Civicgrid__V1__SimpleResponse *decode_simple(const cw_unary_result *r) {
    return civicgrid__v1__simple_response__unpack(NULL, r->response_len, r->response);
}

static void large_unary(check_ctx *t) {
    cw_conn *c = connect_to(t);
    if (!c) return;
    uint8_t *body = calloc(1, 271828);
    Civicgrid__V1__Payload p = CIVICGRID__V1__PAYLOAD__INIT;
    p.body.data = body;
    p.body.len = 271828;
    Civicgrid__V1__SimpleRequest req = CIVICGRID__V1__SIMPLE_REQUEST__INIT;
    req.response_size = 314159;
    req.payload = &p;
    cw_unary_result r;
    CHECK_MSG(t, unary(c, SVC "UnaryCall", &req.base, NULL, &r) == CW_OK, "%s", r.status.message);
    Civicgrid__V1__SimpleResponse *resp = decode_simple(&r);
    CHECK(t, resp != NULL && resp->payload != NULL && resp->payload->body.len == 314159);
    if (resp) civicgrid__v1__simple_response__free_unpacked(resp, NULL);
    cw_unary_result_free(&r);
    free(body);
    cw_conn_free(c);
}

/* A response bigger than several windows: the client must keep granting window. */
static void response_through_flow_control(check_ctx *t) {
    cw_conn *c = connect_to(t);
    if (!c) return;
    Civicgrid__V1__SimpleRequest req = CIVICGRID__V1__SIMPLE_REQUEST__INIT;
    req.response_size = 3000000;
    cw_unary_result r;
    CHECK_MSG(t, unary(c, SVC "UnaryCall", &req.base, NULL, &r) == CW_OK, "%s", r.status.message);
    Civicgrid__V1__SimpleResponse *resp = decode_simple(&r);
    CHECK(t, resp != NULL && resp->payload != NULL && resp->payload->body.len == 3000000);
    if (resp) civicgrid__v1__simple_response__free_unpacked(resp, NULL);
    cw_unary_result_free(&r);
    cw_conn_free(c);
}

static void server_streaming(check_ctx *t) {
    cw_conn *c = connect_to(t);
    if (!c) return;
    const int32_t sizes[4] = {31415, 9, 2653, 58979};
    Civicgrid__V1__ResponseParameters params[4], *pp[4];
    for (int i = 0; i < 4; i++) {
        civicgrid__v1__response_parameters__init(&params[i]);
        params[i].size = sizes[i];
        pp[i] = &params[i];
    }
    Civicgrid__V1__StreamingOutputCallRequest req = CIVICGRID__V1__STREAMING_OUTPUT_CALL_REQUEST__INIT;
    req.n_response_parameters = 4;
    req.response_parameters = pp;
    cw_call *k = NULL;
    cw_call_opts o = {.timeout_micros = DEFAULT_TIMEOUT_US};
    CHECK(t, cw_call_start(c, SVC "StreamingOutputCall", &o, &k) == CW_OK);
    CHECK(t, send_msg(k, &req.base) == CW_OK && cw_call_close_send(k) == CW_OK);
    int n = 0;
    uint8_t *m;
    size_t len;
    while (cw_call_wait_message(k, &m, &len) == CW_OK && m != NULL) {
        Civicgrid__V1__StreamingOutputCallResponse *resp =
            civicgrid__v1__streaming_output_call_response__unpack(NULL, len, m);
        CHECK(t, n < 4 && resp != NULL && resp->payload != NULL && (int32_t)resp->payload->body.len == sizes[n]);
        if (resp) civicgrid__v1__streaming_output_call_response__free_unpacked(resp, NULL);
        free(m);
        n++;
    }
    CHECK_MSG(t, n == 4 && cw_call_status(k)->code == CW_OK, "%d messages, %s %s", n,
              cw_code_name(cw_call_status(k)->code), cw_call_status(k)->message);
    cw_call_free(k);
    cw_conn_free(c);
}

static void client_streaming(check_ctx *t) {
    cw_conn *c = connect_to(t);
    if (!c) return;
    const size_t sizes[4] = {27182, 8, 1828, 45904};
    cw_call *k = NULL;
    cw_call_opts o = {.timeout_micros = DEFAULT_TIMEOUT_US};
    CHECK(t, cw_call_start(c, SVC "StreamingInputCall", &o, &k) == CW_OK);
    uint8_t *body = calloc(1, 45904);
    for (int i = 0; i < 4; i++) {
        Civicgrid__V1__Payload p = CIVICGRID__V1__PAYLOAD__INIT;
        p.body.data = body;
        p.body.len = sizes[i];
        Civicgrid__V1__StreamingInputCallRequest req = CIVICGRID__V1__STREAMING_INPUT_CALL_REQUEST__INIT;
        req.payload = &p;
        CHECK(t, send_msg(k, &req.base) == CW_OK);
    }
    CHECK(t, cw_call_close_send(k) == CW_OK);
    uint8_t *m;
    size_t len;
    CHECK(t, cw_call_wait_message(k, &m, &len) == CW_OK && m != NULL);
    if (m) {
        Civicgrid__V1__StreamingInputCallResponse *resp =
            civicgrid__v1__streaming_input_call_response__unpack(NULL, len, m);
        CHECK(t, resp != NULL && resp->aggregated_payload_size == 74922);
        if (resp) civicgrid__v1__streaming_input_call_response__free_unpacked(resp, NULL);
        free(m);
    }
    CHECK_MSG(t, cw_call_wait(k) == CW_OK, "%s", cw_call_status(k)->message);
    cw_call_free(k);
    free(body);
    cw_conn_free(c);
}

static void ping_pong(check_ctx *t) {
    cw_conn *c = connect_to(t);
    if (!c) return;
    const int32_t sizes[4] = {31415, 9, 2653, 58979};
    cw_call *k = NULL;
    cw_call_opts o = {.timeout_micros = DEFAULT_TIMEOUT_US};
    CHECK(t, cw_call_start(c, SVC "FullDuplexCall", &o, &k) == CW_OK);
    for (int i = 0; i < 4 && k; i++) {
        Civicgrid__V1__ResponseParameters rp = CIVICGRID__V1__RESPONSE_PARAMETERS__INIT, *rpp = &rp;
        rp.size = sizes[i];
        Civicgrid__V1__StreamingOutputCallRequest req = CIVICGRID__V1__STREAMING_OUTPUT_CALL_REQUEST__INIT;
        req.n_response_parameters = 1;
        req.response_parameters = &rpp;
        CHECK(t, send_msg(k, &req.base) == CW_OK);
        uint8_t *m;
        size_t len;
        CHECK(t, cw_call_wait_message(k, &m, &len) == CW_OK && m != NULL);
        Civicgrid__V1__StreamingOutputCallResponse *resp =
            m ? civicgrid__v1__streaming_output_call_response__unpack(NULL, len, m) : NULL;
        CHECK(t, resp != NULL && resp->payload != NULL && (int32_t)resp->payload->body.len == sizes[i]);
        if (resp) civicgrid__v1__streaming_output_call_response__free_unpacked(resp, NULL);
        free(m);
    }
    CHECK(t, cw_call_close_send(k) == CW_OK);
    uint8_t *m;
    size_t len;
    CHECK(t, cw_call_wait_message(k, &m, &len) == CW_OK && m == NULL);
    cw_call_free(k);
    cw_conn_free(c);
}

static void empty_stream(check_ctx *t) {
    cw_conn *c = connect_to(t);
    if (!c) return;
    cw_call *k = NULL;
    cw_call_opts o = {.timeout_micros = DEFAULT_TIMEOUT_US};
    CHECK(t, cw_call_start(c, SVC "FullDuplexCall", &o, &k) == CW_OK);
    CHECK(t, cw_call_close_send(k) == CW_OK);
    uint8_t *m;
    size_t len;
    CHECK(t, cw_call_wait_message(k, &m, &len) == CW_OK && m == NULL);
    cw_call_free(k);
    cw_conn_free(c);
}

static void metadata_echo(check_ctx *t) {
    cw_conn *c = connect_to(t);
    if (!c) return;
    cw_metadata md;
    cw_metadata_init(&md);
    CHECK(t, cw_metadata_add_string(&md, "x-civic-initial", "test_initial_metadata_value") == CW_OK);
    CHECK(t, cw_metadata_add(&md, "x-civic-trailing-bin", "\xab\xab\xab", 3) == CW_OK);
    cw_call_opts o = {.metadata = &md, .timeout_micros = 10000000};
    Civicgrid__V1__SimpleRequest req = CIVICGRID__V1__SIMPLE_REQUEST__INIT;
    cw_unary_result r;
    CHECK_MSG(t, unary(c, SVC "UnaryCall", &req.base, &o, &r) == CW_OK, "%s", r.status.message);
    const cw_md_entry *a = cw_metadata_find(&r.initial_metadata, "x-civic-initial");
    const cw_md_entry *b = cw_metadata_find(&r.trailing_metadata, "x-civic-trailing-bin");
    CHECK(t, a != NULL && strcmp((const char *)a->value, "test_initial_metadata_value") == 0);
    CHECK(t, b != NULL && b->value_len == 3 && memcmp(b->value, "\xab\xab\xab", 3) == 0);
    cw_unary_result_free(&r);
    cw_metadata_clear(&md);
    cw_conn_free(c);
}

/* The server keeps HEADERS and TRAILERS within this client's max_metadata_size and max_frame_size
 * (PROTOCOL.md section 4): leading metadata that does not fit ends the call RESOURCE_EXHAUSTED,
 * trailing metadata that does not fit becomes INTERNAL, and the connection carries on. */
static void metadata_within_client_limits(check_ctx *t) {
    const target *tg = t->arg;
    const cw_conn_opts limits[] = {{.max_metadata_size = 1024}, {.max_frame_size = 1024, .max_metadata_size = 8192}};
    char big[2001];
    memset(big, 'm', 2000);
    big[2000] = 0;
    for (size_t i = 0; i < 2; i++) {
        cw_conn *c = NULL;
        char err[256];
        CHECK_MSG(t, cw_conn_open(tg->host, tg->port, &limits[i], &c, err, sizeof err) == CW_OK, "connect: %s", err);
        if (!c) return;
        Civicgrid__V1__SimpleRequest req = CIVICGRID__V1__SIMPLE_REQUEST__INIT;
        const char *keys[] = {"x-civic-initial", "x-civic-trailing-bin"};
        const cw_code want[] = {CW_RESOURCE_EXHAUSTED, CW_INTERNAL};
        const char *says[] = {"leading metadata of", "trailing metadata of"};
        for (size_t k = 0; k < 2; k++) {
            cw_metadata md;
            cw_metadata_init(&md);
            CHECK(t, cw_metadata_add(&md, keys[k], big, 2000) == CW_OK);
            cw_call_opts o = {.metadata = &md, .timeout_micros = DEFAULT_TIMEOUT_US};
            cw_unary_result r;
            cw_code rc = unary(c, SVC "UnaryCall", &req.base, &o, &r);
            CHECK_MSG(t, rc == want[k], "limits %zu, %s: %s %s", i, keys[k], cw_code_name(rc), r.status.message);
            CHECK_MSG(t, r.status.message && strstr(r.status.message, says[k]) && strstr(r.status.message, "limit 1024"),
                      "%s", r.status.message);
            cw_unary_result_free(&r);
            cw_metadata_clear(&md);
        }
        Civicgrid__V1__Empty e = CIVICGRID__V1__EMPTY__INIT;
        cw_unary_result r;
        CHECK_MSG(t, unary(c, SVC "EmptyCall", &e.base, NULL, &r) == CW_OK, "after: %s", r.status.message);
        cw_unary_result_free(&r);
        cw_conn_free(c);
    }
}

static void expect_status(check_ctx *t, const char *message) {
    cw_conn *c = connect_to(t);
    if (!c) return;
    Civicgrid__V1__EchoStatus st = CIVICGRID__V1__ECHO_STATUS__INIT;
    st.code = 2;
    st.message = (char *)message;
    Civicgrid__V1__SimpleRequest req = CIVICGRID__V1__SIMPLE_REQUEST__INIT;
    req.response_status = &st;
    cw_unary_result r;
    CHECK(t, unary(c, SVC "UnaryCall", &req.base, NULL, &r) == CW_UNKNOWN);
    CHECK_MSG(t, r.status.message && strcmp(r.status.message, message) == 0, "got '%s'", r.status.message);
    cw_unary_result_free(&r);
    cw_conn_free(c);
}

static void status_code_and_message(check_ctx *t) {
    expect_status(t, "test status message");
}

static void special_status_message(check_ctx *t) {
    expect_status(t, SPECIAL_MESSAGE);
}

static void expect_unimplemented(check_ctx *t, const char *method) {
    cw_conn *c = connect_to(t);
    if (!c) return;
    Civicgrid__V1__Empty e = CIVICGRID__V1__EMPTY__INIT;
    cw_unary_result r;
    CHECK_MSG(t, unary(c, method, &e.base, NULL, &r) == CW_UNIMPLEMENTED, "%s: %s", cw_code_name(r.status.code),
              r.status.message);
    cw_unary_result_free(&r);
    /* the connection is fine afterwards */
    CHECK(t, unary(c, SVC "EmptyCall", &e.base, NULL, &r) == CW_OK);
    cw_unary_result_free(&r);
    cw_conn_free(c);
}

static void unimplemented_method(check_ctx *t) {
    expect_unimplemented(t, SVC "UnimplementedCall");
}

static void unimplemented_service(check_ctx *t) {
    expect_unimplemented(t, "/civicgrid.v1.NoSuchService/Call");
}

static void timeout_on_sleeping_server(check_ctx *t) {
    cw_conn *c = connect_to(t);
    if (!c) return;
    Civicgrid__V1__SimpleRequest req = CIVICGRID__V1__SIMPLE_REQUEST__INIT;
    req.sleep_micros = 5000000;
    cw_call_opts o = {.timeout_micros = 100000};
    cw_unary_result r;
    CHECK(t, unary(c, SVC "UnaryCall", &req.base, &o, &r) == CW_DEADLINE_EXCEEDED);
    cw_unary_result_free(&r);
    Civicgrid__V1__Empty e = CIVICGRID__V1__EMPTY__INIT;
    CHECK(t, unary(c, SVC "EmptyCall", &e.base, NULL, &r) == CW_OK);
    cw_unary_result_free(&r);
    cw_conn_free(c);
}

static void cancel_after_begin(check_ctx *t) {
    cw_conn *c = connect_to(t);
    if (!c) return;
    cw_call *k = NULL;
    cw_call_opts o = {.timeout_micros = DEFAULT_TIMEOUT_US};
    CHECK(t, cw_call_start(c, SVC "StreamingInputCall", &o, &k) == CW_OK);
    cw_conn_step(c, 50);
    CHECK(t, cw_call_cancel(k) == CW_OK && cw_call_status(k)->code == CW_CANCELLED);
    cw_call_free(k);
    Civicgrid__V1__Empty e = CIVICGRID__V1__EMPTY__INIT;
    cw_unary_result r;
    CHECK(t, unary(c, SVC "EmptyCall", &e.base, NULL, &r) == CW_OK);
    cw_unary_result_free(&r);
    cw_conn_free(c);
}

static void cancel_after_first_response(check_ctx *t) {
    cw_conn *c = connect_to(t);
    if (!c) return;
    cw_call *k = NULL;
    cw_call_opts o = {.timeout_micros = DEFAULT_TIMEOUT_US};
    CHECK(t, cw_call_start(c, SVC "FullDuplexCall", &o, &k) == CW_OK);
    Civicgrid__V1__ResponseParameters rp = CIVICGRID__V1__RESPONSE_PARAMETERS__INIT, *rpp = &rp;
    rp.size = 31415;
    Civicgrid__V1__StreamingOutputCallRequest req = CIVICGRID__V1__STREAMING_OUTPUT_CALL_REQUEST__INIT;
    req.n_response_parameters = 1;
    req.response_parameters = &rpp;
    CHECK(t, send_msg(k, &req.base) == CW_OK);
    uint8_t *m;
    size_t len;
    CHECK(t, cw_call_wait_message(k, &m, &len) == CW_OK && m != NULL);
    free(m);
    CHECK(t, cw_call_cancel(k) == CW_OK && cw_call_status(k)->code == CW_CANCELLED);
    cw_call_free(k);
    Civicgrid__V1__Empty e = CIVICGRID__V1__EMPTY__INIT;
    cw_unary_result r;
    CHECK(t, unary(c, SVC "EmptyCall", &e.base, NULL, &r) == CW_OK);
    cw_unary_result_free(&r);
    cw_conn_free(c);
}

#define CONCURRENT_CALLS 1000

static void concurrent_calls_one_connection(check_ctx *t) {
    cw_conn *c = connect_to(t);
    if (!c) return;
    cw_call **calls = calloc(CONCURRENT_CALLS, sizeof *calls);
    Civicgrid__V1__SimpleRequest req = CIVICGRID__V1__SIMPLE_REQUEST__INIT;
    req.response_size = 10;
    size_t len;
    uint8_t *b = pack(&req.base, &len);
    cw_call_opts o = {.timeout_micros = 30000000};
    int started = 0;
    for (int i = 0; i < CONCURRENT_CALLS; i++) {
        if (cw_call_start(c, SVC "UnaryCall", &o, &calls[i]) != CW_OK) break;
        cw_call_send(calls[i], b, len);
        cw_call_close_send(calls[i]);
        started++;
    }
    CHECK(t, started == CONCURRENT_CALLS);
    int ok = 0;
    for (int i = 0; i < started; i++) {
        if (cw_call_wait(calls[i]) == CW_OK) ok++;
        else fprintf(stderr, "call %d: %s %s\n", i, cw_code_name(cw_call_status(calls[i])->code),
                     cw_call_status(calls[i])->message);
        cw_call_free(calls[i]);
    }
    CHECK_MSG(t, ok == CONCURRENT_CALLS, "%d of %d OK", ok, CONCURRENT_CALLS);
    CHECK(t, cw_conn_state_of(c) == CW_CONN_READY);
    free(b);
    free(calls);
    cw_conn_free(c);
}

static void ping(check_ctx *t) {
    cw_conn *c = connect_to(t);
    if (!c) return;
    int64_t rtt = -1;
    CHECK(t, cw_conn_ping_wait(c, 2000, &rtt) == CW_OK && rtt >= 0);
    cw_conn_free(c);
}

static void server_settings_in_range(check_ctx *t) {
    cw_conn *c = connect_to(t);
    if (!c) return;
    cw_peer_settings s = cw_conn_peer_settings(c);
    CHECK(t, s.max_frame_size >= 1024 && s.max_frame_size <= 16777215);
    CHECK(t, s.max_concurrent_streams >= 1 && s.initial_window_size >= 1);
    fprintf(stderr, "server settings: max_frame_size %u, max_message_size %u, max_metadata_size %u, "
                    "max_concurrent_streams %u, initial_window_size %u\n",
            s.max_frame_size, s.max_message_size, s.max_metadata_size, s.max_concurrent_streams,
            s.initial_window_size);
    cw_conn_free(c);
}

/*
 * Stops the server with SIGTERM while a call sleeps: the client must see the first
 * GOAWAY (last_stream_id 2^31-1), refuse new calls, let the in-flight call finish
 * OK, and close once it has. Runs only when given the server's pid, and last.
 */
static void graceful_drain(check_ctx *t) {
    const target *tg = t->arg;
    cw_conn *c = connect_to(t);
    if (!c) return;
    Civicgrid__V1__SimpleRequest req = CIVICGRID__V1__SIMPLE_REQUEST__INIT;
    req.sleep_micros = 1000000;
    size_t len;
    uint8_t *b = pack(&req.base, &len);
    cw_call *k = NULL;
    cw_call_opts o = {.timeout_micros = DEFAULT_TIMEOUT_US};
    CHECK(t, cw_call_start(c, SVC "UnaryCall", &o, &k) == CW_OK);
    CHECK(t, cw_call_send(k, b, len) == CW_OK && cw_call_close_send(k) == CW_OK);
    for (int i = 0; i < 20; i++) cw_conn_step(c, 10); /* the call reaches the server */
    CHECK(t, kill(tg->server_pid, SIGTERM) == 0);
    uint32_t last = 0, code = 99;
    for (int i = 0; i < 300 && !cw_conn_goaway(c, &last, &code); i++) cw_conn_step(c, 10);
    CHECK_MSG(t, cw_conn_goaway(c, &last, &code) && code == 0, "goaway code %u", code);
    cw_call *late = NULL;
    CHECK(t, cw_call_start(c, SVC "EmptyCall", &o, &late) == CW_UNAVAILABLE && late == NULL);
    CHECK_MSG(t, cw_call_wait(k) == CW_OK, "%s", cw_call_status(k)->message);
    cw_conn_goaway(c, &last, &code);
    CHECK_MSG(t, last >= cw_call_stream_id(k) && code == 0, "last_stream_id %u", last);
    for (int i = 0; i < 300 && cw_conn_state_of(c) != CW_CONN_CLOSED; i++) cw_conn_step(c, 10);
    CHECK(t, cw_conn_state_of(c) == CW_CONN_CLOSED);
    cw_call_free(k);
    free(b);
    cw_conn_free(c);
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        fprintf(stderr, "usage: test_conformance HOST:PORT [filter | --drain SERVER_PID]\n");
        return 2;
    }
    static target tg;
    const char *colon = strrchr(argv[1], ':');
    if (colon == NULL || (size_t)(colon - argv[1]) >= sizeof tg.host) return 2;
    memcpy(tg.host, argv[1], (size_t)(colon - argv[1]));
    snprintf(tg.port, sizeof tg.port, "%s", colon + 1);
    if (argc > 3 && strcmp(argv[2], "--drain") == 0) {
        tg.server_pid = (pid_t)atoi(argv[3]);
        const check_case drain[] = {{"conformance/graceful_drain", graceful_drain, &tg}};
        return check_run(drain, 1, NULL);
    }
    const check_case cases[] = {
        {"conformance/server_settings_in_range", server_settings_in_range, &tg},
        {"conformance/empty_unary", empty_unary, &tg},
        {"conformance/large_unary", large_unary, &tg},
        {"conformance/response_through_flow_control", response_through_flow_control, &tg},
        {"conformance/server_streaming", server_streaming, &tg},
        {"conformance/client_streaming", client_streaming, &tg},
        {"conformance/ping_pong", ping_pong, &tg},
        {"conformance/empty_stream", empty_stream, &tg},
        {"conformance/metadata_echo", metadata_echo, &tg},
        {"conformance/metadata_within_client_limits", metadata_within_client_limits, &tg},
        {"conformance/status_code_and_message", status_code_and_message, &tg},
        {"conformance/special_status_message", special_status_message, &tg},
        {"conformance/unimplemented_method", unimplemented_method, &tg},
        {"conformance/unimplemented_service", unimplemented_service, &tg},
        {"conformance/timeout_on_sleeping_server", timeout_on_sleeping_server, &tg},
        {"conformance/cancel_after_begin", cancel_after_begin, &tg},
        {"conformance/cancel_after_first_response", cancel_after_first_response, &tg},
        {"conformance/concurrent_calls_one_connection", concurrent_calls_one_connection, &tg},
        {"conformance/ping", ping, &tg},
    };
    static check_case all[128];
    size_t n = CHECK_SUITE(all, cases);
    n += conformance_points(all + n, &tg);
    return check_run(all, n, argc > 2 ? argv[2] : NULL);
}
