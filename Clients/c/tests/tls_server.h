/*
 * A one-connection CivicWire server in a child process, over TLS (OpenSSL) or plaintext, on
 * a loopback address of the test's choice: enough of a server for the client's TLS and
 * address handling (it answers the handshake and reads until the client leaves).
 */
#ifndef CIVICWIRE_TESTS_TLS_SERVER_H
#define CIVICWIRE_TESTS_TLS_SERVER_H

#include <stdbool.h>
#include <sys/types.h>

typedef struct ts_opts {
    const char *host;         /* address to bind, "127.0.0.1" or "::1" */
    const char *certs;        /* ops/certs directory */
    const char *cert;         /* server certificate name in it ("server"); NULL: plaintext */
    bool require_client_cert; /* of ca.pem */
} ts_opts;

/* How the child ended. */
enum {
    TS_OK = 0,           /* handshake done (ALPN civicwire/1 under TLS), the client left */
    TS_TLS_FAILED = 1,   /* the TLS handshake failed */
    TS_WRONG_ALPN = 2,   /* TLS without ALPN civicwire/1 */
    TS_SETUP_FAILED = 3, /* socket, certificate or key trouble */
};

typedef struct ts_server {
    pid_t pid;
    char port[16];
} ts_server;

/* Binds, forks the child and returns at once; false when it could not. */
bool ts_start(ts_server *s, const ts_opts *o);
/* Waits up to 90 s for the child (then kills it); its TS_* code, or -1. */
int ts_wait(ts_server *s);

#endif
