/* W3C trace context: a call's traceparent (version 00), made, parsed and formatted here and
 * sent with cw_call_opts.traceparent, so the server's span joins the caller's trace. */
#ifndef CIVICWIRE_TRACE_H
#define CIVICWIRE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "civicwire/status.h"

/* Length of a version-00 traceparent, "00-<32 hex>-<16 hex>-<2 hex>", without its NUL. */
#define CW_TRACEPARENT_LEN 55

typedef struct cw_trace_context {
    uint8_t trace_id[16]; /* never all zero */
    uint8_t span_id[8];   /* the caller's span: the server's span is its child; never all zero */
    bool sampled;
} cw_trace_context;

/* Fresh random ids from the system's random source, sampled. CW_INTERNAL when it fails. */
cw_code cw_trace_context_random(cw_trace_context *out);

/* Writes the traceparent and a NUL into buf; CW_INVALID_ARGUMENT when len <= CW_TRACEPARENT_LEN. */
cw_code cw_traceparent_format(const cw_trace_context *ctx, char *buf, size_t len);

/* Parses a version-00 traceparent (lowercase hex, non-zero ids); CW_INVALID_ARGUMENT when malformed. */
cw_code cw_traceparent_parse(const char *text, cw_trace_context *out);

#endif
