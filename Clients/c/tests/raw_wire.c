#include "raw_wire.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "civicgrid/wire/v1/wire.pb-c.h"

int raw_connect(const char *host, const char *port) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(host, port, &hints, &res) != 0) return -1;
    int fd = -1;
    for (struct addrinfo *a = res; a != NULL && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd >= 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
}

bool raw_handshake(int fd) {
    fs_script s = {0};
    fs_append(&s, CW_PREFACE, CW_PREFACE_SIZE);
    fs_frame(&s, CW_FRAME_SETTINGS, 0, 0, NULL, 0);
    bool ok = fs_send(fd, &s) && fs_read_preface(fd, 5000);
    fs_free(&s);
    fs_frame_in f;
    while (ok) {
        ok = fs_read_frame(fd, &f, 5000);
        if (ok && f.h.type == CW_FRAME_SETTINGS && (f.h.flags & CW_FLAG_ACK)) return true;
    }
    return false;
}

bool raw_next_of(int fd, uint8_t type, fs_frame_in *f, int timeout_ms) {
    for (int i = 0; i < 100000; i++) {
        if (!fs_read_frame(fd, f, timeout_ms)) return false;
        if (f->h.type == type) return true;
    }
    return false;
}

bool raw_trailers(int fd, uint32_t stream, uint32_t *code, int timeout_ms) {
    static fs_frame_in f; /* large: kept off the stack; the tests run one at a time */
    while (raw_next_of(fd, CW_FRAME_TRAILERS, &f, timeout_ms)) {
        if (f.h.stream_id != stream) continue;
        Civicgrid__Wire__V1__Trailers *t = civicgrid__wire__v1__trailers__unpack(NULL, f.h.length, f.payload);
        if (t == NULL) return false;
        *code = t->code;
        civicgrid__wire__v1__trailers__free_unpacked(t, NULL);
        return true;
    }
    return false;
}

bool raw_goaway(int fd, uint32_t *code, uint32_t *last_id, int timeout_ms) {
    static fs_frame_in f;
    if (!raw_next_of(fd, CW_FRAME_GOAWAY, &f, timeout_ms)) return false;
    Civicgrid__Wire__V1__GoAway *g = civicgrid__wire__v1__go_away__unpack(NULL, f.h.length, f.payload);
    if (g == NULL) return false;
    *code = g->error_code;
    *last_id = g->last_stream_id;
    civicgrid__wire__v1__go_away__free_unpacked(g, NULL);
    return true;
}

void raw_headers(fs_script *s, uint32_t stream, const char *method) {
    Civicgrid__Wire__V1__Headers h = CIVICGRID__WIRE__V1__HEADERS__INIT;
    h.method = (char *)method;
    fs_frame_msg(s, CW_FRAME_HEADERS, 0, stream, &h.base);
}

void raw_unary(fs_script *s, uint32_t stream, const char *method, const ProtobufCMessage *request) {
    raw_headers(s, stream, method);
    fs_frame_msg(s, CW_FRAME_MESSAGE, 0, stream, request);
    fs_frame(s, CW_FRAME_HALF_CLOSE, 0, stream, NULL, 0);
}

void raw_ping(fs_script *s, uint64_t opaque) {
    Civicgrid__Wire__V1__Ping p = CIVICGRID__WIRE__V1__PING__INIT;
    p.opaque = opaque;
    fs_frame_msg(s, CW_FRAME_PING, 0, 0, &p.base);
}

bool raw_wait_close(int fd, int timeout_ms) {
    uint8_t drop[4096];
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, timeout_ms) <= 0) return false;
        ssize_t n = recv(fd, drop, sizeof drop, 0);
        if (n == 0) return true;
        if (n < 0) return false;
    }
}

int raw_local_port(int fd) {
    struct sockaddr_storage a;
    socklen_t len = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &len) != 0) return -1;
    if (a.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&a)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&a)->sin6_port);
}
