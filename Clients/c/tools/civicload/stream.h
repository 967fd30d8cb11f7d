/*
 * Client streaming (--messages N): the request queued N times on one call, then the
 * half-close. The call holds at most the server's max_message_size of unsent data, so
 * queueing stops with CW_AGAIN and resumes after the connection has been stepped.
 */
#ifndef CIVICLOAD_STREAM_H
#define CIVICLOAD_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "civicwire/call.h"

#define MAX_MESSAGES_PER_CALL 1000000u

/*
 * Queues `msg` on `call` while *left > 0 (counting it down), then half-closes. Returns CW_OK
 * once everything is queued and the half-close with it; CW_AGAIN when the call holds all the
 * unsent data it may (step the connection, then call again with the same *left); any other
 * code is the call's failure.
 */
cw_code stream_send(cw_call *call, const uint8_t *msg, size_t len, uint32_t *left);

#endif
