/* TLS under a connection's socket, with OpenSSL: the blocking client handshake of
 * cw_conn_open and the non-blocking reads and writes after it. */
#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const unsigned char alpn[] = "\x0b" "civicwire/1";

/* The most recent OpenSSL error as text, or `fallback`. */
static void ssl_error(char *err, size_t err_len, const char *what, const char *fallback) {
    unsigned long e = ERR_get_error();
    char detail[200];
    if (e != 0) ERR_error_string_n(e, detail, sizeof detail);
    else snprintf(detail, sizeof detail, "%s", fallback);
    snprintf(err, err_len, "%s: %s", what, detail);
    ERR_clear_error();
}

static bool is_ip_literal(const char *host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static SSL_CTX *make_context(const cw_tls_opts *t, char *err, size_t err_len) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL) {
        ssl_error(err, err_len, "TLS", "cannot create a context");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    bool ok = true;
    if (t->ca_file) {
        ok = SSL_CTX_load_verify_locations(ctx, t->ca_file, NULL) == 1;
        if (!ok) ssl_error(err, err_len, t->ca_file, "cannot load the CA file");
    } else {
        ok = SSL_CTX_set_default_verify_paths(ctx) == 1;
        if (!ok) ssl_error(err, err_len, "TLS", "cannot load the system's CA certificates");
    }
    if (ok && (t->cert_file != NULL) != (t->key_file != NULL)) {
        snprintf(err, err_len, "TLS: a client certificate needs its key (cert_file and key_file go together)");
        ok = false;
    }
    if (ok && t->cert_file) {
        ok = SSL_CTX_use_certificate_chain_file(ctx, t->cert_file) == 1;
        if (!ok) ssl_error(err, err_len, t->cert_file, "cannot load the client certificate");
    }
    if (ok && t->key_file) {
        ok = SSL_CTX_use_PrivateKey_file(ctx, t->key_file, SSL_FILETYPE_PEM) == 1 && SSL_CTX_check_private_key(ctx) == 1;
        if (!ok) ssl_error(err, err_len, t->key_file, "cannot load the key, or it does not fit the certificate");
    }
    if (!ok) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_verify(ctx, t->insecure_no_verify ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, NULL);
    return ctx;
}

/* What the name check and SNI use: a name goes in SNI, an address literal only in the check. */
static bool set_peer_name(SSL *ssl, const char *name, bool verify) {
    if (is_ip_literal(name)) {
        return !verify || X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) == 1;
    }
    if (SSL_set_tlsext_host_name(ssl, name) != 1) return false;
    return !verify || SSL_set1_host(ssl, name) == 1;
}

SSL *cw_tls_handshake(int fd, const cw_tls_opts *t, const char *host, int64_t end_ns, char *err, size_t err_len) {
    SSL_CTX *ctx = make_context(t, err, err_len);
    if (ctx == NULL) return NULL;
    SSL *ssl = SSL_new(ctx);
    SSL_CTX_free(ctx); /* the SSL holds its own reference */
    if (ssl == NULL) {
        ssl_error(err, err_len, "TLS", "cannot create a session");
        return NULL;
    }
    const char *name = t->server_name ? t->server_name : host;
    if (SSL_set_fd(ssl, fd) != 1 || SSL_set_alpn_protos(ssl, alpn, sizeof alpn - 1) != 0 ||
        !set_peer_name(ssl, name, !t->insecure_no_verify)) {
        ssl_error(err, err_len, "TLS", "cannot set up the session");
        SSL_free(ssl);
        return NULL;
    }
    for (;;) {
        ERR_clear_error();
        int rc = SSL_connect(ssl);
        if (rc == 1) return ssl;
        int why = SSL_get_error(ssl, rc);
        short events = why == SSL_ERROR_WANT_READ ? POLLIN : why == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
        if (events == 0) {
            long verify = SSL_get_verify_result(ssl);
            if (verify != X509_V_OK) {
                snprintf(err, err_len, "TLS handshake with %s failed: certificate verify failed: %s", name,
                         X509_verify_cert_error_string(verify));
                ERR_clear_error();
            } else {
                ssl_error(err, err_len, "TLS handshake failed", why == SSL_ERROR_SYSCALL ? "the server closed the connection" : "refused");
            }
            SSL_free(ssl);
            return NULL;
        }
        int64_t left = (end_ns - cw_now_ns()) / 1000000;
        struct pollfd pfd = {.fd = fd, .events = events};
        if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
            snprintf(err, err_len, "TLS handshake with %s timed out", name);
            SSL_free(ssl);
            return NULL;
        }
    }
}

/* Maps an SSL_read/SSL_write result to the recv/send convention: EAGAIN to wait (setting
 * *want_write when the record layer waits to write), EIO with err filled on failure. */
static ssize_t io_result(SSL *ssl, int rc, bool *want_write, char *err, size_t err_len) {
    if (rc > 0) return rc;
    int why = SSL_get_error(ssl, rc);
    switch (why) {
    case SSL_ERROR_WANT_READ:
        errno = EAGAIN;
        return -1;
    case SSL_ERROR_WANT_WRITE:
        *want_write = true;
        errno = EAGAIN;
        return -1;
    case SSL_ERROR_ZERO_RETURN:
        return 0; /* close_notify */
    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0 && errno == 0) return 0; /* EOF without close_notify */
        ssl_error(err, err_len, "TLS", errno ? strerror(errno) : "I/O error");
        errno = EIO;
        return -1;
    default:
        ssl_error(err, err_len, "TLS", "protocol error");
        errno = EIO;
        return -1;
    }
}

ssize_t cw_tls_recv(SSL *ssl, void *buf, size_t len, bool *want_write, char *err, size_t err_len) {
    ERR_clear_error();
    errno = 0;
    int n = SSL_read(ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
    return io_result(ssl, n, want_write, err, err_len);
}

ssize_t cw_tls_send(SSL *ssl, const void *buf, size_t len, bool *want_write, char *err, size_t err_len) {
    ERR_clear_error();
    errno = 0;
    int n = SSL_write(ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
    return io_result(ssl, n, want_write, err, err_len);
}

bool cw_tls_pending(SSL *ssl) {
    return SSL_pending(ssl) > 0;
}

void cw_tls_close(SSL *ssl) {
    if (ssl == NULL) return;
    (void)SSL_shutdown(ssl); /* best effort: close_notify, without waiting for the peer's */
    SSL_free(ssl);
    ERR_clear_error();
}
