#include "keyed.h"

#include <string.h>

#include "civicwire/status.h"

static size_t put_varint(uint8_t *out, uint64_t v) {
    size_t n = 0;
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        out[n++] = byte | (v ? 0x80 : 0);
    } while (v);
    return n;
}

bool keyed_append(const uint8_t *msg, size_t len, uint32_t field, const char *key, uint8_t *out, size_t cap,
                  size_t *out_len) {
    size_t key_len = strlen(key);
    if (field == 0 || field > KEY_FIELD_MAX || key_len > KEY_MAX) return false;
    uint8_t head[16];
    size_t head_len = put_varint(head, ((uint64_t)field << 3) | 2); /* wire type 2: length-delimited */
    head_len += put_varint(head + head_len, key_len);
    if (len > cap || cap - len < head_len + key_len) return false;
    if (len) memmove(out, msg, len);
    memcpy(out + len, head, head_len);
    memcpy(out + len + head_len, key, key_len);
    *out_len = len + head_len + key_len;
    return true;
}

bool keyed_retryable(int code) {
    return code == CW_UNAVAILABLE || code == CW_DEADLINE_EXCEEDED || code == CW_ABORTED;
}

int64_t keyed_backoff_ns(uint32_t attempt, uint64_t *rng) {
    const int64_t base = 50000000, cap = 2000000000;
    int64_t ceiling = base;
    for (uint32_t i = 1; i < attempt && ceiling < cap; i++) ceiling *= 2;
    if (ceiling > cap) ceiling = cap;
    uint64_t x = *rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *rng = x;
    return (int64_t)(x % (uint64_t)ceiling) + 1;
}
