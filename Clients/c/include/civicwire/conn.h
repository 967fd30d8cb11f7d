/*
 * A CivicWire connection: one TCP socket carrying many calls.
 *
 * A connection is single-threaded: every function on a connection and its calls
 * must be called from one thread at a time. Nothing happens in the background;
 * progress is made by cw_conn_step (blocking with a timeout, or non-blocking with
 * timeout 0) or cw_conn_process (after your own poll). Blocking helpers in call.h
 * and unary.h drive the connection for you.
 */
#ifndef CIVICWIRE_CONN_H
#define CIVICWIRE_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "civicwire/status.h"
#include "civicwire/tls.h"

typedef struct cw_conn cw_conn;

/* Connection options. Zero fields take the documented default. */
typedef struct cw_conn_opts {
    uint32_t max_frame_size;         /* advertised to the server; default 65536 */
    uint32_t max_message_size;       /* largest response message accepted; default 4 MiB */
    uint32_t max_metadata_size;      /* largest HEADERS/TRAILERS accepted; default 8192 */
    uint32_t initial_window_size;    /* per-stream receive window; default 262144 */
    uint32_t max_concurrent_streams; /* local cap on open streams; default: the server's */
    int connect_timeout_ms;          /* TCP connect + handshake, cw_conn_open only; default 10000 */
    const char *user_agent;          /* default "libcivicwire/1.0" */
    const cw_tls_opts *tls;          /* TLS for cw_conn_open (civicwire/tls.h); NULL: plaintext */
    int keepalive_interval_ms;       /* PING after this much silence from the server; 0: no keepalive;
                                        at least 1000 (the server's min_ping_interval) */
    int keepalive_timeout_ms;        /* no ACK this long after a keepalive PING closes the connection
                                        (calls fail UNAVAILABLE); default 20000 */
} cw_conn_opts;

/* Connection state as cw_conn_state reports it. */
typedef enum cw_conn_state {
    CW_CONN_HANDSHAKE, /* waiting for the server's preface and SETTINGS; calls queue */
    CW_CONN_READY,     /* calls are sent */
    CW_CONN_DRAINING,  /* GOAWAY received: no new calls, in-flight ones finish */
    CW_CONN_CLOSED     /* closed; see cw_conn_error */
} cw_conn_state;

/*
 * Connects to host:port and completes the handshake (TLS when opts->tls is set, then both
 * prefaces and SETTINGS) before returning. host is a DNS name, an IPv4 address or an IPv6
 * address (without brackets); every address it resolves to is tried in turn. On failure *out is NULL and the
 * returned code is CW_UNAVAILABLE (or CW_DEADLINE_EXCEEDED on timeout);
 * err (if not NULL) receives a description of at most err_len-1 bytes.
 */
cw_code cw_conn_open(const char *host, const char *port, const cw_conn_opts *opts,
                     cw_conn **out, char *err, size_t err_len);

/*
 * Wraps an already connected stream socket (for event loops, or a socketpair in
 * tests). The fd is switched to non-blocking mode and owned by the connection from
 * now on (closed by cw_conn_free). The preface and SETTINGS are queued at once;
 * the handshake completes as the connection is stepped. Calls started before the
 * server's SETTINGS arrive wait for them.
 */
cw_code cw_conn_attach(int fd, const cw_conn_opts *opts, cw_conn **out);

/*
 * Closes the socket and frees the connection. Calls still in flight finish with
 * CW_UNAVAILABLE (their callbacks run) and stay valid until cw_call_free.
 */
void cw_conn_free(cw_conn *conn);

/* Sends GOAWAY NO_ERROR (best effort) and closes the socket; in-flight calls fail. */
void cw_conn_close(cw_conn *conn);

cw_conn_state cw_conn_state_of(const cw_conn *conn);

/* Why the connection closed (empty while it is open). */
const char *cw_conn_error(const cw_conn *conn);

/* ---- Event-loop integration ---------------------------------------------- */

/* The socket to poll, or -1 once closed. */
int cw_conn_fd(const cw_conn *conn);

/* poll(2) events to wait for: POLLIN, plus POLLOUT while output is queued. */
short cw_conn_poll_events(const cw_conn *conn);

/* Milliseconds until the next call deadline or keepalive action (rounded up), or -1 for none. */
int cw_conn_timeout_ms(const cw_conn *conn);

/*
 * Processes what poll reported (revents may be 0 to just check deadlines and send
 * queued output): reads and handles frames, fails expired calls, writes output.
 * Never blocks. Returns CW_OK, or CW_UNAVAILABLE once the connection is closed.
 */
cw_code cw_conn_process(cw_conn *conn, short revents);

/*
 * Waits up to timeout_ms (-1: forever, 0: not at all) for the socket or the next
 * deadline, then processes. Returns CW_OK or CW_UNAVAILABLE once closed.
 */
cw_code cw_conn_step(cw_conn *conn, int timeout_ms);

/* ---- Connection-level frames --------------------------------------------- */

/* Queues a PING; only one may be outstanding (CW_FAILED_PRECONDITION otherwise). */
cw_code cw_conn_ping(cw_conn *conn, uint64_t opaque);

/* True once the outstanding PING was acknowledged; *rtt_ns gets the round trip. */
bool cw_conn_ping_acked(const cw_conn *conn, int64_t *rtt_ns);

/* Blocking: PINGs and waits for the ACK up to timeout_ms. */
cw_code cw_conn_ping_wait(cw_conn *conn, int timeout_ms, int64_t *rtt_ns);

/* True once a GOAWAY arrived; *last_stream_id and *error_code describe the latest. */
bool cw_conn_goaway(const cw_conn *conn, uint32_t *last_stream_id, uint32_t *error_code);

/* Number of calls open on the wire plus calls queued waiting for a stream slot. */
size_t cw_conn_calls_in_flight(const cw_conn *conn);

/* Server settings in effect (defaults until its SETTINGS arrive). */
typedef struct cw_peer_settings {
    uint32_t max_frame_size;
    uint32_t max_message_size;
    uint32_t max_metadata_size;
    uint32_t max_concurrent_streams;
    uint32_t initial_window_size;
} cw_peer_settings;
cw_peer_settings cw_conn_peer_settings(const cw_conn *conn);

#endif
