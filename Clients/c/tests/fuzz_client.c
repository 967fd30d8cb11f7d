/*
 * libFuzzer target: libcivicwire's client fed arbitrary server bytes (ops/fuzz c-client).
 *
 * The first input byte picks the start: 0 the bytes are the whole server side (preface,
 * SETTINGS, frames); 1 a valid handshake comes first and the bytes are what follows it, so
 * the fuzzer spends its time on call frames. A unary call runs against them, then the server
 * end closes. Whatever the bytes, the call must end (with some status) and the connection be
 * freed without a sanitizer report or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "fake_server.h"

#define FUZZ_MAX_INPUT 16384 /* below the socket buffer, so writing the script never blocks */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > FUZZ_MAX_INPUT) return -1; /* not kept in the corpus */
    fs_script s = {0};
    if (data[0] & 1) fs_handshake(&s, NULL);
    fs_append(&s, data + 1, size - 1);
    cw_conn *conn;
    int server_fd;
    if (!fs_pair(NULL, &conn, &server_fd)) abort();
    fs_send_split(server_fd, conn, &s, true);
    cw_call_opts co = {.timeout_micros = 200000};
    cw_unary_result r;
    cw_code code = cw_unary(conn, "/civicgrid.v1.Diagnostics/EmptyCall", "", 0, &co, &r);
    if (code < CW_OK || code > CW_CODE_MAX) abort(); /* every outcome is a gRPC status */
    cw_unary_result_free(&r);
    cw_conn_free(conn);
    close(server_fd);
    fs_free(&s);
    return 0;
}
