/* Blocking unary calls on top of the call API. */
#include <stdlib.h>
#include <string.h>

#include "civicwire/unary.h"

static char *dup_string(const char *s) {
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n + 1);
    return d;
}

static cw_code set_status(cw_unary_result *r, cw_code code, const char *message) {
    free(r->status.message);
    r->status.code = code;
    r->status.message = dup_string(message);
    return code;
}

cw_code cw_unary(cw_conn *conn, const char *method, const void *req, size_t req_len, const cw_call_opts *opts,
                 cw_unary_result *out) {
    memset(out, 0, sizeof *out);
    cw_metadata_init(&out->initial_metadata);
    cw_metadata_init(&out->trailing_metadata);
    cw_call *call;
    cw_code rc = cw_call_start(conn, method, opts, &call);
    if (rc != CW_OK) return set_status(out, rc, "call not started");
    rc = cw_call_send(call, req, req_len);
    if (rc == CW_OK) rc = cw_call_close_send(call);
    if (rc != CW_OK) {
        cw_call_free(call);
        return set_status(out, rc, "request not sent");
    }
    uint8_t *msg = NULL;
    size_t len = 0;
    rc = cw_call_wait_message(call, &msg, &len);
    if (rc == CW_OK && msg != NULL) rc = cw_call_wait(call);
    const cw_status *st = cw_call_status(call);
    if (!cw_call_done(call)) {
        set_status(out, rc, "cw_unary called from inside a callback");
    } else {
        uint8_t *extra = NULL;
        size_t extra_len;
        bool two = cw_call_next_message(call, &extra, &extra_len) == CW_OK;
        free(extra);
        if (st->code == CW_OK && (msg == NULL || two)) {
            set_status(out, CW_INTERNAL, two ? "unary call got more than one response message"
                                              : "unary call got no response message");
        } else {
            set_status(out, st->code, st->message);
        }
        if (st->details_len > 0 && (out->status.details = malloc(st->details_len)) != NULL) {
            memcpy(out->status.details, st->details, st->details_len);
            out->status.details_len = st->details_len;
        }
        cw_metadata_copy(&out->initial_metadata, cw_call_initial_metadata(call));
        cw_metadata_copy(&out->trailing_metadata, cw_call_trailing_metadata(call));
    }
    if (out->status.code == CW_OK) {
        out->response = msg;
        out->response_len = len;
    } else {
        free(msg);
    }
    cw_call_free(call);
    return out->status.code;
}

void cw_unary_result_free(cw_unary_result *r) {
    free(r->status.message);
    free(r->status.details);
    free(r->response);
    cw_metadata_clear(&r->initial_metadata);
    cw_metadata_clear(&r->trailing_metadata);
    memset(r, 0, sizeof *r);
}
