/* Calls: the public call API and a call's own state (messages, window, status). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Checks "/pkg.Service/Method" (leading slash optional) and returns it with the slash. */
static char *normalize_method(const char *method) {
    if (method == NULL) return NULL;
    const char *m = method[0] == '/' ? method + 1 : method;
    const char *slash = strchr(m, '/');
    if (slash == NULL || slash == m || slash[1] == 0 || strchr(slash + 1, '/') != NULL) return NULL;
    size_t len = strlen(m);
    if (len > 1024) return NULL;
    char *out = malloc(len + 2);
    if (out == NULL) return NULL;
    out[0] = '/';
    memcpy(out + 1, m, len + 1);
    return out;
}

/* Adds a well-formed traceparent that the metadata does not carry already. */
static cw_code add_traceparent(cw_metadata *md, const char *traceparent) {
    cw_trace_context parsed;
    if (cw_traceparent_parse(traceparent, &parsed) != CW_OK) return CW_INVALID_ARGUMENT;
    if (cw_metadata_find(md, "traceparent") != NULL) return CW_INVALID_ARGUMENT;
    return cw_metadata_add_string(md, "traceparent", traceparent);
}

cw_code cw_call_start(cw_conn *c, const char *method, const cw_call_opts *opts, cw_call **out) {
    *out = NULL;
    if (c->state == CW_CONN_CLOSED || c->state == CW_CONN_DRAINING) return CW_UNAVAILABLE;
    cw_call *k = calloc(1, sizeof *k);
    if (k == NULL) return CW_RESOURCE_EXHAUSTED;
    k->method = normalize_method(method);
    if (k->method == NULL) {
        free(k);
        return CW_UNIMPLEMENTED;
    }
    cw_metadata_init(&k->send_md);
    cw_metadata_init(&k->initial_md);
    cw_metadata_init(&k->trailing_md);
    if (opts && (opts->metadata || opts->traceparent)) {
        cw_code rc = opts->metadata ? cw_metadata_copy(&k->send_md, opts->metadata) : CW_OK;
        if (rc == CW_OK && opts->traceparent) rc = add_traceparent(&k->send_md, opts->traceparent);
        if (rc != CW_OK) {
            cw_metadata_clear(&k->send_md);
            free(k->method);
            free(k);
            return rc;
        }
    }
    k->conn = c;
    k->state = CALL_PENDING;
    k->status.code = CW_AGAIN;
    k->status.message = k->no_message;
    k->recv_window = c->local_window;
    cw_buf_init(&k->partial, c->local_max_message);
    if (opts) {
        k->timeout_micros = opts->timeout_micros;
        k->cb = opts->on_event;
        k->user = opts->user;
    }
    if (k->timeout_micros) {
        k->deadline_ns = cw_now_ns() + (int64_t)(k->timeout_micros > 315360000000000ull ? 315360000000000ull
                                                                                         : k->timeout_micros) *
                                           1000;
        cw_conn_note_deadline(c, k->deadline_ns);
    }
    k->next = NULL;
    k->prev = c->pending_tail;
    if (c->pending_tail) c->pending_tail->next = k; else c->pending_head = k;
    c->pending_tail = k;
    *out = k;
    return CW_OK;
}

cw_code cw_call_send(cw_call *k, const void *msg, size_t len) {
    if (k->state == CALL_DONE) return k->status.code;
    if (k->close_queued) return CW_FAILED_PRECONDITION;
    if (msg == NULL && len > 0) return CW_INVALID_ARGUMENT;
    size_t limit = k->conn->peer.max_message_size;
    if (len > limit) return CW_RESOURCE_EXHAUSTED;
    if (k->out_bytes > 0 && k->out_bytes + len > limit) return CW_AGAIN;
    cw_outmsg *m = malloc(sizeof *m + len);
    if (m == NULL) return CW_RESOURCE_EXHAUSTED;
    m->next = NULL;
    m->len = len;
    m->off = 0;
    if (len) memcpy(m->data, msg, len);
    if (k->out_tail) k->out_tail->next = m; else k->out_head = m;
    k->out_tail = m;
    k->out_bytes += len;
    cw_conn_queue_send(k->conn, k);
    return CW_OK;
}

cw_code cw_call_close_send(cw_call *k) {
    if (k->state == CALL_DONE) return k->status.code;
    if (k->close_queued) return CW_FAILED_PRECONDITION;
    k->close_queued = true;
    cw_conn_queue_send(k->conn, k);
    return CW_OK;
}

cw_code cw_call_cancel(cw_call *k) {
    if (k->state == CALL_DONE) return k->status.code;
    if (k->state == CALL_OPEN) cw_conn_send_cancel(k->conn, k->id, CW_CANCELLED, "cancelled by the client");
    cw_call_finish(k, CW_CANCELLED, "cancelled by the client");
    return CW_OK;
}

void cw_call_stream_error(cw_call *k, cw_code code, const char *fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (k->state == CALL_OPEN) cw_conn_send_cancel(k->conn, k->id, code, msg);
    cw_call_finish(k, code, msg);
}

void cw_call_maybe_grant(cw_call *k) {
    cw_conn *c = k->conn;
    if (c == NULL || k->state != CALL_OPEN || k->pending_grant == 0) return;
    if (k->pending_grant < c->local_window / 2) return;
    cw_conn_send_window_update(c, k->id, k->pending_grant);
    k->recv_window += k->pending_grant;
    k->pending_grant = 0;
}

cw_code cw_call_next_message(cw_call *k, uint8_t **msg, size_t *len) {
    cw_inmsg *m = k->in_head;
    if (m == NULL) return CW_AGAIN;
    k->in_head = m->next;
    if (k->in_head == NULL) k->in_tail = NULL;
    *msg = m->data;
    *len = m->len;
    k->pending_grant += m->ungranted;
    if (k->in_head == NULL) { /* nothing queued: the partial message may use the window */
        k->pending_grant += k->partial_ungranted;
        k->partial_ungranted = 0;
    }
    free(m);
    cw_call_maybe_grant(k);
    return CW_OK;
}

bool cw_call_done(const cw_call *k) {
    return k->state == CALL_DONE;
}

const cw_status *cw_call_status(const cw_call *k) {
    return &k->status;
}

const cw_metadata *cw_call_initial_metadata(const cw_call *k) {
    return &k->initial_md;
}

const cw_metadata *cw_call_trailing_metadata(const cw_call *k) {
    return &k->trailing_md;
}

uint32_t cw_call_stream_id(const cw_call *k) {
    return k->id;
}

void *cw_call_user(const cw_call *k) {
    return k->user;
}

void cw_call_deliver(cw_call *k, cw_call_event ev) {
    if (k->cb) k->cb(k, ev, k->user);
}

void cw_call_finish(cw_call *k, cw_code code, const char *message) {
    if (k->state == CALL_DONE) return;
    cw_conn *c = k->conn;
    k->status.code = code;
    size_t mlen = strlen(message);
    char *copy = malloc(mlen + 1);
    if (copy) {
        memcpy(copy, message, mlen + 1);
        k->status.message = copy;
    }
    cw_conn_forget_call(c, k);
    for (cw_outmsg *m = k->out_head; m != NULL;) {
        cw_outmsg *next = m->next;
        free(m);
        m = next;
    }
    k->out_head = k->out_tail = NULL;
    k->out_bytes = 0;
    cw_buf_free(&k->partial);
    k->partial_active = false;
    k->state = CALL_DONE;
    k->conn = NULL;
    cw_conn_maybe_close_drained(c);
    cw_call_deliver(k, CW_EVENT_DONE); /* last: the callback may free k */
}

void cw_call_free(cw_call *k) {
    if (k == NULL) return;
    if (k->state != CALL_DONE) {
        k->cb = NULL;
        cw_call_cancel(k);
    }
    for (cw_inmsg *m = k->in_head; m != NULL;) {
        cw_inmsg *next = m->next;
        free(m->data);
        free(m);
        m = next;
    }
    cw_metadata_clear(&k->send_md);
    cw_metadata_clear(&k->initial_md);
    cw_metadata_clear(&k->trailing_md);
    if (k->status.message != k->no_message) free(k->status.message);
    free(k->status.details);
    free(k->method);
    free(k);
}

cw_code cw_call_wait_message(cw_call *k, uint8_t **msg, size_t *len) {
    *msg = NULL;
    *len = 0;
    for (;;) {
        if (cw_call_next_message(k, msg, len) == CW_OK) return CW_OK;
        if (k->state == CALL_DONE) return k->status.code;
        cw_code rc = cw_conn_step(k->conn, -1);
        if (rc == CW_FAILED_PRECONDITION) return rc; /* called from inside a callback */
    }
}

cw_code cw_call_wait(cw_call *k) {
    while (k->state != CALL_DONE) {
        cw_code rc = cw_conn_step(k->conn, -1);
        if (rc == CW_FAILED_PRECONDITION) return rc;
    }
    return k->status.code;
}
