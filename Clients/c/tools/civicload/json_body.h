/* civicload's JSON request bodies: encoded to binary protobuf by `civicctl encode`, run as a child. */
#ifndef CIVICLOAD_JSON_BODY_H
#define CIVICLOAD_JSON_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Runs `ENCODER encode METHOD --data JSON` (ENCODER: $CIVICLOAD_ENCODER, else civicctl on
 * PATH) and takes its standard output, at most `limit` bytes, as the request. On failure
 * returns false with err saying why (the encoder's own message when it printed one).
 * method is package.Service/Method, with or without the leading '/'.
 */
bool json_body_encode(const char *method, const char *json, size_t limit, uint8_t **out, size_t *len, char *err,
                      size_t err_len);

#endif
