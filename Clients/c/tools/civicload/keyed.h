/*
 * Keyed calls and their retries (--key-field, --retry, --ack-log): each logical call carries a
 * unique idempotency key inside its request message, so retrying it after UNAVAILABLE,
 * DEADLINE_EXCEEDED or ABORTED can never make a second case. Pure functions, no sockets.
 */
#ifndef CIVICLOAD_KEYED_H
#define CIVICLOAD_KEYED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest key civicload makes: the prefix (at most KEY_PREFIX_MAX) and a decimal counter. */
#define KEY_PREFIX_MAX 40
#define KEY_MAX (KEY_PREFIX_MAX + 20)
/* What appending one key adds to a message at most: tag (5) + length (1) + key. */
#define KEY_FIELD_OVERHEAD (5 + 1 + KEY_MAX)
#define KEY_FIELD_MAX 536870911u /* protobuf's largest field number, 2^29 - 1 */

/*
 * Writes msg followed by string field `field` = key into out (capacity cap) and sets *out_len.
 * Protobuf parsers keep the last value of a repeated scalar field, so the appended key wins
 * over any value msg already has. False when out is too small or field is out of range.
 */
bool keyed_append(const uint8_t *msg, size_t len, uint32_t field, const char *key, uint8_t *out, size_t cap,
                  size_t *out_len);

/* The codes after which the same keyed request may be sent again. */
bool keyed_retryable(int code);

/*
 * The pause before retry number `attempt` (1 for the first retry): full jitter over an
 * exponential ceiling, 50 ms doubling to 2 s, as gRPC's connection backoff does; *rng is a
 * xorshift state, never 0.
 */
int64_t keyed_backoff_ns(uint32_t attempt, uint64_t *rng);

#endif
