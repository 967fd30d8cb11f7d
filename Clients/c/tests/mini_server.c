/*
 * A minimal CivicWire server for developing civicload without civicgridd: it
 * answers every call, once the client half-closes, with an empty HEADERS, an empty
 * MESSAGE and TRAILERS OK. Single-threaded, loopback, prints its port. Not a
 * conformance reference: it skips flow control and most validation.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "civicwire/frame.h"

#define MAX_CLIENTS 64
#define RBUF 200000

typedef struct client {
    int fd;
    bool preface;
    size_t len;
    uint8_t buf[RBUF];
    uint8_t out[RBUF];
    size_t out_len;
} client;

static void put(client *c, uint8_t type, uint8_t flags, uint32_t id, const uint8_t *p, size_t n) {
    if (c->out_len + CW_FRAME_HEADER_SIZE + n > sizeof c->out) return;
    cw_frame_header h = {.length = (uint32_t)n, .type = type, .flags = flags, .stream_id = id};
    cw_frame_header_encode(&h, c->out + c->out_len);
    memcpy(c->out + c->out_len + CW_FRAME_HEADER_SIZE, p, n);
    c->out_len += CW_FRAME_HEADER_SIZE + n;
}

static bool serve(client *c) {
    ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
    if (n <= 0) return false;
    c->len += (size_t)n;
    size_t off = 0;
    if (!c->preface) {
        if (c->len < CW_PREFACE_SIZE) return true;
        off = CW_PREFACE_SIZE;
        c->preface = true;
        memcpy(c->out, CW_PREFACE, CW_PREFACE_SIZE);
        c->out_len = CW_PREFACE_SIZE;
        put(c, CW_FRAME_SETTINGS, 0, 0, NULL, 0);
    }
    while (c->len - off >= CW_FRAME_HEADER_SIZE) {
        cw_frame_header h;
        cw_frame_header_decode(c->buf + off, &h);
        if (h.length > 65536) return false;
        if (c->len - off < CW_FRAME_HEADER_SIZE + h.length) break;
        const uint8_t *p = c->buf + off + CW_FRAME_HEADER_SIZE;
        if (h.type == CW_FRAME_SETTINGS && !(h.flags & CW_FLAG_ACK)) put(c, CW_FRAME_SETTINGS, CW_FLAG_ACK, 0, NULL, 0);
        if (h.type == CW_FRAME_PING && !(h.flags & CW_FLAG_ACK)) put(c, CW_FRAME_PING, CW_FLAG_ACK, 0, p, h.length);
        if (h.type == CW_FRAME_GOAWAY) return false;
        if (h.type == CW_FRAME_HALF_CLOSE) {
            put(c, CW_FRAME_HEADERS, 0, h.stream_id, NULL, 0);
            put(c, CW_FRAME_MESSAGE, 0, h.stream_id, NULL, 0);
            put(c, CW_FRAME_TRAILERS, 0, h.stream_id, NULL, 0);
        }
        off += CW_FRAME_HEADER_SIZE + h.length;
    }
    memmove(c->buf, c->buf + off, c->len - off);
    c->len -= off;
    size_t sent = 0;
    while (sent < c->out_len) {
        ssize_t w = send(c->fd, c->out + sent, c->out_len - sent, MSG_NOSIGNAL);
        if (w <= 0) return false;
        sent += (size_t)w;
    }
    c->out_len = 0;
    return true;
}

int main(void) {
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 16) < 0) return 1;
    getsockname(ls, (struct sockaddr *)&a, &al);
    printf("%d\n", ntohs(a.sin_port));
    fflush(stdout);
    client *clients[MAX_CLIENTS] = {0};
    struct pollfd pfds[MAX_CLIENTS + 1];
    for (;;) {
        pfds[0] = (struct pollfd){.fd = ls, .events = POLLIN};
        for (int i = 0; i < MAX_CLIENTS; i++) {
            pfds[i + 1] = (struct pollfd){.fd = clients[i] ? clients[i]->fd : -1, .events = POLLIN};
        }
        if (poll(pfds, MAX_CLIENTS + 1, -1) < 0) return 1;
        if (pfds[0].revents & POLLIN) {
            int fd = accept(ls, NULL, NULL);
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            int i = 0;
            while (i < MAX_CLIENTS && clients[i]) i++;
            if (fd >= 0 && i < MAX_CLIENTS && (clients[i] = calloc(1, sizeof(client))) != NULL) clients[i]->fd = fd;
            else if (fd >= 0) close(fd);
        }
        for (int i = 0; i < MAX_CLIENTS; i++) {
            if (clients[i] && pfds[i + 1].revents && !serve(clients[i])) {
                close(clients[i]->fd);
                free(clients[i]);
                clients[i] = NULL;
            }
        }
    }
}
