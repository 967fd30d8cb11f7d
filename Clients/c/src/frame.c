#include "civicwire/frame.h"

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void cw_frame_header_encode(const cw_frame_header *h, uint8_t out[CW_FRAME_HEADER_SIZE]) {
    put32(out, h->length);
    out[4] = h->type;
    out[5] = h->flags;
    out[6] = 0;
    out[7] = 0;
    put32(out + 8, h->stream_id & CW_MAX_STREAM_ID);
}

void cw_frame_header_decode(const uint8_t in[CW_FRAME_HEADER_SIZE], cw_frame_header *h) {
    h->length = get32(in);
    h->type = in[4];
    h->flags = in[5];
    h->stream_id = get32(in + 8) & CW_MAX_STREAM_ID;
}

const char *cw_frame_type_name(uint8_t type) {
    switch (type) {
    case CW_FRAME_SETTINGS: return "SETTINGS";
    case CW_FRAME_HEADERS: return "HEADERS";
    case CW_FRAME_MESSAGE: return "MESSAGE";
    case CW_FRAME_TRAILERS: return "TRAILERS";
    case CW_FRAME_CANCEL: return "CANCEL";
    case CW_FRAME_WINDOW_UPDATE: return "WINDOW_UPDATE";
    case CW_FRAME_PING: return "PING";
    case CW_FRAME_GOAWAY: return "GOAWAY";
    case CW_FRAME_HALF_CLOSE: return "HALF_CLOSE";
    default: return "UNKNOWN";
    }
}

const char *cw_goaway_code_name(uint32_t code) {
    static const char *const names[] = {
        "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FRAME_SIZE_ERROR",
        "HANDSHAKE_TIMEOUT", "ENHANCE_YOUR_CALM", "IDLE_TIMEOUT", "UNSUPPORTED_VERSION",
    };
    return code < sizeof names / sizeof names[0] ? names[code] : "UNKNOWN";
}
