/* Incoming frames: validation against docs/PROTOCOL.md and dispatch to calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Unpacks a control payload; a payload that does not decode is a connection error. */
static ProtobufCMessage *unpack(cw_conn *c, const ProtobufCMessageDescriptor *d, const cw_frame_header *h,
                                const uint8_t *payload) {
    ProtobufCMessage *m = protobuf_c_message_unpack(d, NULL, h->length, payload);
    if (m == NULL) {
        cw_conn_fail(c, CW_GOAWAY_PROTOCOL_ERROR, "%s payload of %u bytes on stream %u does not decode",
                     cw_frame_type_name(h->type), h->length, h->stream_id);
    }
    return m;
}

bool cw_metadata_from_wire(cw_metadata *md, Civicgrid__Wire__V1__MetadataEntry **entries, size_t n,
                           const char **why) {
    for (size_t i = 0; i < n; i++) {
        const Civicgrid__Wire__V1__MetadataEntry *e = entries[i];
        size_t klen = e->key ? strlen(e->key) : 0;
        if (!cw_metadata_key_is_valid(e->key, klen)) {
            *why = "metadata key is not 1..255 bytes of a-z 0-9 - _ .";
            return false;
        }
        if (cw_metadata_key_is_reserved(e->key, klen)) continue;
        bool binary = cw_metadata_key_is_binary(e->key, klen);
        const void *v = "";
        size_t vlen = 0;
        if (e->value_case == CIVICGRID__WIRE__V1__METADATA_ENTRY__VALUE_BINARY_VALUE) {
            if (!binary) {
                *why = "binary_value on a key without -bin";
                return false;
            }
            v = e->binary_value.data;
            vlen = e->binary_value.len;
        } else if (e->value_case == CIVICGRID__WIRE__V1__METADATA_ENTRY__VALUE_STRING_VALUE) {
            if (binary) {
                *why = "string_value on a -bin key";
                return false;
            }
            v = e->string_value;
            vlen = strlen(e->string_value);
            if (!cw_metadata_value_is_printable(v, vlen)) {
                *why = "string metadata value is not printable ASCII";
                return false;
            }
        }
        if (cw_metadata_add(md, e->key, v, vlen) != CW_OK) {
            *why = "too many metadata entries";
            return false;
        }
    }
    return true;
}

static void on_settings(cw_conn *c, const cw_frame_header *h, const uint8_t *payload) {
    if (h->flags & CW_FLAG_ACK) return;
    if (c->got_settings) {
        cw_conn_fail(c, CW_GOAWAY_PROTOCOL_ERROR, "second SETTINGS frame");
        return;
    }
    Civicgrid__Wire__V1__Settings *s =
        (Civicgrid__Wire__V1__Settings *)unpack(c, &civicgrid__wire__v1__settings__descriptor, h, payload);
    if (s == NULL) return;
    cw_peer_settings p = c->peer;
    const char *bad = NULL;
    if (s->max_frame_size) {
        if (s->max_frame_size < CW_MIN_MAX_FRAME_SIZE || s->max_frame_size > CW_MAX_MAX_FRAME_SIZE) {
            bad = "max_frame_size";
        }
        p.max_frame_size = s->max_frame_size;
    }
    if (s->initial_window_size) {
        if (s->initial_window_size > CW_MAX_WINDOW_SIZE) bad = "initial_window_size";
        p.initial_window_size = s->initial_window_size;
    }
    if (s->max_message_size) p.max_message_size = s->max_message_size;
    if (s->max_metadata_size) p.max_metadata_size = s->max_metadata_size;
    if (s->max_concurrent_streams) p.max_concurrent_streams = s->max_concurrent_streams;
    protobuf_c_message_free_unpacked(&s->base, NULL);
    if (bad) {
        cw_conn_fail(c, CW_GOAWAY_PROTOCOL_ERROR, "server SETTINGS %s out of range", bad);
        return;
    }
    c->peer = p;
    c->got_settings = true;
    if (c->state == CW_CONN_HANDSHAKE) c->state = CW_CONN_READY;
    cw_conn_put_frame(c, CW_FRAME_SETTINGS, CW_FLAG_ACK, 0, NULL, true);
}

static void on_ping(cw_conn *c, const cw_frame_header *h, const uint8_t *payload) {
    Civicgrid__Wire__V1__Ping *p =
        (Civicgrid__Wire__V1__Ping *)unpack(c, &civicgrid__wire__v1__ping__descriptor, h, payload);
    if (p == NULL) return;
    if (h->flags & CW_FLAG_ACK) {
        if (c->ka_outstanding && p->opaque == c->ka_opaque) c->ka_outstanding = false;
        if (c->ping_outstanding && p->opaque == c->ping_opaque) {
            c->ping_outstanding = false;
            c->ping_acked = true;
            c->ping_rtt_ns = cw_now_ns() - c->ping_sent_ns;
        }
    } else {
        cw_conn_put_frame(c, CW_FRAME_PING, CW_FLAG_ACK, 0, &p->base, true);
    }
    protobuf_c_message_free_unpacked(&p->base, NULL);
}

static void on_goaway(cw_conn *c, const cw_frame_header *h, const uint8_t *payload) {
    Civicgrid__Wire__V1__GoAway *g =
        (Civicgrid__Wire__V1__GoAway *)unpack(c, &civicgrid__wire__v1__go_away__descriptor, h, payload);
    if (g == NULL) return;
    c->goaway_received = true;
    c->goaway_last_id = g->last_stream_id;
    c->goaway_code = g->error_code;
    snprintf(c->error, sizeof c->error, "GOAWAY %s: %s", cw_goaway_code_name(g->error_code),
             g->message ? g->message : "");
    protobuf_c_message_free_unpacked(&g->base, NULL);
    if (c->state == CW_CONN_HANDSHAKE || c->state == CW_CONN_READY) c->state = CW_CONN_DRAINING;

    char why[400];
    snprintf(why, sizeof why, "not sent: server is going away (%s); retry on a new connection", c->error);
    while (c->pending_head) cw_call_finish(c->pending_head, CW_UNAVAILABLE, why);
    snprintf(why, sizeof why, "not processed by the server (GOAWAY last_stream_id %u); safe to retry",
             c->goaway_last_id);
    for (cw_call *k = c->open_head; k != NULL;) {
        cw_call *next = k->next;
        if (k->id > c->goaway_last_id) {
            cw_call_finish(k, CW_UNAVAILABLE, why);
            next = c->open_head; /* callbacks may have changed the list: rescan */
        }
        k = next;
    }
    cw_conn_maybe_close_drained(c);
}

/* Unpacks HEADERS or TRAILERS; an oversized block is a stream error (section 3.3). */
static ProtobufCMessage *unpack_metadata_block(cw_conn *c, cw_call *k, const ProtobufCMessageDescriptor *d,
                                               const cw_frame_header *h, const uint8_t *payload) {
    if (h->length > c->local_max_metadata) {
        cw_call_stream_error(k, CW_RESOURCE_EXHAUSTED, "%s of %u bytes exceed max_metadata_size %u",
                             cw_frame_type_name(h->type), h->length, c->local_max_metadata);
        return NULL;
    }
    return unpack(c, d, h, payload);
}

static void on_headers(cw_conn *c, cw_call *k, const cw_frame_header *h, const uint8_t *payload) {
    Civicgrid__Wire__V1__Headers *m = (Civicgrid__Wire__V1__Headers *)unpack_metadata_block(
        c, k, &civicgrid__wire__v1__headers__descriptor, h, payload);
    if (m == NULL) return;
    const char *why = NULL;
    if (k->headers_received || k->message_received) {
        why = k->headers_received ? "second HEADERS from the server" : "HEADERS after MESSAGE";
    } else if (!cw_metadata_from_wire(&k->initial_md, m->metadata, m->n_metadata, &why)) {
        cw_metadata_clear(&k->initial_md);
    }
    protobuf_c_message_free_unpacked(&m->base, NULL);
    if (why) {
        cw_call_stream_error(k, CW_INTERNAL, "bad response HEADERS: %s", why);
        return;
    }
    k->headers_received = true;
    cw_call_deliver(k, CW_EVENT_HEADERS);
}

static void enqueue(cw_call *k, uint8_t *data, size_t len, uint32_t ungranted) {
    cw_inmsg *m = malloc(sizeof *m);
    if (m == NULL) {
        free(data);
        cw_call_stream_error(k, CW_RESOURCE_EXHAUSTED, "out of memory for a %zu-byte message", len);
        return;
    }
    *m = (cw_inmsg){.data = data, .len = len, .ungranted = ungranted};
    if (k->in_tail) k->in_tail->next = m; else k->in_head = m;
    k->in_tail = m;
}

static void on_message(cw_conn *c, cw_call *k, const cw_frame_header *h, const uint8_t *payload) {
    if (h->length > k->recv_window) {
        cw_call_stream_error(k, CW_RESOURCE_EXHAUSTED, "MESSAGE of %u bytes exceeds the stream window of %lld",
                             h->length, (long long)k->recv_window);
        return;
    }
    k->recv_window -= h->length;
    k->message_received = true;
    if (cw_buf_size(&k->partial) + h->length > c->local_max_message) {
        cw_call_stream_error(k, CW_RESOURCE_EXHAUSTED, "response message larger than max_message_size %u",
                             c->local_max_message);
        return;
    }
    bool more = h->flags & CW_FLAG_MORE;
    if (!k->partial_active && !more) { /* the common case: a whole message in one frame */
        uint8_t *data = malloc(h->length ? h->length : 1);
        if (data == NULL) {
            cw_call_stream_error(k, CW_RESOURCE_EXHAUSTED, "out of memory for a %u-byte message", h->length);
            return;
        }
        if (h->length) memcpy(data, payload, h->length);
        enqueue(k, data, h->length, h->length);
    } else {
        if (!cw_buf_append(&k->partial, payload, h->length)) {
            cw_call_stream_error(k, CW_RESOURCE_EXHAUSTED, "out of memory reassembling a message");
            return;
        }
        k->partial_active = true;
        if (!more) {
            uint32_t ungranted = k->partial_ungranted + h->length;
            size_t len;
            uint8_t *data = cw_buf_steal(&k->partial, &len);
            k->partial_active = false;
            k->partial_ungranted = 0;
            if (data == NULL) {
                cw_call_stream_error(k, CW_RESOURCE_EXHAUSTED, "out of memory for a %zu-byte message", len);
                return;
            }
            enqueue(k, data, len, ungranted);
        } else if (k->in_head == NULL) {
            /* Nothing waits to be consumed: grant fragments at once so a message larger
               than the window can complete (section 5). */
            k->pending_grant += h->length;
            cw_call_maybe_grant(k);
            return;
        } else {
            k->partial_ungranted += h->length;
            return;
        }
    }
    if (k->state == CALL_OPEN) cw_call_deliver(k, CW_EVENT_MESSAGE);
}

static void on_trailers(cw_conn *c, cw_call *k, const cw_frame_header *h, const uint8_t *payload) {
    Civicgrid__Wire__V1__Trailers *t = (Civicgrid__Wire__V1__Trailers *)unpack_metadata_block(
        c, k, &civicgrid__wire__v1__trailers__descriptor, h, payload);
    if (t == NULL) return;
    cw_code code = cw_code_from_wire(t->code);
    const char *why = NULL;
    const char *override = NULL;
    char msg[160];
    if (!cw_metadata_from_wire(&k->trailing_md, t->metadata, t->n_metadata, &why)) {
        cw_metadata_clear(&k->trailing_md);
        snprintf(msg, sizeof msg, "bad TRAILERS: %s", why);
        override = msg;
        code = CW_INTERNAL;
    } else if (k->partial_active && code == CW_OK) {
        override = "stream ended inside a fragmented message";
        code = CW_INTERNAL;
    }
    if (t->details.len > 0) {
        k->status.details = malloc(t->details.len);
        if (k->status.details) {
            memcpy(k->status.details, t->details.data, t->details.len);
            k->status.details_len = t->details.len;
        }
    }
    cw_call_finish(k, code, override ? override : (t->message ? t->message : ""));
    protobuf_c_message_free_unpacked(&t->base, NULL);
}

static void on_cancel(cw_conn *c, cw_call *k, const cw_frame_header *h, const uint8_t *payload) {
    Civicgrid__Wire__V1__Cancel *m =
        (Civicgrid__Wire__V1__Cancel *)unpack(c, &civicgrid__wire__v1__cancel__descriptor, h, payload);
    if (m == NULL) return;
    cw_code code = m->code == 0 ? CW_CANCELLED : cw_code_from_wire(m->code);
    char msg[300];
    snprintf(msg, sizeof msg, "cancelled by the server%s%s", m->message && *m->message ? ": " : "",
             m->message ? m->message : "");
    protobuf_c_message_free_unpacked(&m->base, NULL);
    cw_call_finish(k, code, msg);
}

static void on_window_update(cw_conn *c, cw_call *k, const cw_frame_header *h, const uint8_t *payload) {
    Civicgrid__Wire__V1__WindowUpdate *w =
        (Civicgrid__Wire__V1__WindowUpdate *)unpack(c, &civicgrid__wire__v1__window_update__descriptor, h, payload);
    if (w == NULL) return;
    uint32_t inc = w->increment;
    protobuf_c_message_free_unpacked(&w->base, NULL);
    if (inc == 0 || k->send_window + (int64_t)inc > (int64_t)CW_MAX_WINDOW_SIZE) {
        cw_call_stream_error(k, CW_INTERNAL, "WINDOW_UPDATE increment %u invalid for window %lld", inc,
                             (long long)k->send_window);
        return;
    }
    k->send_window += inc;
    if (k->out_head || (k->close_queued && !k->close_sent)) cw_conn_queue_send(c, k);
}

static bool is_connection_frame(uint8_t type) {
    return type == CW_FRAME_SETTINGS || type == CW_FRAME_PING || type == CW_FRAME_GOAWAY;
}

void cw_conn_handle_frame(cw_conn *c, const cw_frame_header *h, const uint8_t *payload) {
    if (h->type < CW_FRAME_SETTINGS || h->type > CW_FRAME_HALF_CLOSE) {
        cw_conn_fail(c, CW_GOAWAY_PROTOCOL_ERROR, "unknown frame type 0x%02x", h->type);
        return;
    }
    if (is_connection_frame(h->type) != (h->stream_id == 0)) {
        cw_conn_fail(c, CW_GOAWAY_PROTOCOL_ERROR, "%s frame on stream %u", cw_frame_type_name(h->type), h->stream_id);
        return;
    }
    if (!c->got_settings && h->type != CW_FRAME_SETTINGS && h->type != CW_FRAME_GOAWAY) {
        cw_conn_fail(c, CW_GOAWAY_PROTOCOL_ERROR, "%s frame before the server's SETTINGS", cw_frame_type_name(h->type));
        return;
    }
    switch (h->type) {
    case CW_FRAME_SETTINGS: on_settings(c, h, payload); return;
    case CW_FRAME_PING: on_ping(c, h, payload); return;
    case CW_FRAME_GOAWAY: on_goaway(c, h, payload); return;
    default: break;
    }
    if (h->stream_id > c->last_id) {
        cw_conn_fail(c, CW_GOAWAY_PROTOCOL_ERROR, "%s frame for stream %u, which was never opened",
                     cw_frame_type_name(h->type), h->stream_id);
        return;
    }
    cw_call *k = cw_conn_find(c, h->stream_id);
    if (k == NULL) return; /* closed: frames may have crossed a CANCEL on the wire */
    switch (h->type) {
    case CW_FRAME_HEADERS: on_headers(c, k, h, payload); return;
    case CW_FRAME_MESSAGE: on_message(c, k, h, payload); return;
    case CW_FRAME_TRAILERS: on_trailers(c, k, h, payload); return;
    case CW_FRAME_CANCEL: on_cancel(c, k, h, payload); return;
    case CW_FRAME_WINDOW_UPDATE: on_window_update(c, k, h, payload); return;
    default: cw_call_stream_error(k, CW_INTERNAL, "server sent HALF_CLOSE"); return;
    }
}
