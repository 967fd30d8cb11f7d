/*
 * A fake CivicWire server for tests: the test owns the server end of a socketpair
 * (blocking), writes scripted frames into it and reads what the client sent.
 */
#ifndef CIVICWIRE_TESTS_FAKE_SERVER_H
#define CIVICWIRE_TESTS_FAKE_SERVER_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "civicwire/civicwire.h"

/* A growable script of server bytes. */
typedef struct fs_script {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t split; /* end of the handshake: a client opens streams only after it */
} fs_script;

void fs_append(fs_script *s, const void *p, size_t n);
void fs_frame(fs_script *s, uint8_t type, uint8_t flags, uint32_t id, const void *payload, size_t len);
void fs_frame_msg(fs_script *s, uint8_t type, uint8_t flags, uint32_t id, const ProtobufCMessage *m);
/* Preface plus a SETTINGS frame (NULL: empty settings) and an ACK of the client's; sets split. */
void fs_handshake(fs_script *s, const ProtobufCMessage *settings);
void fs_trailers(fs_script *s, uint32_t id, uint32_t code, const char *message);
/* HEADERS {} + MESSAGE(body) + TRAILERS{code 0}: a whole unary answer. */
void fs_unary_answer(fs_script *s, uint32_t id, const void *body, size_t len);
void fs_free(fs_script *s);

/* socketpair: the client end attached to a new connection, the server end in *server_fd. */
bool fs_pair(const cw_conn_opts *opts, cw_conn **conn, int *server_fd);
/* Writes the whole script to the server end. */
bool fs_send(int server_fd, const fs_script *s);
/*
 * Writes the handshake part, lets the client process it (so that its next call
 * gets stream 1), then writes the rest; with eof the server end is shut down.
 */
bool fs_send_split(int server_fd, cw_conn *conn, const fs_script *s, bool eof);

/* One frame the client sent. */
typedef struct fs_frame_in {
    cw_frame_header h;
    uint8_t payload[70000];
} fs_frame_in;

/* Reads the client's preface (true when it is correct). */
bool fs_read_preface(int server_fd, int timeout_ms);
/* Reads one client frame within timeout_ms; false on timeout, EOF or an oversized frame. */
bool fs_read_frame(int server_fd, fs_frame_in *f, int timeout_ms);
/* Steps the client without blocking, then reads client frames until one of `type` arrives. */
bool fs_expect(int server_fd, cw_conn *conn, uint8_t type, fs_frame_in *f, int timeout_ms);

#endif
