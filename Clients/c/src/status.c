#include "civicwire/status.h"

const char *cw_code_name(int code) {
    static const char *const names[CW_CODE_MAX + 1] = {
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
        "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
        "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    };
    if (code == CW_AGAIN) return "AGAIN";
    if (code < 0 || code > CW_CODE_MAX) return "INVALID";
    return names[code];
}

cw_code cw_code_from_wire(uint32_t code) {
    return code > CW_CODE_MAX ? CW_UNKNOWN : (cw_code)code;
}
