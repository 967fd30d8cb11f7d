#include "stream.h"

cw_code stream_send(cw_call *call, const uint8_t *msg, size_t len, uint32_t *left) {
    while (*left > 0) {
        cw_code rc = cw_call_send(call, msg, len);
        if (rc != CW_OK) return rc;
        (*left)--;
    }
    return cw_call_close_send(call);
}
