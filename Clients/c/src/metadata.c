#include "civicwire/metadata.h"

#include <stdlib.h>
#include <string.h>

void cw_metadata_init(cw_metadata *md) {
    md->entries = NULL;
    md->count = 0;
    md->cap = 0;
}

void cw_metadata_clear(cw_metadata *md) {
    for (size_t i = 0; i < md->count; i++) {
        free(md->entries[i].key);
        free(md->entries[i].value);
    }
    free(md->entries);
    cw_metadata_init(md);
}

bool cw_metadata_key_is_binary(const char *key, size_t key_len) {
    return key_len >= 4 && memcmp(key + key_len - 4, "-bin", 4) == 0;
}

bool cw_metadata_key_is_valid(const char *key, size_t key_len) {
    if (key_len == 0 || key_len > CW_METADATA_MAX_KEY) return false;
    for (size_t i = 0; i < key_len; i++) {
        char c = key[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok) return false;
    }
    return true;
}

bool cw_metadata_key_is_reserved(const char *key, size_t key_len) {
    return key_len >= 5 && memcmp(key, "grpc-", 5) == 0;
}

bool cw_metadata_value_is_printable(const uint8_t *value, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (value[i] < 0x20 || value[i] > 0x7e) return false;
    }
    return true;
}

cw_code cw_metadata_add(cw_metadata *md, const char *key, const void *value, size_t value_len) {
    if (key == NULL || (value == NULL && value_len > 0)) return CW_INVALID_ARGUMENT;
    size_t key_len = strlen(key);
    if (!cw_metadata_key_is_valid(key, key_len) || cw_metadata_key_is_reserved(key, key_len)) {
        return CW_INVALID_ARGUMENT;
    }
    if (!cw_metadata_key_is_binary(key, key_len) && !cw_metadata_value_is_printable(value, value_len)) {
        return CW_INVALID_ARGUMENT;
    }
    if (md->count >= CW_METADATA_MAX_ENTRIES) return CW_RESOURCE_EXHAUSTED;
    if (md->count == md->cap) {
        size_t cap = md->cap ? md->cap * 2 : 4;
        cw_md_entry *e = realloc(md->entries, cap * sizeof *e);
        if (e == NULL) return CW_RESOURCE_EXHAUSTED;
        md->entries = e;
        md->cap = cap;
    }
    char *k = malloc(key_len + 1);
    uint8_t *v = malloc(value_len + 1);
    if (k == NULL || v == NULL) {
        free(k);
        free(v);
        return CW_RESOURCE_EXHAUSTED;
    }
    memcpy(k, key, key_len + 1);
    if (value_len > 0) memcpy(v, value, value_len);
    v[value_len] = 0;
    md->entries[md->count++] = (cw_md_entry){.key = k, .value = v, .value_len = value_len};
    return CW_OK;
}

cw_code cw_metadata_add_string(cw_metadata *md, const char *key, const char *value) {
    if (value == NULL) return CW_INVALID_ARGUMENT;
    return cw_metadata_add(md, key, value, strlen(value));
}

cw_code cw_metadata_copy(cw_metadata *dst, const cw_metadata *src) {
    for (size_t i = 0; src != NULL && i < src->count; i++) {
        cw_code rc = cw_metadata_add(dst, src->entries[i].key, src->entries[i].value, src->entries[i].value_len);
        if (rc != CW_OK) return rc;
    }
    return CW_OK;
}

const cw_md_entry *cw_metadata_find(const cw_metadata *md, const char *key) {
    for (size_t i = 0; i < md->count; i++) {
        if (strcmp(md->entries[i].key, key) == 0) return &md->entries[i];
    }
    return NULL;
}
