/* civicload's command line. */
#ifndef CIVICLOAD_OPTIONS_H
#define CIVICLOAD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "civicwire/metadata.h"
#include "civicwire/tls.h"
#include "keyed.h"

typedef enum out_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_CSV } out_format;

#define MAX_REQUEST_SIZE (4u * 1024u * 1024u)
#define MAX_CONNECTIONS 256
#define MAX_IN_FLIGHT 100000

typedef struct options {
    char host[256];
    char port[16];
    char method[512];
    uint8_t *request; /* malloc'd, never NULL */
    size_t request_len;
    cw_metadata metadata;
    uint32_t concurrency;  /* closed loop: calls in flight; open loop: cap */
    uint32_t connections;
    double rps;            /* 0: closed loop */
    uint64_t total;        /* measured calls (-n); 0 when -z is used */
    int64_t duration_ns;   /* -z; 0 when -n is used */
    uint64_t warmup_calls;
    int64_t warmup_ns;
    uint64_t timeout_us;   /* per call; 0 none */
    double trace_sample;   /* fraction of calls sent with a fresh W3C traceparent; 0 none */
    out_format format;
    bool histogram;        /* draw the terminal histogram (text format) */
    int progress;          /* -1 auto (tty), 0 off, 1 on */
    bool tls_on;           /* --tls or any TLS file or name */
    cw_tls_opts tls;       /* its strings point into argv */
    uint32_t key_field;    /* --key-field: a unique key in this string field of every call; 0 none */
    char key_prefix[KEY_PREFIX_MAX + 1]; /* keys are prefix + call number (default: random hex + "-") */
    int64_t retry_ns;      /* --retry: resend a keyed call for this long after its first send; 0 never */
    const char *ack_log;   /* --ack-log: one line per keyed call, "KEY CODE ATTEMPTS" */
    uint32_t messages;     /* --messages: request messages per call (client streaming); default 1 */
} options;

/*
 * Parses argv into o. Returns 0 to run, 1 when help was printed, 2 on a usage
 * error (already reported on stderr). Free with options_free whatever it returns.
 */
int options_parse(options *o, int argc, char **argv);
void options_free(options *o);

/* "10s", "250ms", "1m", "1.5s", "300us" -> ns; false when malformed. */
bool parse_duration(const char *s, int64_t *ns);

#endif
