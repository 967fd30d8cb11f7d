/* The CivicWire frame layer: preface, the 12-byte frame header, types and flags. */
#ifndef CIVICWIRE_FRAME_H
#define CIVICWIRE_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* Preface: magic 0x7F "CGW", major 1, minor 0, two reserved zero bytes. */
#define CW_PREFACE_SIZE 8
#define CW_PREFACE "\x7f" "CGW" "\x01\x00\x00\x00"
#define CW_VERSION_MAJOR 1
#define CW_VERSION_MINOR 0

#define CW_FRAME_HEADER_SIZE 12

enum cw_frame_type {
    CW_FRAME_SETTINGS = 0x01,
    CW_FRAME_HEADERS = 0x02,
    CW_FRAME_MESSAGE = 0x03,
    CW_FRAME_TRAILERS = 0x04,
    CW_FRAME_CANCEL = 0x05,
    CW_FRAME_WINDOW_UPDATE = 0x06,
    CW_FRAME_PING = 0x07,
    CW_FRAME_GOAWAY = 0x08,
    CW_FRAME_HALF_CLOSE = 0x09
};

#define CW_FLAG_ACK 0x01  /* SETTINGS, PING */
#define CW_FLAG_MORE 0x01 /* MESSAGE: another fragment follows */

/* GOAWAY error codes (section 2.7). */
enum cw_goaway_code {
    CW_GOAWAY_NO_ERROR = 0,
    CW_GOAWAY_PROTOCOL_ERROR = 1,
    CW_GOAWAY_INTERNAL_ERROR = 2,
    CW_GOAWAY_FRAME_SIZE_ERROR = 3,
    CW_GOAWAY_HANDSHAKE_TIMEOUT = 4,
    CW_GOAWAY_ENHANCE_YOUR_CALM = 5,
    CW_GOAWAY_IDLE_TIMEOUT = 6,
    CW_GOAWAY_UNSUPPORTED_VERSION = 7
};

/* Settings defaults and ranges (section 1.2). */
#define CW_DEFAULT_MAX_FRAME_SIZE 65536u
#define CW_MIN_MAX_FRAME_SIZE 1024u
#define CW_MAX_MAX_FRAME_SIZE 16777215u
#define CW_DEFAULT_MAX_MESSAGE_SIZE 4194304u
#define CW_DEFAULT_MAX_METADATA_SIZE 8192u
#define CW_DEFAULT_MAX_CONCURRENT_STREAMS 100u
#define CW_DEFAULT_INITIAL_WINDOW_SIZE 262144u
#define CW_MAX_WINDOW_SIZE 0x7fffffffu
#define CW_MAX_STREAM_ID 0x7fffffffu

typedef struct cw_frame_header {
    uint32_t length;
    uint8_t type;
    uint8_t flags;
    uint32_t stream_id; /* reserved top bit cleared on decode */
} cw_frame_header;

void cw_frame_header_encode(const cw_frame_header *h, uint8_t out[CW_FRAME_HEADER_SIZE]);
void cw_frame_header_decode(const uint8_t in[CW_FRAME_HEADER_SIZE], cw_frame_header *h);

/* Name of a frame type ("HEADERS"), or "UNKNOWN". */
const char *cw_frame_type_name(uint8_t type);
/* Name of a GOAWAY error code ("PROTOCOL_ERROR"), or "UNKNOWN". */
const char *cw_goaway_code_name(uint32_t code);

#endif
