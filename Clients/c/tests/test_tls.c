/*
 * libcivicwire over TLS and to any host form: a child-process server (tls_server.c) with the
 * certificates of ops/certs (CIVICWIRE_TEST_CERTS, set by make test), on 127.0.0.1 and ::1,
 * reached by address and by the name localhost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civicwire/civicwire.h"
#include "tests.h"
#include "tls_server.h"

static const char *certs(check_ctx *t) {
    const char *dir = getenv("CIVICWIRE_TEST_CERTS");
    CHECK_MSG(t, dir != NULL, "CIVICWIRE_TEST_CERTS is not set: run the tests with make test");
    return dir;
}

typedef struct outcome {
    cw_code code;
    char err[256];
    int server; /* TS_* */
} outcome;

/* Starts `server`, opens a connection to host with `tls` (NULL: plaintext), closes it. */
static outcome connect_once(check_ctx *t, const ts_opts *server, const char *host, const cw_tls_opts *tls) {
    outcome out = {.code = CW_UNKNOWN, .server = -1};
    ts_server s;
    if (!ts_start(&s, server)) {
        CHECK_MSG(t, false, "cannot start the test server on %s", server->host);
        return out;
    }
    /* Generous: under valgrind a handshake takes seconds. */
    cw_conn_opts opts = {.connect_timeout_ms = 60000, .tls = tls};
    cw_conn *c = NULL;
    out.code = cw_conn_open(host, s.port, &opts, &c, out.err, sizeof out.err);
    if (c) {
        CHECK(t, cw_conn_state_of(c) == CW_CONN_READY);
        cw_conn_free(c);
    }
    out.server = ts_wait(&s);
    return out;
}

static void path(char *out, size_t len, const char *dir, const char *name) {
    snprintf(out, len, "%s/%s", dir, name);
}

static void tls_by_address_and_name(check_ctx *t) {
    const char *dir = certs(t);
    if (!dir) return;
    char ca[512];
    path(ca, sizeof ca, dir, "ca.pem");
    cw_tls_opts tls = {.ca_file = ca};
    const char *hosts[][2] = {{"127.0.0.1", "127.0.0.1"}, {"127.0.0.1", "localhost"}, {"::1", "::1"}};
    for (size_t i = 0; i < 3; i++) {
        ts_opts server = {.host = hosts[i][0], .certs = dir, .cert = "server"};
        outcome o = connect_once(t, &server, hosts[i][1], &tls);
        CHECK_MSG(t, o.code == CW_OK, "%s: %s", hosts[i][1], o.err);
        CHECK_MSG(t, o.server == TS_OK, "%s: server ended %d (2: no ALPN civicwire/1)", hosts[i][1], o.server);
    }
}

static void tls_refuses_untrusted_or_misnamed_server(check_ctx *t) {
    const char *dir = certs(t);
    if (!dir) return;
    char ca[512], other[512];
    path(ca, sizeof ca, dir, "ca.pem");
    path(other, sizeof other, dir, "other-ca.pem");
    ts_opts server = {.host = "127.0.0.1", .certs = dir, .cert = "server"};

    cw_tls_opts untrusted = {.ca_file = other};
    outcome o = connect_once(t, &server, "127.0.0.1", &untrusted);
    CHECK_MSG(t, o.code == CW_UNAVAILABLE && strstr(o.err, "certificate verify failed") != NULL, "%s", o.err);
    CHECK(t, o.server == TS_TLS_FAILED);

    cw_tls_opts misnamed = {.ca_file = ca, .server_name = "elsewhere.test"};
    o = connect_once(t, &server, "127.0.0.1", &misnamed);
    CHECK_MSG(t, o.code == CW_UNAVAILABLE && strstr(o.err, "certificate verify failed") != NULL, "%s", o.err);

    ts_opts wrong_name = {.host = "127.0.0.1", .certs = dir, .cert = "wrong-name"};
    cw_tls_opts by_address = {.ca_file = ca};
    o = connect_once(t, &wrong_name, "127.0.0.1", &by_address);
    CHECK_MSG(t, o.code == CW_UNAVAILABLE && strstr(o.err, "certificate verify failed") != NULL, "%s", o.err);

    /* Verification off (experiments only) accepts the same server. */
    cw_tls_opts insecure = {.ca_file = other, .insecure_no_verify = true};
    o = connect_once(t, &server, "127.0.0.1", &insecure);
    CHECK_MSG(t, o.code == CW_OK && o.server == TS_OK, "%s", o.err);
}

static void tls_client_certificate(check_ctx *t) {
    const char *dir = certs(t);
    if (!dir) return;
    char ca[512], cert[512], key[512];
    path(ca, sizeof ca, dir, "ca.pem");
    path(cert, sizeof cert, dir, "partner.pem");
    path(key, sizeof key, dir, "partner.key");
    ts_opts server = {.host = "127.0.0.1", .certs = dir, .cert = "server", .require_client_cert = true};

    cw_tls_opts with_cert = {.ca_file = ca, .cert_file = cert, .key_file = key};
    outcome o = connect_once(t, &server, "localhost", &with_cert);
    CHECK_MSG(t, o.code == CW_OK && o.server == TS_OK, "%s (server %d)", o.err, o.server);

    /* Under TLS 1.3 the refusal arrives after the client's side of the handshake: the open fails all the same. */
    cw_tls_opts without = {.ca_file = ca};
    o = connect_once(t, &server, "localhost", &without);
    CHECK_MSG(t, o.code != CW_OK && o.server == TS_TLS_FAILED, "%s (server %d)", o.err, o.server);
}

static void tls_bad_files_fail_cleanly(check_ctx *t) {
    const char *dir = certs(t);
    if (!dir) return;
    char cert[512];
    path(cert, sizeof cert, dir, "partner.pem");
    ts_opts server = {.host = "127.0.0.1", .certs = dir, .cert = "server"};
    cw_tls_opts missing = {.ca_file = "/nonexistent/ca.pem"};
    outcome o = connect_once(t, &server, "127.0.0.1", &missing);
    CHECK_MSG(t, o.code == CW_UNAVAILABLE && strstr(o.err, "/nonexistent/ca.pem") != NULL, "%s", o.err);
    cw_tls_opts no_key = {.cert_file = cert};
    o = connect_once(t, &server, "127.0.0.1", &no_key);
    CHECK_MSG(t, o.code == CW_UNAVAILABLE && strstr(o.err, "key") != NULL, "%s", o.err);
}

static void plaintext_to_tls_server_fails(check_ctx *t) {
    const char *dir = certs(t);
    if (!dir) return;
    ts_opts server = {.host = "127.0.0.1", .certs = dir, .cert = "server"};
    outcome o = connect_once(t, &server, "127.0.0.1", NULL);
    CHECK_MSG(t, o.code == CW_UNAVAILABLE && strstr(o.err, "a TLS listener does so to a plaintext client") != NULL, "%s", o.err);
    CHECK(t, o.server == TS_TLS_FAILED);
}

static void plaintext_ipv6_and_name(check_ctx *t) {
    const char *hosts[][2] = {{"::1", "::1"}, {"127.0.0.1", "localhost"}};
    for (size_t i = 0; i < 2; i++) {
        ts_opts server = {.host = hosts[i][0]};
        outcome o = connect_once(t, &server, hosts[i][1], NULL);
        CHECK_MSG(t, o.code == CW_OK && o.server == TS_OK, "%s: %s", hosts[i][1], o.err);
    }
}

size_t tls_tests(check_case *out) {
    static const check_case cases[] = {
        {"tls/by_address_and_name", tls_by_address_and_name, NULL},
        {"tls/refuses_untrusted_or_misnamed_server", tls_refuses_untrusted_or_misnamed_server, NULL},
        {"tls/client_certificate", tls_client_certificate, NULL},
        {"tls/bad_files_fail_cleanly", tls_bad_files_fail_cleanly, NULL},
        {"tls/plaintext_to_tls_server_fails", plaintext_to_tls_server_fails, NULL},
        {"hosts/plaintext_ipv6_and_name", plaintext_ipv6_and_name, NULL},
    };
    return CHECK_SUITE(out, cases);
}
