/* Blocking unary calls: the simplest way to use libcivicwire. */
#ifndef CIVICWIRE_UNARY_H
#define CIVICWIRE_UNARY_H

#include <stddef.h>
#include <stdint.h>

#include "civicwire/call.h"

/* What a unary call returned. Release with cw_unary_result_free. */
typedef struct cw_unary_result {
    cw_status status;
    uint8_t *response; /* NULL unless status.code is CW_OK */
    size_t response_len;
    cw_metadata initial_metadata;
    cw_metadata trailing_metadata;
} cw_unary_result;

/*
 * Sends one request, waits for the response and status, and returns the status
 * code (also in out->status). out is always initialised and must be freed.
 * A status OK without exactly one response message becomes CW_INTERNAL.
 */
cw_code cw_unary(cw_conn *conn, const char *method, const void *req, size_t req_len,
                 const cw_call_opts *opts, cw_unary_result *out);

void cw_unary_result_free(cw_unary_result *r);

#endif
