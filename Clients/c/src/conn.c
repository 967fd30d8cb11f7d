/* Connection lifecycle, socket I/O and the output pump. Frame handling is in frames_in.c. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

/* Output above this stops framing messages and reading input (backpressure). */
#define WBUF_SOFT_LIMIT (256u * 1024u)
/* Room left above the soft limit for control frames generated while processing input. */
#define WBUF_HARD_LIMIT (8u * 1024u * 1024u)
/* Reads are batched: the read buffer holds one largest frame plus this much. */
#define RBUF_SLACK (64u * 1024u)
/* Reads per cw_conn_process before giving other connections a turn. */
#define MAX_READS_PER_PROCESS 8

static uint32_t or_default(uint32_t v, uint32_t dflt) {
    return v ? v : dflt;
}

static cw_peer_settings default_peer_settings(void) {
    return (cw_peer_settings){
        .max_frame_size = CW_DEFAULT_MAX_FRAME_SIZE,
        .max_message_size = CW_DEFAULT_MAX_MESSAGE_SIZE,
        .max_metadata_size = CW_DEFAULT_MAX_METADATA_SIZE,
        .max_concurrent_streams = CW_DEFAULT_MAX_CONCURRENT_STREAMS,
        .initial_window_size = CW_DEFAULT_INITIAL_WINDOW_SIZE,
    };
}

/* ---- Frame output ---------------------------------------------------------- */

static bool put_header(cw_conn *c, uint8_t type, uint8_t flags, uint32_t id, size_t len, bool control,
                       uint8_t **payload) {
    if (c->state == CW_CONN_CLOSED) return false;
    size_t need = CW_FRAME_HEADER_SIZE + len;
    if (!control && cw_buf_size(&c->wbuf) + need > c->wbuf_soft) return false;
    uint8_t *dst = cw_buf_reserve(&c->wbuf, need);
    if (dst == NULL) {
        cw_conn_fail(c, -1, "output buffer full (%zu bytes queued)", cw_buf_size(&c->wbuf));
        return false;
    }
    cw_frame_header h = {.length = (uint32_t)len, .type = type, .flags = flags, .stream_id = id};
    cw_frame_header_encode(&h, dst);
    *payload = dst + CW_FRAME_HEADER_SIZE;
    c->wbuf.len += need;
    return true;
}

bool cw_conn_put_frame(cw_conn *c, uint8_t type, uint8_t flags, uint32_t id, const ProtobufCMessage *msg,
                       bool control) {
    size_t len = msg ? protobuf_c_message_get_packed_size(msg) : 0;
    uint8_t *payload;
    if (!put_header(c, type, flags, id, len, control, &payload)) return false;
    if (msg) protobuf_c_message_pack(msg, payload);
    return true;
}

bool cw_conn_put_raw(cw_conn *c, uint8_t type, uint8_t flags, uint32_t id, const uint8_t *data, size_t len) {
    uint8_t *payload;
    if (!put_header(c, type, flags, id, len, false, &payload)) return false;
    if (len > 0) memcpy(payload, data, len);
    return true;
}

void cw_conn_send_cancel(cw_conn *c, uint32_t id, cw_code code, const char *message) {
    Civicgrid__Wire__V1__Cancel m = CIVICGRID__WIRE__V1__CANCEL__INIT;
    m.code = (uint32_t)code;
    m.message = (char *)message;
    cw_conn_put_frame(c, CW_FRAME_CANCEL, 0, id, &m.base, true);
}

void cw_conn_send_window_update(cw_conn *c, uint32_t id, uint32_t increment) {
    Civicgrid__Wire__V1__WindowUpdate m = CIVICGRID__WIRE__V1__WINDOW_UPDATE__INIT;
    m.increment = increment;
    cw_conn_put_frame(c, CW_FRAME_WINDOW_UPDATE, 0, id, &m.base, true);
}

/* Writes queued output until the socket would block. */
static void flush(cw_conn *c) {
    while (c->state != CW_CONN_CLOSED && cw_buf_size(&c->wbuf) > 0) {
        char tls_err[240] = "";
        ssize_t n = c->ssl ? cw_tls_send(c->ssl, c->wbuf.data + c->wbuf.off, cw_buf_size(&c->wbuf), &c->tls_want_write,
                                         tls_err, sizeof tls_err)
                           : send(c->fd, c->wbuf.data + c->wbuf.off, cw_buf_size(&c->wbuf), MSG_NOSIGNAL);
        if (n > 0) {
            cw_buf_consume(&c->wbuf, (size_t)n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        } else {
            cw_conn_fail(c, -1, "write failed: %s", tls_err[0] ? tls_err : n == 0 ? "connection closed" : strerror(errno));
            return;
        }
    }
}

/* ---- Call bookkeeping ------------------------------------------------------ */

static size_t bucket_of(uint32_t id) {
    return (id >> 1) & (CW_HASH_BUCKETS - 1);
}

cw_call *cw_conn_find(cw_conn *c, uint32_t id) {
    for (cw_call *k = c->buckets[bucket_of(id)]; k != NULL; k = k->hash_next) {
        if (k->id == id) return k;
    }
    return NULL;
}

static void list_remove(cw_call **head, cw_call **tail, cw_call *k) {
    if (k->prev) k->prev->next = k->next; else *head = k->next;
    if (k->next) k->next->prev = k->prev; else if (tail) *tail = k->prev;
    k->prev = k->next = NULL;
}

void cw_conn_forget_call(cw_conn *c, cw_call *k) {
    if (k->state == CALL_PENDING) {
        list_remove(&c->pending_head, &c->pending_tail, k);
    } else if (k->state == CALL_OPEN) {
        list_remove(&c->open_head, NULL, k);
        cw_call **p = &c->buckets[bucket_of(k->id)];
        while (*p != k) p = &(*p)->hash_next;
        *p = k->hash_next;
        k->hash_next = NULL;
        c->open_count--;
    }
    if (k->in_sendq) {
        cw_call **p = &c->sendq_head;
        cw_call *prev = NULL;
        while (*p != k) {
            prev = *p;
            p = &(*p)->sendq_next;
        }
        *p = k->sendq_next;
        if (c->sendq_tail == k) c->sendq_tail = prev;
        k->in_sendq = false;
        k->sendq_next = NULL;
    }
}

void cw_conn_queue_send(cw_conn *c, cw_call *k) {
    if (k->in_sendq || k->state != CALL_OPEN) return;
    k->in_sendq = true;
    k->sendq_next = NULL;
    if (c->sendq_tail) c->sendq_tail->sendq_next = k; else c->sendq_head = k;
    c->sendq_tail = k;
}

void cw_conn_note_deadline(cw_conn *c, int64_t deadline_ns) {
    if (deadline_ns != 0 && (c->next_deadline_ns == 0 || deadline_ns < c->next_deadline_ns)) {
        c->next_deadline_ns = deadline_ns;
    }
}

/* Fails every pending call (never sent) with UNAVAILABLE. */
static void fail_pending(cw_conn *c, const char *why) {
    while (c->pending_head) cw_call_finish(c->pending_head, CW_UNAVAILABLE, why);
}

static void fail_all(cw_conn *c, const char *why) {
    fail_pending(c, why);
    while (c->open_head) cw_call_finish(c->open_head, CW_UNAVAILABLE, why);
}

static void close_socket(cw_conn *c) {
    cw_tls_close(c->ssl);
    c->ssl = NULL;
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->state = CW_CONN_CLOSED;
}

void cw_conn_fail(cw_conn *c, int goaway_code, const char *fmt, ...) {
    if (c->state == CW_CONN_CLOSED) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->error, sizeof c->error, fmt, ap);
    va_end(ap);
    if (goaway_code >= 0) {
        /* Servers open no streams, so the client's last_stream_id is 0. */
        Civicgrid__Wire__V1__GoAway g = CIVICGRID__WIRE__V1__GO_AWAY__INIT;
        g.error_code = (uint32_t)goaway_code;
        g.message = c->error;
        if (cw_conn_put_frame(c, CW_FRAME_GOAWAY, 0, 0, &g.base, true)) flush(c);
    }
    close_socket(c);
    char why[300];
    snprintf(why, sizeof why, "connection failed: %s", c->error);
    fail_all(c, why);
}

void cw_conn_maybe_close_drained(cw_conn *c) {
    if (c->state == CW_CONN_DRAINING && c->open_count == 0 && c->pending_head == NULL) {
        flush(c);
        snprintf(c->error, sizeof c->error, "closed after GOAWAY (%s) once in-flight calls finished",
                 cw_goaway_code_name(c->goaway_code));
        close_socket(c);
    }
}

/* ---- Output pump: open pending streams, frame queued messages ------------- */

static uint32_t stream_limit(const cw_conn *c) {
    uint32_t lim = c->peer.max_concurrent_streams;
    if (c->local_max_streams && c->local_max_streams < lim) lim = c->local_max_streams;
    return lim;
}

static bool wbuf_has_room(const cw_conn *c) {
    return cw_buf_size(&c->wbuf) < c->wbuf_soft;
}

/* Metadata entries encoded from the stack; longer lists use the heap. */
#define INLINE_METADATA 16

/* Sends HEADERS for the oldest pending call. False when output is full. */
static bool activate(cw_conn *c, cw_call *k) {
    Civicgrid__Wire__V1__Headers h = CIVICGRID__WIRE__V1__HEADERS__INIT;
    Civicgrid__Wire__V1__MetadataEntry inline_entries[INLINE_METADATA], *entries = inline_entries;
    Civicgrid__Wire__V1__MetadataEntry *inline_ptrs[INLINE_METADATA], **ptrs = inline_ptrs;
    size_t n = k->send_md.count;
    if (n > INLINE_METADATA) {
        entries = malloc(n * sizeof *entries);
        ptrs = malloc(n * sizeof *ptrs);
        if (entries == NULL || ptrs == NULL) {
            free(entries);
            free(ptrs);
            cw_call_finish(k, CW_RESOURCE_EXHAUSTED, "out of memory encoding metadata");
            return true;
        }
    }
    h.method = k->method;
    if (k->deadline_ns) {
        int64_t left = (k->deadline_ns - cw_now_ns()) / 1000;
        h.timeout_micros = left > 0 ? (uint64_t)left : 1;
    }
    for (size_t i = 0; i < n; i++) {
        const cw_md_entry *e = &k->send_md.entries[i];
        civicgrid__wire__v1__metadata_entry__init(&entries[i]);
        entries[i].key = e->key;
        if (cw_metadata_key_is_binary(e->key, strlen(e->key))) {
            entries[i].value_case = CIVICGRID__WIRE__V1__METADATA_ENTRY__VALUE_BINARY_VALUE;
            entries[i].binary_value.data = e->value;
            entries[i].binary_value.len = e->value_len;
        } else {
            entries[i].value_case = CIVICGRID__WIRE__V1__METADATA_ENTRY__VALUE_STRING_VALUE;
            entries[i].string_value = (char *)e->value;
        }
        ptrs[i] = &entries[i];
    }
    h.n_metadata = n;
    h.metadata = ptrs;
    size_t size = protobuf_c_message_get_packed_size(&h.base);
    bool sent = false, full = false;
    if (size > c->peer.max_metadata_size) {
        char why[128];
        snprintf(why, sizeof why, "HEADERS of %zu bytes exceed the server's max_metadata_size %u", size,
                 c->peer.max_metadata_size);
        cw_call_finish(k, CW_RESOURCE_EXHAUSTED, why);
    } else if (cw_conn_put_frame(c, CW_FRAME_HEADERS, 0, c->next_id, &h.base, false)) {
        sent = true;
    } else {
        full = true;
    }
    if (entries != inline_entries) {
        free(entries);
        free(ptrs);
    }
    if (!sent) return !full;
    uint32_t id = c->next_id;
    c->next_id += 2;
    c->last_id = id;
    list_remove(&c->pending_head, &c->pending_tail, k);
    k->state = CALL_OPEN;
    k->id = id;
    k->send_window = c->peer.initial_window_size;
    k->hash_next = c->buckets[bucket_of(id)];
    c->buckets[bucket_of(id)] = k;
    k->next = c->open_head;
    k->prev = NULL;
    if (c->open_head) c->open_head->prev = k;
    c->open_head = k;
    c->open_count++;
    cw_metadata_clear(&k->send_md);
    if (k->out_head || k->close_queued) cw_conn_queue_send(c, k);
    return true;
}

typedef enum { SEND_FINISHED, SEND_WINDOW, SEND_ROOM } send_result;

/* Frames as much of one call's output as window and buffer allow. */
static send_result send_some(cw_conn *c, cw_call *k) {
    while (k->out_head) {
        cw_outmsg *m = k->out_head;
        size_t left = m->len - m->off;
        size_t n = left;
        if (left > 0) {
            if (k->send_window <= 0) return SEND_WINDOW;
            if ((int64_t)n > k->send_window) n = (size_t)k->send_window;
            if (n > c->peer.max_frame_size) n = c->peer.max_frame_size;
        }
        bool more = n < left;
        if (!cw_conn_put_raw(c, CW_FRAME_MESSAGE, more ? CW_FLAG_MORE : 0, k->id, m->data + m->off, n)) {
            return SEND_ROOM;
        }
        m->off += n;
        k->send_window -= (int64_t)n;
        k->out_bytes -= n;
        if (!more) {
            k->out_head = m->next;
            if (k->out_head == NULL) k->out_tail = NULL;
            free(m);
        }
    }
    if (k->close_queued && !k->close_sent) {
        if (!cw_conn_put_raw(c, CW_FRAME_HALF_CLOSE, 0, k->id, NULL, 0)) return SEND_ROOM;
        k->close_sent = true;
    }
    return SEND_FINISHED;
}

static void pump(cw_conn *c) {
    if (c->state != CW_CONN_READY && c->state != CW_CONN_DRAINING) return;
    while (c->pending_head && c->state == CW_CONN_READY && c->open_count < stream_limit(c) && wbuf_has_room(c)) {
        if (c->next_id > CW_MAX_STREAM_ID) {
            fail_pending(c, "stream ids exhausted on this connection; open a new one");
            break;
        }
        if (!activate(c, c->pending_head)) break;
    }
    while (c->sendq_head && wbuf_has_room(c) && c->state != CW_CONN_CLOSED) {
        cw_call *k = c->sendq_head;
        c->sendq_head = k->sendq_next;
        if (c->sendq_head == NULL) c->sendq_tail = NULL;
        k->in_sendq = false;
        k->sendq_next = NULL;
        if (send_some(c, k) == SEND_ROOM) {
            cw_conn_queue_send(c, k);
            break;
        }
    }
}

/* ---- Input ------------------------------------------------------------------ */

static bool handle_preface(cw_conn *c, const uint8_t *p) {
    if (memcmp(p, "HTTP", 4) == 0) {
        cw_conn_fail(c, -1, "server answered with HTTP/1.x, not CivicWire (wrong port?)");
        return false;
    }
    if (memcmp(p, CW_PREFACE, 4) != 0) {
        cw_conn_fail(c, CW_GOAWAY_PROTOCOL_ERROR, "bad server preface %02x %02x %02x %02x", p[0], p[1], p[2], p[3]);
        return false;
    }
    if (p[4] != CW_VERSION_MAJOR) {
        cw_conn_fail(c, CW_GOAWAY_UNSUPPORTED_VERSION, "server speaks CivicWire %u.%u, this client 1.x", p[4], p[5]);
        return false;
    }
    c->got_preface = true;
    return true;
}

/* Handles every complete frame in the read buffer. */
static void parse_input(cw_conn *c) {
    cw_buf *r = &c->rbuf;
    while (c->state != CW_CONN_CLOSED) {
        size_t avail = cw_buf_size(r);
        const uint8_t *p = r->data + r->off;
        if (!c->got_preface) {
            if (avail < CW_PREFACE_SIZE) return;
            cw_buf_consume(r, CW_PREFACE_SIZE);
            if (!handle_preface(c, p)) return;
            continue;
        }
        if (avail < CW_FRAME_HEADER_SIZE) return;
        cw_frame_header h;
        cw_frame_header_decode(p, &h);
        if (h.length > c->local_max_frame) {
            cw_conn_fail(c, CW_GOAWAY_FRAME_SIZE_ERROR, "%s frame of %u bytes exceeds max_frame_size %u",
                         cw_frame_type_name(h.type), h.length, c->local_max_frame);
            return;
        }
        if (avail < CW_FRAME_HEADER_SIZE + (size_t)h.length) return;
        cw_buf_consume(r, CW_FRAME_HEADER_SIZE + (size_t)h.length);
        /* The payload stays valid: nothing reads into r while the frame is handled. */
        cw_conn_handle_frame(c, &h, p + CW_FRAME_HEADER_SIZE);
    }
}

static void on_eof(cw_conn *c) {
    if (!c->got_settings) {
        cw_conn_fail(c, -1, c->ssl ? "server closed the connection during the handshake"
                                   : "server closed the connection during the handshake (a TLS listener does so to a plaintext client)");
    } else if (c->goaway_received) {
        cw_conn_fail(c, -1, "server closed the connection after GOAWAY %s", cw_goaway_code_name(c->goaway_code));
    } else {
        cw_conn_fail(c, -1, "server closed the connection");
    }
}

static void read_input(cw_conn *c) {
    cw_buf *r = &c->rbuf;
    for (int i = 0; i < MAX_READS_PER_PROCESS && c->state != CW_CONN_CLOSED; i++) {
        if (!wbuf_has_room(c)) return; /* the peer is not reading: stop generating replies */
        if (r->off > 0) { /* keep the partial frame at the front */
            memmove(r->data, r->data + r->off, cw_buf_size(r));
            r->len -= r->off;
            r->off = 0;
        }
        size_t space = r->cap - r->len;
        char tls_err[240] = "";
        c->tls_want_write = false;
        ssize_t n = c->ssl ? cw_tls_recv(c->ssl, r->data + r->len, space, &c->tls_want_write, tls_err, sizeof tls_err)
                           : recv(c->fd, r->data + r->len, space, 0);
        if (n == 0) {
            on_eof(c);
            return;
        }
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            if (errno == ECONNRESET && !c->got_settings && !tls_err[0]) {
                on_eof(c); /* a reset before the server's SETTINGS: a refused handshake, said as such */
                return;
            }
            cw_conn_fail(c, -1, "read failed: %s", tls_err[0] ? tls_err : strerror(errno));
            return;
        }
        r->len += (size_t)n;
        c->last_read_ns = cw_now_ns();
        parse_input(c);
        /* A short read drained the socket, unless TLS holds decrypted bytes poll cannot see. */
        if ((size_t)n < space && !(c->ssl && cw_tls_pending(c->ssl))) return;
    }
}

/* ---- Deadlines ----------------------------------------------------------------- */

/* Finds one expired call, or recomputes next_deadline_ns when there is none. */
static cw_call *find_expired(cw_conn *c, int64_t now) {
    int64_t next = 0;
    cw_call *lists[2] = {c->pending_head, c->open_head};
    for (int l = 0; l < 2; l++) {
        for (cw_call *k = lists[l]; k != NULL; k = k->next) {
            if (k->deadline_ns == 0) continue;
            if (k->deadline_ns <= now) return k;
            if (next == 0 || k->deadline_ns < next) next = k->deadline_ns;
        }
    }
    c->next_deadline_ns = next;
    return NULL;
}

static void check_deadlines(cw_conn *c) {
    if (c->next_deadline_ns == 0) return;
    int64_t now = cw_now_ns();
    if (now < c->next_deadline_ns) return;
    cw_call *k;
    while ((k = find_expired(c, now)) != NULL) {
        char why[96];
        snprintf(why, sizeof why, "deadline of %llu us exceeded", (unsigned long long)k->timeout_micros);
        if (k->state == CALL_OPEN) cw_conn_send_cancel(c, k->id, CW_DEADLINE_EXCEEDED, why);
        cw_call_finish(k, CW_DEADLINE_EXCEEDED, why);
    }
}

/* ---- Keepalive -------------------------------------------------------------------- */

/* When the keepalive next acts (0: never): its PING's ACK deadline, or the end of the silence. */
static int64_t keepalive_due(const cw_conn *c) {
    if (c->ka_interval_ns == 0 || c->state != CW_CONN_READY) return 0;
    return c->ka_outstanding ? c->ka_sent_ns + c->ka_timeout_ns : c->last_read_ns + c->ka_interval_ns;
}

static void check_keepalive(cw_conn *c) {
    int64_t due = keepalive_due(c);
    int64_t now = cw_now_ns();
    if (due == 0 || now < due) return;
    if (c->ka_outstanding) {
        cw_conn_fail(c, -1, "keepalive: no PING ACK within %lld ms", (long long)(c->ka_timeout_ns / 1000000));
        return;
    }
    Civicgrid__Wire__V1__Ping p = CIVICGRID__WIRE__V1__PING__INIT;
    /* Its own opaque values (top bit set) so a cw_conn_ping of the caller is never mistaken for it. */
    c->ka_opaque = ((uint64_t)1 << 63) | (uint64_t)now;
    p.opaque = c->ka_opaque;
    if (cw_conn_put_frame(c, CW_FRAME_PING, 0, 0, &p.base, true)) {
        c->ka_outstanding = true;
        c->ka_sent_ns = now;
    }
}

/* ---- Public API ----------------------------------------------------------------- */

/* Wraps a connected socket, with its TLS session when ssl is not NULL (owned from now on). */
static cw_code attach(int fd, SSL *ssl, const cw_conn_opts *opts, cw_conn **out) {
    *out = NULL;
    cw_conn_opts o = opts ? *opts : (cw_conn_opts){0};
    uint32_t max_frame = or_default(o.max_frame_size, CW_DEFAULT_MAX_FRAME_SIZE);
    uint32_t window = or_default(o.initial_window_size, CW_DEFAULT_INITIAL_WINDOW_SIZE);
    if (max_frame < CW_MIN_MAX_FRAME_SIZE || max_frame > CW_MAX_MAX_FRAME_SIZE || window > CW_MAX_WINDOW_SIZE) {
        return CW_INVALID_ARGUMENT;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return CW_INVALID_ARGUMENT;
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* fails harmlessly on AF_UNIX */

    cw_conn *c = calloc(1, sizeof *c);
    if (c == NULL) return CW_RESOURCE_EXHAUSTED;
    c->fd = fd;
    c->ssl = ssl;
    c->state = CW_CONN_HANDSHAKE;
    c->peer = default_peer_settings();
    c->local_max_frame = max_frame;
    c->local_max_message = or_default(o.max_message_size, CW_DEFAULT_MAX_MESSAGE_SIZE);
    c->local_max_metadata = or_default(o.max_metadata_size, CW_DEFAULT_MAX_METADATA_SIZE);
    c->local_window = window;
    c->local_max_streams = o.max_concurrent_streams;
    if (o.keepalive_interval_ms > 0) {
        c->ka_interval_ns = (int64_t)(o.keepalive_interval_ms < 1000 ? 1000 : o.keepalive_interval_ms) * 1000000;
        c->ka_timeout_ns = (int64_t)(o.keepalive_timeout_ms > 0 ? o.keepalive_timeout_ms : 20000) * 1000000;
    }
    c->last_read_ns = cw_now_ns();
    snprintf(c->user_agent, sizeof c->user_agent, "%s", o.user_agent ? o.user_agent : "libcivicwire/1.0");
    c->next_id = 1;
    c->wbuf_soft = WBUF_SOFT_LIMIT;
    cw_buf_init(&c->wbuf, WBUF_HARD_LIMIT);
    size_t rcap = CW_FRAME_HEADER_SIZE + (size_t)max_frame + RBUF_SLACK;
    cw_buf_init(&c->rbuf, rcap);
    if (cw_buf_reserve(&c->rbuf, rcap) == NULL) {
        free(c);
        return CW_RESOURCE_EXHAUSTED;
    }

    Civicgrid__Wire__V1__Settings s = CIVICGRID__WIRE__V1__SETTINGS__INIT;
    s.max_frame_size = c->local_max_frame;
    s.max_message_size = c->local_max_message;
    s.max_metadata_size = c->local_max_metadata;
    s.initial_window_size = c->local_window;
    s.user_agent = c->user_agent;
    cw_buf_append(&c->wbuf, CW_PREFACE, CW_PREFACE_SIZE);
    cw_conn_put_frame(c, CW_FRAME_SETTINGS, 0, 0, &s.base, true);
    flush(c);
    *out = c;
    return CW_OK;
}

cw_code cw_conn_attach(int fd, const cw_conn_opts *opts, cw_conn **out) {
    return attach(fd, NULL, opts, out);
}

void cw_conn_close(cw_conn *c) {
    if (c == NULL || c->state == CW_CONN_CLOSED) return;
    Civicgrid__Wire__V1__GoAway g = CIVICGRID__WIRE__V1__GO_AWAY__INIT;
    g.message = "client closing";
    if (cw_conn_put_frame(c, CW_FRAME_GOAWAY, 0, 0, &g.base, true)) flush(c);
    snprintf(c->error, sizeof c->error, "closed by the client");
    close_socket(c);
    fail_all(c, "connection closed by the client");
}

void cw_conn_free(cw_conn *c) {
    if (c == NULL) return;
    cw_conn_close(c);
    fail_all(c, "connection closed by the client");
    cw_buf_free(&c->rbuf);
    cw_buf_free(&c->wbuf);
    free(c);
}

cw_conn_state cw_conn_state_of(const cw_conn *c) {
    return c->state;
}

const char *cw_conn_error(const cw_conn *c) {
    return c->error;
}

int cw_conn_fd(const cw_conn *c) {
    return c->fd;
}

short cw_conn_poll_events(const cw_conn *c) {
    if (c->state == CW_CONN_CLOSED) return 0;
    short ev = wbuf_has_room(c) ? POLLIN : 0;
    if (cw_buf_size(&c->wbuf) > 0 || c->tls_want_write) ev |= POLLOUT;
    return ev;
}

int cw_conn_timeout_ms(const cw_conn *c) {
    int64_t next = c->next_deadline_ns, ka = keepalive_due(c);
    if (ka != 0 && (next == 0 || ka < next)) next = ka;
    if (next == 0) return -1;
    int64_t left = next - cw_now_ns();
    if (left <= 0) return 0;
    int64_t ms = (left + 999999) / 1000000;
    return ms > 1000000000 ? 1000000000 : (int)ms;
}

cw_code cw_conn_process(cw_conn *c, short revents) {
    if (c->busy) return CW_FAILED_PRECONDITION;
    if (c->state == CW_CONN_CLOSED) return CW_UNAVAILABLE;
    c->busy = true;
    if ((revents & (POLLIN | POLLHUP | POLLERR)) || (c->tls_want_write && (revents & POLLOUT)) ||
        (c->ssl && cw_tls_pending(c->ssl))) {
        read_input(c);
    }
    check_deadlines(c);
    check_keepalive(c);
    pump(c);
    flush(c);
    c->busy = false;
    return c->state == CW_CONN_CLOSED ? CW_UNAVAILABLE : CW_OK;
}

cw_code cw_conn_step(cw_conn *c, int timeout_ms) {
    if (c->busy) return CW_FAILED_PRECONDITION;
    if (c->state == CW_CONN_CLOSED) return CW_UNAVAILABLE;
    pump(c);
    flush(c);
    if (c->state == CW_CONN_CLOSED) return CW_UNAVAILABLE;
    int wait = cw_conn_timeout_ms(c);
    if (wait < 0 || (timeout_ms >= 0 && timeout_ms < wait)) wait = timeout_ms;
    if (c->ssl && cw_tls_pending(c->ssl)) wait = 0; /* input already decrypted: no need to wait */
    struct pollfd pfd = {.fd = c->fd, .events = cw_conn_poll_events(c)};
    int n = poll(&pfd, 1, wait);
    if (n < 0 && errno != EINTR) {
        cw_conn_fail(c, -1, "poll failed: %s", strerror(errno));
        return CW_UNAVAILABLE;
    }
    return cw_conn_process(c, n > 0 ? pfd.revents : 0);
}

cw_code cw_conn_ping(cw_conn *c, uint64_t opaque) {
    if (c->state == CW_CONN_CLOSED) return CW_UNAVAILABLE;
    if (c->ping_outstanding) return CW_FAILED_PRECONDITION;
    Civicgrid__Wire__V1__Ping p = CIVICGRID__WIRE__V1__PING__INIT;
    p.opaque = opaque;
    if (!cw_conn_put_frame(c, CW_FRAME_PING, 0, 0, &p.base, true)) return CW_UNAVAILABLE;
    c->ping_outstanding = true;
    c->ping_acked = false;
    c->ping_opaque = opaque;
    c->ping_sent_ns = cw_now_ns();
    flush(c);
    return CW_OK;
}

bool cw_conn_ping_acked(const cw_conn *c, int64_t *rtt_ns) {
    if (c->ping_acked && rtt_ns) *rtt_ns = c->ping_rtt_ns;
    return c->ping_acked;
}

cw_code cw_conn_ping_wait(cw_conn *c, int timeout_ms, int64_t *rtt_ns) {
    cw_code rc = cw_conn_ping(c, (uint64_t)cw_now_ns());
    if (rc != CW_OK) return rc;
    int64_t end = cw_now_ns() + (int64_t)timeout_ms * 1000000;
    while (!c->ping_acked) {
        int64_t left = (end - cw_now_ns()) / 1000000;
        if (left <= 0) {
            c->ping_outstanding = false;
            return CW_DEADLINE_EXCEEDED;
        }
        if (cw_conn_step(c, (int)left) != CW_OK) return CW_UNAVAILABLE;
    }
    if (rtt_ns) *rtt_ns = c->ping_rtt_ns;
    return CW_OK;
}

bool cw_conn_goaway(const cw_conn *c, uint32_t *last_stream_id, uint32_t *error_code) {
    if (c->goaway_received) {
        if (last_stream_id) *last_stream_id = c->goaway_last_id;
        if (error_code) *error_code = c->goaway_code;
    }
    return c->goaway_received;
}

size_t cw_conn_calls_in_flight(const cw_conn *c) {
    size_t n = c->open_count;
    for (const cw_call *k = c->pending_head; k != NULL; k = k->next) n++;
    return n;
}

cw_peer_settings cw_conn_peer_settings(const cw_conn *c) {
    return c->peer;
}

/* ---- Blocking open ------------------------------------------------------------------ */

static int connect_with_timeout(const struct addrinfo *ai, int64_t end_ns, char *err, size_t err_len) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        snprintf(err, err_len, "socket: %s", strerror(errno));
        return -1;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) return fd;
    if (errno != EINPROGRESS) {
        snprintf(err, err_len, "connect: %s", strerror(errno));
        close(fd);
        return -1;
    }
    struct pollfd pfd = {.fd = fd, .events = POLLOUT};
    int64_t left = (end_ns - cw_now_ns()) / 1000000;
    int n = left > 0 ? poll(&pfd, 1, (int)left) : 0;
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (n <= 0) {
        snprintf(err, err_len, "connect: timed out");
    } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
        snprintf(err, err_len, "connect: %s", strerror(soerr ? soerr : errno));
    } else {
        return fd;
    }
    close(fd);
    return -1;
}

cw_code cw_conn_open(const char *host, const char *port, const cw_conn_opts *opts, cw_conn **out, char *err,
                     size_t err_len) {
    char scratch[1];
    if (err == NULL || err_len == 0) {
        err = scratch;
        err_len = sizeof scratch;
    }
    err[0] = 0;
    *out = NULL;
    int timeout_ms = opts && opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 10000;
    int64_t end = cw_now_ns() + (int64_t)timeout_ms * 1000000;

    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0) {
        snprintf(err, err_len, "resolve %s:%s: %s", host, port, gai_strerror(gai));
        return CW_UNAVAILABLE;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = connect_with_timeout(ai, end, err, err_len);
    }
    freeaddrinfo(res);
    if (fd < 0) return CW_UNAVAILABLE;

    SSL *ssl = NULL;
    if (opts && opts->tls) {
        ssl = cw_tls_handshake(fd, opts->tls, host, end, err, err_len);
        if (ssl == NULL) {
            close(fd);
            return CW_UNAVAILABLE;
        }
    }
    cw_conn *c;
    cw_code rc = attach(fd, ssl, opts, &c);
    if (rc != CW_OK) {
        cw_tls_close(ssl);
        close(fd);
        snprintf(err, err_len, "attach: %s", cw_code_name(rc));
        return rc;
    }
    while (c->state == CW_CONN_HANDSHAKE) {
        int64_t left = (end - cw_now_ns()) / 1000000;
        if (left <= 0) {
            snprintf(err, err_len, "handshake with %s:%s timed out", host, port);
            cw_conn_free(c);
            return CW_DEADLINE_EXCEEDED;
        }
        cw_conn_step(c, (int)left);
    }
    if (c->state == CW_CONN_CLOSED) {
        snprintf(err, err_len, "%s", c->error);
        cw_conn_free(c);
        return CW_UNAVAILABLE;
    }
    *out = c;
    return CW_OK;
}
