/* The server a conformance run talks to, shared by its case files. */
#ifndef CIVICWIRE_TESTS_CONFORMANCE_TARGET_H
#define CIVICWIRE_TESTS_CONFORMANCE_TARGET_H

#include <stddef.h>
#include <sys/types.h>

#include "check.h"

typedef struct target {
    char host[256];
    char port[16];
    pid_t server_pid; /* for graceful_drain, which stops the server */
} target;

/* The protocol-point cases (PROTOCOL.md section 8), each with arg = the target; returns the count. */
size_t conformance_points(check_case *out, const target *tg);

#endif
