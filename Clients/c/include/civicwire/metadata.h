/* Call metadata: ordered key/value lists with CivicWire's key and value rules. */
#ifndef CIVICWIRE_METADATA_H
#define CIVICWIRE_METADATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "civicwire/status.h"

/* Most entries one list holds; adding more returns CW_RESOURCE_EXHAUSTED. */
#define CW_METADATA_MAX_ENTRIES 1024
/* Longest key in bytes (docs/PROTOCOL.md section 4). */
#define CW_METADATA_MAX_KEY 255

/*
 * One entry. `value` is NUL-terminated for convenience, but a "-bin" value may
 * itself contain NUL bytes: use value_len.
 */
typedef struct cw_md_entry {
    char *key;
    uint8_t *value;
    size_t value_len;
} cw_md_entry;

typedef struct cw_metadata {
    cw_md_entry *entries;
    size_t count;
    size_t cap;
} cw_metadata;

void cw_metadata_init(cw_metadata *md);
/* Frees every entry; the list is empty and reusable afterwards. */
void cw_metadata_clear(cw_metadata *md);

/*
 * Appends a copy of key/value. Returns CW_INVALID_ARGUMENT when the key breaks
 * the rules (1..255 bytes of a-z 0-9 - _ .), is reserved ("grpc-"), or when a
 * non-"-bin" value is not printable ASCII; CW_RESOURCE_EXHAUSTED when full.
 */
cw_code cw_metadata_add(cw_metadata *md, const char *key, const void *value, size_t value_len);
cw_code cw_metadata_add_string(cw_metadata *md, const char *key, const char *value);

/* Appends copies of every entry of src. */
cw_code cw_metadata_copy(cw_metadata *dst, const cw_metadata *src);

/* First entry with this key, or NULL. */
const cw_md_entry *cw_metadata_find(const cw_metadata *md, const char *key);

/* True when the key ends in "-bin" and so carries binary values. */
bool cw_metadata_key_is_binary(const char *key, size_t key_len);
/* True when the key is well-formed (section 4), reserved or not. */
bool cw_metadata_key_is_valid(const char *key, size_t key_len);
/* True for keys a receiver drops: "grpc-..." (pseudo-headers fail key validation). */
bool cw_metadata_key_is_reserved(const char *key, size_t key_len);
/* True when every byte is printable ASCII (0x20..0x7E). */
bool cw_metadata_value_is_printable(const uint8_t *value, size_t len);

#endif
