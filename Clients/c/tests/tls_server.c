#include "tls_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fake_server.h"

static int select_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in, unsigned int inlen,
                       void *arg) {
    (void)ssl;
    (void)arg;
    for (unsigned int i = 0; i < inlen; i += 1u + in[i]) {
        if (in[i] == 11 && i + 12 <= inlen && memcmp(in + i + 1, "civicwire/1", 11) == 0) {
            *out = in + i + 1;
            *outlen = 11;
            return SSL_TLSEXT_ERR_OK;
        }
    }
    return SSL_TLSEXT_ERR_NOACK;
}

static SSL_CTX *server_context(const ts_opts *o) {
    char path[600];
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL) return NULL;
    bool ok = true;
    snprintf(path, sizeof path, "%s/%s.pem", o->certs, o->cert);
    ok = ok && SSL_CTX_use_certificate_chain_file(ctx, path) == 1;
    snprintf(path, sizeof path, "%s/%s.key", o->certs, o->cert);
    ok = ok && SSL_CTX_use_PrivateKey_file(ctx, path, SSL_FILETYPE_PEM) == 1;
    if (ok && o->require_client_cert) {
        snprintf(path, sizeof path, "%s/ca.pem", o->certs);
        ok = SSL_CTX_load_verify_locations(ctx, path, NULL) == 1;
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    }
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, NULL);
    if (!ok) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* The child: one connection, the handshake answered, then read until the client leaves. */
static int serve_one(int listener, const ts_opts *o) {
    alarm(90);
    SSL_CTX *ctx = o->cert ? server_context(o) : NULL;
    if (o->cert && ctx == NULL) return TS_SETUP_FAILED;
    int fd = accept(listener, NULL, NULL);
    if (fd < 0) return TS_SETUP_FAILED;
    fs_script hello = {0};
    fs_handshake(&hello, NULL);
    uint8_t buf[4096];
    int result = TS_OK;
    if (ctx) {
        SSL *ssl = SSL_new(ctx);
        if (ssl == NULL || SSL_set_fd(ssl, fd) != 1) return TS_SETUP_FAILED;
        if (SSL_accept(ssl) != 1) {
            result = TS_TLS_FAILED;
        } else {
            const unsigned char *proto = NULL;
            unsigned int len = 0;
            SSL_get0_alpn_selected(ssl, &proto, &len);
            if (len != 11 || memcmp(proto, "civicwire/1", 11) != 0) result = TS_WRONG_ALPN;
            if (SSL_write(ssl, hello.data, (int)hello.len) <= 0) result = TS_TLS_FAILED;
            while (SSL_read(ssl, buf, sizeof buf) > 0) {
            }
        }
        SSL_free(ssl);
        SSL_CTX_free(ctx);
    } else {
        if (send(fd, hello.data, hello.len, MSG_NOSIGNAL) != (ssize_t)hello.len) result = TS_SETUP_FAILED;
        while (recv(fd, buf, sizeof buf, 0) > 0) {
        }
    }
    fs_free(&hello);
    close(fd);
    return result;
}

bool ts_start(ts_server *s, const ts_opts *o) {
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t len;
    bool v6 = strchr(o->host, ':') != NULL;
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        if (inet_pton(AF_INET6, o->host, &a->sin6_addr) != 1) return false;
        len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        if (inet_pton(AF_INET, o->host, &a->sin_addr) != 1) return false;
        len = sizeof *a;
    }
    int listener = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) return false;
    if (bind(listener, (struct sockaddr *)&ss, len) != 0 || listen(listener, 4) != 0 ||
        getsockname(listener, (struct sockaddr *)&ss, &len) != 0) {
        close(listener);
        return false;
    }
    unsigned port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
    snprintf(s->port, sizeof s->port, "%u", port);
    fflush(NULL);
    s->pid = fork();
    if (s->pid < 0) {
        close(listener);
        return false;
    }
    if (s->pid == 0) _exit(serve_one(listener, o)); /* _exit: no leak checks or atexit in the child */
    close(listener);
    return true;
}

int ts_wait(ts_server *s) {
    for (int i = 0; i < 9000; i++) {
        int status;
        pid_t r = waitpid(s->pid, &status, WNOHANG);
        if (r == s->pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (r < 0) return -1;
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    return -1;
}
