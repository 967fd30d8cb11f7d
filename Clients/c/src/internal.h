/* Library internals shared by conn.c, call.c and the codec: not API. */
#ifndef CIVICWIRE_INTERNAL_H
#define CIVICWIRE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "civicwire/call.h"
#include "civicwire/conn.h"
#include "civicwire/frame.h"
#include "civicwire/metadata.h"
#include "civicwire/tls.h"
#include "civicwire/trace.h"

#include <sys/types.h>

typedef struct ssl_st SSL; /* OpenSSL's, kept out of the public headers */

/* ---- Bounded byte buffer: bytes live in data[off, len) -------------------- */

typedef struct cw_buf {
    uint8_t *data;
    size_t off;
    size_t len;
    size_t cap;
    size_t limit; /* len - off never exceeds this */
} cw_buf;

void cw_buf_init(cw_buf *b, size_t limit);
void cw_buf_free(cw_buf *b);
size_t cw_buf_size(const cw_buf *b);
/* Makes room for n more bytes and returns where they go, or NULL past the limit. */
uint8_t *cw_buf_reserve(cw_buf *b, size_t n);
/* Appends n bytes; false past the limit. */
bool cw_buf_append(cw_buf *b, const void *p, size_t n);
/* Drops n bytes from the front. */
void cw_buf_consume(cw_buf *b, size_t n);
/* Hands the bytes to the caller (a malloc'd block, never NULL) and empties b. */
uint8_t *cw_buf_steal(cw_buf *b, size_t *len);

int64_t cw_now_ns(void);

/* ---- Calls ---------------------------------------------------------------- */

typedef struct cw_outmsg {
    struct cw_outmsg *next;
    size_t len;
    size_t off; /* bytes already framed */
    uint8_t data[];
} cw_outmsg;

typedef struct cw_inmsg {
    struct cw_inmsg *next;
    uint8_t *data;
    size_t len;
    uint32_t ungranted; /* received bytes of this message not yet granted back */
} cw_inmsg;

typedef enum cw_call_state { CALL_PENDING, CALL_OPEN, CALL_DONE } cw_call_state;

struct cw_call {
    cw_conn *conn; /* NULL once done */
    cw_call_state state;
    uint32_t id;
    char *method;
    uint64_t timeout_micros;
    int64_t deadline_ns; /* 0: none */
    cw_metadata send_md; /* until HEADERS are encoded */
    cw_call_cb cb;
    void *user;

    bool close_queued;
    bool close_sent;
    bool headers_received;
    bool message_received;

    /* send side */
    int64_t send_window;
    cw_outmsg *out_head, *out_tail;
    size_t out_bytes;
    bool in_sendq;
    cw_call *sendq_next;

    /* receive side */
    int64_t recv_window;
    uint32_t pending_grant;
    cw_buf partial;
    bool partial_active;
    uint32_t partial_ungranted;
    cw_inmsg *in_head, *in_tail;

    cw_metadata initial_md;
    cw_metadata trailing_md;
    cw_status status;
    char no_message[1]; /* status.message when a copy could not be allocated */

    /* conn bookkeeping: pending or active list, id hash chain */
    cw_call *prev, *next;
    cw_call *hash_next;
};

/* ---- Connection ----------------------------------------------------------- */

#define CW_HASH_BUCKETS 1024u

struct cw_conn {
    int fd;
    SSL *ssl;             /* NULL: plaintext */
    bool tls_want_write;  /* a TLS read waits for the socket to take a write */
    cw_conn_state state;
    bool got_preface;
    bool got_settings;
    bool goaway_received;
    uint32_t goaway_last_id;
    uint32_t goaway_code;

    cw_peer_settings peer;
    uint32_t local_max_frame;
    uint32_t local_max_message;
    uint32_t local_max_metadata;
    uint32_t local_window;
    uint32_t local_max_streams; /* 0: the server's */
    char user_agent[257];

    cw_buf rbuf;
    cw_buf wbuf;
    size_t wbuf_soft; /* stop framing data and reading above this */

    uint32_t next_id;
    uint32_t last_id;
    size_t open_count;
    cw_call *pending_head, *pending_tail;
    cw_call *open_head;
    cw_call *sendq_head, *sendq_tail;
    cw_call *buckets[CW_HASH_BUCKETS];
    int64_t next_deadline_ns; /* earliest deadline of any call, 0: none (may be stale-early) */

    bool ping_outstanding;
    bool ping_acked;
    uint64_t ping_opaque;
    int64_t ping_sent_ns;
    int64_t ping_rtt_ns;

    /* keepalive (0: off): a PING after interval of silence, the connection closed without its ACK */
    int64_t ka_interval_ns;
    int64_t ka_timeout_ns;
    int64_t last_read_ns;
    bool ka_outstanding;
    uint64_t ka_opaque;
    int64_t ka_sent_ns;

    bool busy; /* inside cw_conn_process: no re-entry from callbacks */
    char error[256];
};

/* ---- TLS (tls.c) ------------------------------------------------------------- */

/* Blocking client handshake on a connected socket until end_ns; NULL with err filled on failure. */
SSL *cw_tls_handshake(int fd, const cw_tls_opts *tls, const char *host, int64_t end_ns, char *err, size_t err_len);
/* recv/send conventions: -1 with EAGAIN to wait, EIO with err filled on failure; 0 is EOF. */
ssize_t cw_tls_recv(SSL *ssl, void *buf, size_t len, bool *want_write, char *err, size_t err_len);
ssize_t cw_tls_send(SSL *ssl, const void *buf, size_t len, bool *want_write, char *err, size_t err_len);
/* Decrypted bytes wait inside the TLS layer (poll cannot see them). */
bool cw_tls_pending(SSL *ssl);
/* close_notify (best effort) and free. */
void cw_tls_close(SSL *ssl);

/* call.c hooks used by conn.c */
void cw_call_finish(cw_call *call, cw_code code, const char *message);
void cw_call_deliver(cw_call *call, cw_call_event ev);

/* conn.c services used by call.c */
void cw_conn_queue_send(cw_conn *conn, cw_call *call);
void cw_conn_send_cancel(cw_conn *conn, uint32_t id, cw_code code, const char *message);
void cw_conn_send_window_update(cw_conn *conn, uint32_t id, uint32_t increment);
void cw_conn_note_deadline(cw_conn *conn, int64_t deadline_ns);
void cw_conn_forget_call(cw_conn *conn, cw_call *call);
void cw_conn_maybe_close_drained(cw_conn *conn);

#endif

/* ---- Shared between conn.c, frames_in.c and call.c ------------------------ */

#include "civicgrid/wire/v1/wire.pb-c.h"

/* Connection error: GOAWAY with goaway_code (if >= 0), close, fail every call. */
void cw_conn_fail(cw_conn *conn, int goaway_code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Appends one frame whose payload is msg packed (NULL: empty payload). Control
 * frames (control = true) may use the buffer up to its hard limit; others only
 * up to the soft limit. False when there is no room (a control frame that does
 * not fit fails the connection).
 */
bool cw_conn_put_frame(cw_conn *conn, uint8_t type, uint8_t flags, uint32_t id,
                       const ProtobufCMessage *msg, bool control);
/* Appends a frame with a raw payload (MESSAGE fragments). */
bool cw_conn_put_raw(cw_conn *conn, uint8_t type, uint8_t flags, uint32_t id,
                     const uint8_t *payload, size_t len);

/* Handles one complete incoming frame (frames_in.c). */
void cw_conn_handle_frame(cw_conn *conn, const cw_frame_header *h, const uint8_t *payload);

/* Looks up an open stream, NULL if closed. */
cw_call *cw_conn_find(cw_conn *conn, uint32_t id);

/* Stream error from the client side: CANCEL with code, then finish the call. */
void cw_call_stream_error(cw_call *call, cw_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Converts received metadata entries into md, dropping reserved keys. False (md
 * partly filled) when an entry breaks the rules of section 4; *why says which.
 */
bool cw_metadata_from_wire(cw_metadata *md, Civicgrid__Wire__V1__MetadataEntry **entries,
                           size_t n, const char **why);

/* Grants window for consumed bytes once enough piled up (section 5). */
void cw_call_maybe_grant(cw_call *call);
