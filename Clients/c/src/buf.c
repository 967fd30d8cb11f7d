#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

void cw_buf_init(cw_buf *b, size_t limit) {
    *b = (cw_buf){.limit = limit};
}

void cw_buf_free(cw_buf *b) {
    free(b->data);
    cw_buf_init(b, b->limit);
}

size_t cw_buf_size(const cw_buf *b) {
    return b->len - b->off;
}

uint8_t *cw_buf_reserve(cw_buf *b, size_t n) {
    size_t used = b->len - b->off;
    if (n > b->limit - used) return NULL;
    if (b->cap - b->len >= n) return b->data + b->len;
    if (b->off > 0) { /* compact before growing */
        memmove(b->data, b->data + b->off, used);
        b->len = used;
        b->off = 0;
        if (b->cap - b->len >= n) return b->data + b->len;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap - used < n) cap *= 2;
    if (cap > b->limit && b->limit >= used + n) cap = b->limit;
    uint8_t *d = realloc(b->data, cap);
    if (d == NULL) return NULL;
    b->data = d;
    b->cap = cap;
    return b->data + b->len;
}

bool cw_buf_append(cw_buf *b, const void *p, size_t n) {
    uint8_t *dst = cw_buf_reserve(b, n);
    if (dst == NULL) return false;
    if (n > 0) memcpy(dst, p, n);
    b->len += n;
    return true;
}

void cw_buf_consume(cw_buf *b, size_t n) {
    b->off += n;
    if (b->off == b->len) b->off = b->len = 0;
}

uint8_t *cw_buf_steal(cw_buf *b, size_t *len) {
    size_t n = cw_buf_size(b);
    uint8_t *out;
    if (b->off == 0 && b->data != NULL) {
        out = b->data;
        b->data = NULL;
        b->cap = 0;
    } else {
        out = malloc(n ? n : 1);
        if (out != NULL && n > 0) memcpy(out, b->data + b->off, n);
        free(b->data);
        b->data = NULL;
        b->cap = 0;
    }
    b->off = b->len = 0;
    *len = n;
    return out;
}

int64_t cw_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
