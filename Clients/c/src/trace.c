/* W3C traceparent: random ids, formatting and parsing (include/civicwire/trace.h). */
#include "civicwire/trace.h"

#include <string.h>
#include <sys/random.h>

static bool all_zero(const uint8_t *bytes, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (bytes[i] != 0) return false;
    }
    return true;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Reads 2*len lowercase hex digits into bytes; false on any other character. */
static bool read_hex(const char *text, uint8_t *bytes, size_t len) {
    for (size_t i = 0; i < len; i++) {
        int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        bytes[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

static char *write_hex(char *out, const uint8_t *bytes, size_t len) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        *out++ = digits[bytes[i] >> 4];
        *out++ = digits[bytes[i] & 0x0f];
    }
    return out;
}

cw_code cw_trace_context_random(cw_trace_context *out) {
    if (out == NULL) return CW_INVALID_ARGUMENT;
    uint8_t bytes[24];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes) return CW_INTERNAL;
    memcpy(out->trace_id, bytes, 16);
    memcpy(out->span_id, bytes + 16, 8);
    if (all_zero(out->trace_id, 16)) out->trace_id[15] = 1;
    if (all_zero(out->span_id, 8)) out->span_id[7] = 1;
    out->sampled = true;
    return CW_OK;
}

cw_code cw_traceparent_format(const cw_trace_context *ctx, char *buf, size_t len) {
    if (ctx == NULL || buf == NULL || len <= CW_TRACEPARENT_LEN) return CW_INVALID_ARGUMENT;
    char *p = buf;
    memcpy(p, "00-", 3);
    p = write_hex(p + 3, ctx->trace_id, 16);
    *p++ = '-';
    p = write_hex(p, ctx->span_id, 8);
    *p++ = '-';
    uint8_t flags = ctx->sampled ? 1 : 0;
    p = write_hex(p, &flags, 1);
    *p = 0;
    return CW_OK;
}

cw_code cw_traceparent_parse(const char *text, cw_trace_context *out) {
    if (text == NULL || out == NULL) return CW_INVALID_ARGUMENT;
    cw_trace_context ctx;
    uint8_t flags;
    if (strlen(text) != CW_TRACEPARENT_LEN || memcmp(text, "00-", 3) != 0 || text[35] != '-' || text[52] != '-') {
        return CW_INVALID_ARGUMENT;
    }
    if (!read_hex(text + 3, ctx.trace_id, 16) || !read_hex(text + 36, ctx.span_id, 8) || !read_hex(text + 53, &flags, 1)) {
        return CW_INVALID_ARGUMENT;
    }
    if (all_zero(ctx.trace_id, 16) || all_zero(ctx.span_id, 8)) return CW_INVALID_ARGUMENT;
    ctx.sampled = (flags & 1) != 0;
    *out = ctx;
    return CW_OK;
}
