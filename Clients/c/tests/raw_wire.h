/*
 * A hand-driven CivicWire client for conformance cases that must send exactly the frames
 * they choose to a real server: a blocking loopback socket, scripts built with fs_script
 * (fake_server.h), and the server's frames read back one at a time.
 */
#ifndef CIVICWIRE_TESTS_RAW_WIRE_H
#define CIVICWIRE_TESTS_RAW_WIRE_H

#include <stdbool.h>
#include <stdint.h>

#include "fake_server.h"

/* Connects to host:port; -1 on failure. */
int raw_connect(const char *host, const char *port);
/* Sends preface and empty SETTINGS (never an ACK), reads the server's preface, SETTINGS and
 * the ACK of ours. */
bool raw_handshake(int fd);
/* Reads server frames until one of `type` (any stream) arrives; false on timeout or close. */
bool raw_next_of(int fd, uint8_t type, fs_frame_in *f, int timeout_ms);
/* Reads until the TRAILERS of `stream`; *code gets its status code. */
bool raw_trailers(int fd, uint32_t stream, uint32_t *code, int timeout_ms);
/* Reads until a GOAWAY; *code and *last_id get its fields. */
bool raw_goaway(int fd, uint32_t *code, uint32_t *last_id, int timeout_ms);
/* Appends HEADERS(method) + MESSAGE(request) + HALF_CLOSE on `stream`. */
void raw_unary(fs_script *s, uint32_t stream, const char *method, const ProtobufCMessage *request);
void raw_headers(fs_script *s, uint32_t stream, const char *method);
void raw_ping(fs_script *s, uint64_t opaque);
/* True when the server closes the connection within timeout_ms (input is dropped). */
bool raw_wait_close(int fd, int timeout_ms);
/* The socket's local port. */
int raw_local_port(int fd);

#endif
