/* Frame header codec, metadata rules and status names. */
#include <string.h>

#include "civicwire/civicwire.h"
#include "tests.h"

static void frame_header_roundtrip(check_ctx *t) {
    cw_frame_header h = {.length = 0x00012345, .type = CW_FRAME_MESSAGE, .flags = CW_FLAG_MORE, .stream_id = 7};
    uint8_t b[CW_FRAME_HEADER_SIZE];
    cw_frame_header_encode(&h, b);
    const uint8_t want[CW_FRAME_HEADER_SIZE] = {0, 1, 0x23, 0x45, 3, 1, 0, 0, 0, 0, 0, 7};
    CHECK(t, memcmp(b, want, sizeof want) == 0);
    cw_frame_header d;
    cw_frame_header_decode(b, &d);
    CHECK(t, d.length == h.length && d.type == h.type && d.flags == h.flags && d.stream_id == 7);
}

static void frame_header_reserved_bit(check_ctx *t) {
    const uint8_t b[CW_FRAME_HEADER_SIZE] = {0, 0, 0, 0, 2, 0, 0xff, 0xff, 0x80, 0, 0, 3};
    cw_frame_header d;
    cw_frame_header_decode(b, &d);
    CHECK(t, d.stream_id == 3);
    cw_frame_header h = {.type = 2, .stream_id = 0x80000005u};
    uint8_t e[CW_FRAME_HEADER_SIZE];
    cw_frame_header_encode(&h, e);
    CHECK(t, e[8] == 0 && e[11] == 5 && e[6] == 0 && e[7] == 0);
}

static void preface_bytes(check_ctx *t) {
    const uint8_t want[CW_PREFACE_SIZE] = {0x7f, 'C', 'G', 'W', 1, 0, 0, 0};
    CHECK(t, memcmp(CW_PREFACE, want, CW_PREFACE_SIZE) == 0);
}

static void metadata_rules(check_ctx *t) {
    cw_metadata md;
    cw_metadata_init(&md);
    CHECK(t, cw_metadata_add_string(&md, "x-civic-initial", "hello world") == CW_OK);
    CHECK(t, cw_metadata_add(&md, "x-civic-trailing-bin", "\x00\xff\x01", 3) == CW_OK);
    CHECK(t, cw_metadata_add_string(&md, "X-Upper", "v") == CW_INVALID_ARGUMENT);
    CHECK(t, cw_metadata_add_string(&md, "", "v") == CW_INVALID_ARGUMENT);
    CHECK(t, cw_metadata_add_string(&md, "grpc-timeout", "1S") == CW_INVALID_ARGUMENT);
    CHECK(t, cw_metadata_add_string(&md, ":path", "/x") == CW_INVALID_ARGUMENT);
    CHECK(t, cw_metadata_add(&md, "plain", "a\nb", 3) == CW_INVALID_ARGUMENT);
    CHECK(t, cw_metadata_add_string(&md, "x.y_z-0", "") == CW_OK);
    char longkey[300];
    memset(longkey, 'a', sizeof longkey);
    longkey[256] = 0;
    CHECK(t, cw_metadata_add_string(&md, longkey, "v") == CW_INVALID_ARGUMENT);
    longkey[255] = 0;
    CHECK(t, cw_metadata_add_string(&md, longkey, "v") == CW_OK);
    CHECK(t, md.count == 4);
    const cw_md_entry *e = cw_metadata_find(&md, "x-civic-trailing-bin");
    CHECK(t, e != NULL && e->value_len == 3 && e->value[1] == 0xff);
    CHECK(t, cw_metadata_find(&md, "absent") == NULL);
    cw_metadata copy;
    cw_metadata_init(&copy);
    CHECK(t, cw_metadata_copy(&copy, &md) == CW_OK && copy.count == 4);
    cw_metadata_clear(&copy);
    cw_metadata_clear(&md);
    CHECK(t, md.count == 0 && md.entries == NULL);
}

static void metadata_bounded(check_ctx *t) {
    cw_metadata md;
    cw_metadata_init(&md);
    cw_code rc = CW_OK;
    size_t added = 0;
    for (size_t i = 0; i < CW_METADATA_MAX_ENTRIES + 5 && rc == CW_OK; i++) {
        rc = cw_metadata_add_string(&md, "k", "v");
        if (rc == CW_OK) added++;
    }
    CHECK(t, rc == CW_RESOURCE_EXHAUSTED);
    CHECK(t, added == CW_METADATA_MAX_ENTRIES);
    cw_metadata_clear(&md);
}

static void status_names(check_ctx *t) {
    CHECK(t, strcmp(cw_code_name(CW_OK), "OK") == 0);
    CHECK(t, strcmp(cw_code_name(CW_DEADLINE_EXCEEDED), "DEADLINE_EXCEEDED") == 0);
    CHECK(t, strcmp(cw_code_name(16), "UNAUTHENTICATED") == 0);
    CHECK(t, strcmp(cw_code_name(17), "INVALID") == 0);
    CHECK(t, cw_code_from_wire(99) == CW_UNKNOWN);
    CHECK(t, cw_code_from_wire(12) == CW_UNIMPLEMENTED);
    CHECK(t, strcmp(cw_goaway_code_name(5), "ENHANCE_YOUR_CALM") == 0);
    CHECK(t, strcmp(cw_frame_type_name(0x09), "HALF_CLOSE") == 0);
}

size_t codec_tests(check_case *out) {
    const check_case cases[] = {
        {"codec/frame_header_roundtrip", frame_header_roundtrip, NULL},
        {"codec/frame_header_reserved_bit", frame_header_reserved_bit, NULL},
        {"codec/preface_bytes", preface_bytes, NULL},
        {"codec/metadata_rules", metadata_rules, NULL},
        {"codec/metadata_bounded", metadata_bounded, NULL},
        {"codec/status_names", status_names, NULL},
    };
    return CHECK_SUITE(out, cases);
}
