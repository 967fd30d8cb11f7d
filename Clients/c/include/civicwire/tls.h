/*
 * CivicWire inside TLS (docs/PROTOCOL.md, section 1.1), with OpenSSL.
 *
 * Pass a cw_tls_opts in cw_conn_opts.tls to cw_conn_open: the TLS handshake (TLS 1.2 at
 * least, ALPN "civicwire/1") completes within connect_timeout_ms before the CivicWire
 * handshake starts. The server's certificate is verified by default: against ca_file (else
 * the system's roots) and against server_name (else the host given to cw_conn_open, a DNS
 * name or an IP address literal).
 */
#ifndef CIVICWIRE_TLS_H
#define CIVICWIRE_TLS_H

#include <stdbool.h>

typedef struct cw_tls_opts {
    const char *ca_file;     /* PEM CA certificates to trust; NULL: the system's default roots */
    const char *cert_file;   /* PEM client certificate chain for mutual TLS; NULL: none */
    const char *key_file;    /* PEM private key of cert_file */
    const char *server_name; /* name to verify and send as SNI; NULL: the host */
    bool insecure_no_verify; /* accept any server certificate: for experiments only */
} cw_tls_opts;

#endif
