/*
 * Calls: one stream each, any shape (unary, client/server streaming, bidi).
 *
 * Non-blocking use: cw_call_start, cw_call_send (any number), cw_call_close_send,
 * then drive the connection (cw_conn_process/step) and collect messages with
 * cw_call_next_message and the status once cw_call_done. An optional callback
 * reports each event as it happens. Blocking use: cw_call_wait_message and
 * cw_call_wait drive the connection themselves.
 *
 * A call belongs to the caller from cw_call_start until cw_call_free, and stays
 * readable (messages, metadata, status) after it is done or its connection is freed.
 */
#ifndef CIVICWIRE_CALL_H
#define CIVICWIRE_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "civicwire/conn.h"
#include "civicwire/metadata.h"
#include "civicwire/status.h"

typedef struct cw_call cw_call;

typedef enum cw_call_event {
    CW_EVENT_HEADERS, /* leading metadata arrived (cw_call_initial_metadata) */
    CW_EVENT_MESSAGE, /* a complete message is ready for cw_call_next_message */
    CW_EVENT_DONE     /* the call finished; cw_call_status is final */
} cw_call_event;

/*
 * Called from inside cw_conn_process/step. It may start calls, send, take
 * messages, cancel, and free the call it reports (after which it must not touch
 * it); it must not free the connection.
 */
typedef void (*cw_call_cb)(cw_call *call, cw_call_event event, void *user);

typedef struct cw_call_opts {
    uint64_t timeout_micros;    /* 0: no deadline. Sent to the server and enforced locally */
    const cw_metadata *metadata; /* copied; may be NULL */
    cw_call_cb on_event;        /* may be NULL */
    void *user;
    /* A W3C traceparent (cw_traceparent_format) sent as the call's "traceparent" metadata;
     * may be NULL. Malformed, or metadata that has one already: CW_INVALID_ARGUMENT. */
    const char *traceparent;
} cw_call_opts;

/*
 * Starts a call of `method` ("/pkg.Service/Method" or "pkg.Service/Method").
 * The HEADERS go out when the connection has a free stream slot (the server's
 * max_concurrent_streams), in call order; until then the call waits locally (its
 * deadline runs). Returns CW_UNIMPLEMENTED for a malformed method,
 * CW_UNAVAILABLE when the connection is closed or draining, CW_INVALID_ARGUMENT
 * for bad metadata; *out is NULL then. Metadata larger than the server's
 * max_metadata_size finish the call with CW_RESOURCE_EXHAUSTED instead of sending it.
 */
cw_code cw_call_start(cw_conn *conn, const char *method, const cw_call_opts *opts, cw_call **out);

/*
 * Queues a copy of one request message. Fragmenting and flow control happen as the
 * connection is stepped. Returns CW_RESOURCE_EXHAUSTED for a message above the
 * server's max_message_size, CW_AGAIN when the call already holds that much unsent
 * data (step the connection, then retry), CW_FAILED_PRECONDITION after
 * cw_call_close_send, or the call's status code once it is done.
 */
cw_code cw_call_send(cw_call *call, const void *msg, size_t len);

/* Queues HALF_CLOSE after the queued messages: the client sends nothing more. */
cw_code cw_call_close_send(cw_call *call);

/* Sends CANCEL (if the stream is open) and finishes the call with CW_CANCELLED. */
cw_code cw_call_cancel(cw_call *call);

/*
 * Takes the next received message: *msg receives a malloc'd buffer (free() it;
 * never NULL, even for an empty message) and *len its length. Returns CW_OK, or
 * CW_AGAIN when none is queued (check cw_call_done).
 */
cw_code cw_call_next_message(cw_call *call, uint8_t **msg, size_t *len);

bool cw_call_done(const cw_call *call);
/* Final status once done; before that the code is CW_AGAIN. */
const cw_status *cw_call_status(const cw_call *call);
const cw_metadata *cw_call_initial_metadata(const cw_call *call);
const cw_metadata *cw_call_trailing_metadata(const cw_call *call);
/* Stream id on the wire, 0 while the call waits for a slot. */
uint32_t cw_call_stream_id(const cw_call *call);
void *cw_call_user(const cw_call *call);

/* Cancels the call if it is still running (no callback) and frees it. NULL is fine. */
void cw_call_free(cw_call *call);

/* ---- Blocking helpers ---------------------------------------------------- */

/*
 * Waits for the next message: CW_OK with *msg and *len set, or the call's final status
 * code once the call is done with no message left (CW_OK then means "end of stream":
 * *msg is set to NULL).
 */
cw_code cw_call_wait_message(cw_call *call, uint8_t **msg, size_t *len);

/*
 * Waits until the call is done (its deadline bounds the wait) and returns its code.
 * Received messages stay queued; a stream whose messages are never taken stops at
 * the flow-control window, so read streams with cw_call_wait_message.
 */
cw_code cw_call_wait(cw_call *call);

#endif
