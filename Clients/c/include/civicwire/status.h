/* Status codes and call status: how every libcivicwire function reports errors. */
#ifndef CIVICWIRE_STATUS_H
#define CIVICWIRE_STATUS_H

#include <stddef.h>
#include <stdint.h>

/*
 * gRPC status codes (docs/PROTOCOL.md section 3.4). Every fallible libcivicwire
 * function returns one of these; CW_OK means success. CW_AGAIN is not a gRPC code:
 * a non-blocking function returns it when nothing is available yet.
 */
typedef enum cw_code {
    CW_AGAIN = -1,
    CW_OK = 0,
    CW_CANCELLED = 1,
    CW_UNKNOWN = 2,
    CW_INVALID_ARGUMENT = 3,
    CW_DEADLINE_EXCEEDED = 4,
    CW_NOT_FOUND = 5,
    CW_ALREADY_EXISTS = 6,
    CW_PERMISSION_DENIED = 7,
    CW_RESOURCE_EXHAUSTED = 8,
    CW_FAILED_PRECONDITION = 9,
    CW_ABORTED = 10,
    CW_OUT_OF_RANGE = 11,
    CW_UNIMPLEMENTED = 12,
    CW_INTERNAL = 13,
    CW_UNAVAILABLE = 14,
    CW_DATA_LOSS = 15,
    CW_UNAUTHENTICATED = 16
} cw_code;

#define CW_CODE_MAX 16

/* Upper-case gRPC name of a code ("OK", "DEADLINE_EXCEEDED"); "AGAIN" or "INVALID" outside. */
const char *cw_code_name(int code);

/* Maps a code received from a peer into range: anything above 16 becomes UNKNOWN. */
cw_code cw_code_from_wire(uint32_t code);

/* A call's final status. Strings and bytes are owned by the call that holds it. */
typedef struct cw_status {
    cw_code code;
    char *message;        /* UTF-8, NUL-terminated, never NULL once the call is done */
    uint8_t *details;     /* encoded google.rpc.Status, may be NULL */
    size_t details_len;
} cw_status;

#endif
