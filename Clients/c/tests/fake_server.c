#include "fake_server.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "civicgrid/wire/v1/wire.pb-c.h"

static bool write_all(int fd, const uint8_t *p, size_t n);

void fs_append(fs_script *s, const void *p, size_t n) {
    if (s->len + n > s->cap) {
        size_t cap = s->cap ? s->cap : 256;
        while (cap < s->len + n) cap *= 2;
        uint8_t *d = realloc(s->data, cap);
        if (d == NULL) abort(); /* test code: out of memory is fatal */
        s->data = d;
        s->cap = cap;
    }
    if (n) memcpy(s->data + s->len, p, n);
    s->len += n;
}

void fs_frame(fs_script *s, uint8_t type, uint8_t flags, uint32_t id, const void *payload, size_t len) {
    uint8_t hdr[CW_FRAME_HEADER_SIZE];
    cw_frame_header h = {.length = (uint32_t)len, .type = type, .flags = flags, .stream_id = id};
    cw_frame_header_encode(&h, hdr);
    fs_append(s, hdr, sizeof hdr);
    fs_append(s, payload, len);
}

void fs_frame_msg(fs_script *s, uint8_t type, uint8_t flags, uint32_t id, const ProtobufCMessage *m) {
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(n ? n : 1);
    if (buf == NULL) abort();
    protobuf_c_message_pack(m, buf);
    fs_frame(s, type, flags, id, buf, n);
    free(buf);
}

void fs_handshake(fs_script *s, const ProtobufCMessage *settings) {
    fs_append(s, CW_PREFACE, CW_PREFACE_SIZE);
    if (settings) fs_frame_msg(s, CW_FRAME_SETTINGS, 0, 0, settings);
    else fs_frame(s, CW_FRAME_SETTINGS, 0, 0, NULL, 0);
    fs_frame(s, CW_FRAME_SETTINGS, CW_FLAG_ACK, 0, NULL, 0);
    s->split = s->len;
}

void fs_trailers(fs_script *s, uint32_t id, uint32_t code, const char *message) {
    Civicgrid__Wire__V1__Trailers t = CIVICGRID__WIRE__V1__TRAILERS__INIT;
    t.code = code;
    t.message = (char *)message;
    fs_frame_msg(s, CW_FRAME_TRAILERS, 0, id, &t.base);
}

void fs_unary_answer(fs_script *s, uint32_t id, const void *body, size_t len) {
    fs_frame(s, CW_FRAME_HEADERS, 0, id, NULL, 0);
    fs_frame(s, CW_FRAME_MESSAGE, 0, id, body, len);
    fs_trailers(s, id, 0, "");
}

void fs_free(fs_script *s) {
    free(s->data);
    memset(s, 0, sizeof *s);
}

bool fs_pair(const cw_conn_opts *opts, cw_conn **conn, int *server_fd) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) return false;
    if (cw_conn_attach(sv[0], opts, conn) != CW_OK) {
        close(sv[0]);
        close(sv[1]);
        return false;
    }
    *server_fd = sv[1];
    return true;
}

bool fs_send(int fd, const fs_script *s) {
    return write_all(fd, s->data, s->len);
}

static bool write_all(int fd, const uint8_t *p, size_t n) {
    size_t off = 0;
    while (off < n) {
        ssize_t w = send(fd, p + off, n - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        off += (size_t)w;
    }
    return true;
}

bool fs_send_split(int fd, cw_conn *conn, const fs_script *s, bool eof) {
    size_t split = s->split < s->len ? s->split : s->len;
    bool ok = write_all(fd, s->data, split);
    for (int i = 0; i < 3; i++) cw_conn_step(conn, 0);
    ok = ok && write_all(fd, s->data + split, s->len - split);
    if (eof) shutdown(fd, SHUT_WR);
    return ok;
}

static bool read_exact(int fd, uint8_t *p, size_t n, int timeout_ms) {
    size_t got = 0;
    while (got < n) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, timeout_ms) <= 0) return false;
        ssize_t r = recv(fd, p + got, n - got, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        got += (size_t)r;
    }
    return true;
}

bool fs_read_preface(int fd, int timeout_ms) {
    uint8_t p[CW_PREFACE_SIZE];
    return read_exact(fd, p, sizeof p, timeout_ms) && memcmp(p, CW_PREFACE, CW_PREFACE_SIZE) == 0;
}

bool fs_read_frame(int fd, fs_frame_in *f, int timeout_ms) {
    uint8_t hdr[CW_FRAME_HEADER_SIZE];
    if (!read_exact(fd, hdr, sizeof hdr, timeout_ms)) return false;
    cw_frame_header_decode(hdr, &f->h);
    if (f->h.length > sizeof f->payload) return false;
    return read_exact(fd, f->payload, f->h.length, timeout_ms);
}

bool fs_expect(int fd, cw_conn *conn, uint8_t type, fs_frame_in *f, int timeout_ms) {
    for (int i = 0; i < 1000; i++) {
        if (conn) cw_conn_step(conn, 0);
        if (!fs_read_frame(fd, f, timeout_ms)) return false;
        if (f->h.type == type) return true;
    }
    return false;
}
