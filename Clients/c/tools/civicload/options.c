#include "options.h"

#include "json_body.h"
#include "stream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "usage: civicload [options] HOST:PORT METHOD\n"
    "\n"
    "Load-tests one CivicWire method (METHOD is /pkg.Service/Method or pkg.Service/Method).\n"
    "HOST is a DNS name, an IPv4 address or a bracketed IPv6 address ([::1]:7400). Load only\n"
    "servers you run or are allowed to load.\n"
    "\n"
    "  -d, --data-file FILE   request message, binary protobuf (default: empty message);\n"
    "  -j, --json JSON        request message as JSON, encoded by civicctl (on PATH, or\n"
    "                         $CIVICLOAD_ENCODER): -j '{\"responseSize\":16}'\n"
    "  -m, --metadata K=V     request metadata, repeatable (a -bin key takes the raw bytes of V)\n"
    "  -c, --concurrency N    calls in flight (closed loop; default 10). With --rps: the most\n"
    "                         calls in flight before sending waits (default 1000)\n"
    "      --connections N    connections, calls spread round robin (default 1)\n"
    "      --rps R            open loop: start R calls/s on schedule; latency counts from the\n"
    "                         scheduled send time (no coordinated omission)\n"
    "  -n, --total N          measured calls (default 200 unless -z)\n"
    "  -z, --duration D       measure for a duration instead (10s, 500ms, 1m)\n"
    "      --warmup W         calls to skip first: a count (1000) or a duration (2s)\n"
    "  -t, --timeout D        per-call deadline (default 20s; 0 for none)\n"
    "      --trace-sample R   send a fresh W3C traceparent with this fraction of calls, 0...1\n"
    "                         (default 0), so the server's traces show a sample of the load\n"
    "      --format F         text (default), json or csv\n"
    "      --no-histogram     no latency histogram in text output\n"
    "      --progress         always print the progress line on stderr (default: when a tty)\n"
    "  -q, --quiet            no progress line\n"
    "      --tls              speak TLS (the server verified against --ca-file, else the system roots)\n"
    "      --ca-file FILE     PEM CA certificates that issued the server's certificate (implies --tls)\n"
    "      --cert FILE        PEM client certificate for mutual TLS, with --key (implies --tls)\n"
    "      --key FILE         PEM private key of --cert\n"
    "      --server-name NAME name the server's certificate must carry, and SNI (default HOST)\n"
    "      --key-field N      give every call a unique idempotency key in string field N of\n"
    "                         the request (e.g. 6 for SubmitApplication's idempotency_key)\n"
    "      --key-prefix P     keys are P followed by the call's number (default: random hex and -)\n"
    "      --retry D          resend a keyed call with the same key after UNAVAILABLE,\n"
    "                         DEADLINE_EXCEEDED or ABORTED (and keep reconnecting) for up to D\n"
    "                         after its first send, with exponential backoff and jitter\n"
    "      --ack-log FILE     write one line per keyed call as it ends: KEY CODE ATTEMPTS\n"
    "      --messages N       client streaming: send the request N times on each call, then\n"
    "                         half-close (default 1); latency runs from the call's start to its\n"
    "                         status: -n 100 --messages 50 civicgrid.v1.Diagnostics/StreamingInputCall\n"
    "  -h, --help\n"
    "\n"
    "It stops by itself at -n or -z. SIGINT/SIGTERM stops sending, waits for calls in flight\n"
    "and reports what ran (exit 1); a second one abandons the calls in flight.\n";

bool parse_duration(const char *s, int64_t *ns) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno != 0 || v < 0) return false;
    double mult;
    if (strcmp(end, "ns") == 0) mult = 1;
    else if (strcmp(end, "us") == 0) mult = 1e3;
    else if (strcmp(end, "ms") == 0) mult = 1e6;
    else if (strcmp(end, "s") == 0) mult = 1e9;
    else if (strcmp(end, "m") == 0) mult = 60e9;
    else if (strcmp(end, "h") == 0) mult = 3600e9;
    else return false;
    double r = v * mult;
    if (r > 9e18) return false;
    *ns = (int64_t)r;
    return true;
}

static bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end != 0 || errno != 0 || s[0] == '-' || v < min || v > max) return false;
    *out = v;
    return true;
}

static bool read_file(const char *path, uint8_t **data, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "civicload: %s: %s\n", path, strerror(errno));
        return false;
    }
    uint8_t *buf = malloc(MAX_REQUEST_SIZE + 1);
    size_t n = buf ? fread(buf, 1, MAX_REQUEST_SIZE + 1, f) : 0;
    bool err = buf == NULL || ferror(f);
    fclose(f);
    if (err || n > MAX_REQUEST_SIZE) {
        fprintf(stderr, "civicload: %s: %s\n", path, err ? "read failed" : "larger than 4 MiB");
        free(buf);
        return false;
    }
    free(*data);
    *data = buf;
    *len = n;
    return true;
}

static bool split_address(options *o, const char *addr) {
    const char *colon = strrchr(addr, ':');
    if (colon == NULL || colon == addr || colon[1] == 0) return false;
    size_t hlen = (size_t)(colon - addr);
    if (addr[0] == '[') { /* [::1]:port */
        if (colon[-1] != ']' || hlen < 3) return false;
        addr++;
        hlen -= 2;
    } else if (memchr(addr, ':', hlen) != NULL) {
        return false; /* an IPv6 address needs brackets: [::1]:7400 */
    }
    if (hlen >= sizeof o->host || strlen(colon + 1) >= sizeof o->port) return false;
    memcpy(o->host, addr, hlen);
    o->host[hlen] = 0;
    snprintf(o->port, sizeof o->port, "%s", colon + 1);
    return true;
}

static bool add_metadata(options *o, const char *kv) {
    const char *eq = strchr(kv, '=');
    if (eq == NULL || eq == kv || (size_t)(eq - kv) > CW_METADATA_MAX_KEY) return false;
    char key[CW_METADATA_MAX_KEY + 1];
    memcpy(key, kv, (size_t)(eq - kv));
    key[eq - kv] = 0;
    return cw_metadata_add(&o->metadata, key, eq + 1, strlen(eq + 1)) == CW_OK;
}

static bool valid_key_prefix(const char *p) {
    size_t n = strlen(p);
    if (n == 0 || n > KEY_PREFIX_MAX) return false;
    for (; *p; p++) {
        if (*p <= ' ' || *p > '~') return false;
    }
    return true;
}

/* Eight random hex digits and "-": runs that do not name a prefix never share keys. */
static void random_key_prefix(char *out, size_t cap) {
    uint32_t r = 0;
    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) r = (uint32_t)getpid() ^ (uint32_t)time(NULL);
    snprintf(out, cap, "%08x-", r);
}

static int fail(const char *what, const char *value) {
    fprintf(stderr, "civicload: %s: %s\n%s", what, value, "try civicload --help\n");
    return 2;
}

enum {
    OPT_CONNECTIONS = 256,
    OPT_RPS,
    OPT_WARMUP,
    OPT_FORMAT,
    OPT_NO_HIST,
    OPT_PROGRESS,
    OPT_TLS,
    OPT_CA_FILE,
    OPT_CERT,
    OPT_KEY,
    OPT_SERVER_NAME,
    OPT_TRACE_SAMPLE,
    OPT_KEY_FIELD,
    OPT_KEY_PREFIX,
    OPT_RETRY,
    OPT_ACK_LOG,
    OPT_MESSAGES,
};

int options_parse(options *o, int argc, char **argv) {
    memset(o, 0, sizeof *o);
    cw_metadata_init(&o->metadata);
    o->request = malloc(1);
    o->connections = 1;
    o->timeout_us = 20000000;
    o->histogram = true;
    o->progress = -1;
    o->messages = 1;
    if (o->request == NULL) return 2;
    static const struct option longs[] = {
        {"data-file", required_argument, NULL, 'd'},
        {"json", required_argument, NULL, 'j'},
        {"metadata", required_argument, NULL, 'm'},
        {"concurrency", required_argument, NULL, 'c'},
        {"connections", required_argument, NULL, OPT_CONNECTIONS},
        {"rps", required_argument, NULL, OPT_RPS},
        {"total", required_argument, NULL, 'n'},
        {"duration", required_argument, NULL, 'z'},
        {"warmup", required_argument, NULL, OPT_WARMUP},
        {"timeout", required_argument, NULL, 't'},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"no-histogram", no_argument, NULL, OPT_NO_HIST},
        {"progress", no_argument, NULL, OPT_PROGRESS},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"tls", no_argument, NULL, OPT_TLS},
        {"ca-file", required_argument, NULL, OPT_CA_FILE},
        {"cert", required_argument, NULL, OPT_CERT},
        {"key", required_argument, NULL, OPT_KEY},
        {"server-name", required_argument, NULL, OPT_SERVER_NAME},
        {"trace-sample", required_argument, NULL, OPT_TRACE_SAMPLE},
        {"key-field", required_argument, NULL, OPT_KEY_FIELD},
        {"key-prefix", required_argument, NULL, OPT_KEY_PREFIX},
        {"retry", required_argument, NULL, OPT_RETRY},
        {"ack-log", required_argument, NULL, OPT_ACK_LOG},
        {"messages", required_argument, NULL, OPT_MESSAGES},
        {NULL, 0, NULL, 0},
    };
    uint64_t u;
    int64_t d;
    int ch;
    optind = 1;
    const char *json = NULL;
    bool data_file = false;
    while ((ch = getopt_long(argc, argv, "d:j:m:c:n:z:t:qh", longs, NULL)) != -1) {
        switch (ch) {
        case 'd':
            if (!read_file(optarg, &o->request, &o->request_len)) return 2;
            data_file = true;
            break;
        case 'j': json = optarg; break;
        case 'm':
            if (!add_metadata(o, optarg)) return fail("bad metadata (want key=value, lower-case key)", optarg);
            break;
        case 'c':
            if (!parse_u64(optarg, 1, MAX_IN_FLIGHT, &u)) return fail("bad --concurrency", optarg);
            o->concurrency = (uint32_t)u;
            break;
        case OPT_CONNECTIONS:
            if (!parse_u64(optarg, 1, MAX_CONNECTIONS, &u)) return fail("bad --connections", optarg);
            o->connections = (uint32_t)u;
            break;
        case OPT_RPS: {
            char *end;
            o->rps = strtod(optarg, &end);
            if (end == optarg || *end != 0 || !(o->rps > 0 && o->rps <= 1e7)) return fail("bad --rps", optarg);
            break;
        }
        case OPT_TRACE_SAMPLE: {
            char *end;
            o->trace_sample = strtod(optarg, &end);
            if (end == optarg || *end != 0 || !(o->trace_sample >= 0 && o->trace_sample <= 1)) {
                return fail("bad --trace-sample (a fraction 0...1)", optarg);
            }
            break;
        }
        case 'n':
            if (!parse_u64(optarg, 1, UINT64_MAX / 2, &o->total)) return fail("bad -n", optarg);
            break;
        case 'z':
            if (!parse_duration(optarg, &o->duration_ns) || o->duration_ns <= 0) return fail("bad -z", optarg);
            break;
        case OPT_WARMUP:
            if (parse_u64(optarg, 0, UINT64_MAX / 2, &u)) o->warmup_calls = u;
            else if (parse_duration(optarg, &d)) o->warmup_ns = d;
            else return fail("bad --warmup (a count or a duration)", optarg);
            break;
        case 't':
            if (!parse_duration(optarg, &d) && strcmp(optarg, "0") != 0) return fail("bad --timeout", optarg);
            o->timeout_us = strcmp(optarg, "0") == 0 ? 0 : (uint64_t)(d / 1000 > 0 ? d / 1000 : 1);
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0) o->format = FORMAT_TEXT;
            else if (strcmp(optarg, "json") == 0) o->format = FORMAT_JSON;
            else if (strcmp(optarg, "csv") == 0) o->format = FORMAT_CSV;
            else return fail("bad --format (text, json or csv)", optarg);
            break;
        case OPT_NO_HIST: o->histogram = false; break;
        case OPT_PROGRESS: o->progress = 1; break;
        case 'q': o->progress = 0; break;
        case OPT_TLS: o->tls_on = true; break;
        case OPT_CA_FILE: o->tls_on = true, o->tls.ca_file = optarg; break;
        case OPT_CERT: o->tls_on = true, o->tls.cert_file = optarg; break;
        case OPT_KEY: o->tls_on = true, o->tls.key_file = optarg; break;
        case OPT_SERVER_NAME: o->tls_on = true, o->tls.server_name = optarg; break;
        case OPT_KEY_FIELD:
            if (!parse_u64(optarg, 1, KEY_FIELD_MAX, &u)) return fail("bad --key-field (a field number)", optarg);
            o->key_field = (uint32_t)u;
            break;
        case OPT_KEY_PREFIX:
            if (!valid_key_prefix(optarg)) {
                return fail("bad --key-prefix (at most 40 printable characters, no spaces)", optarg);
            }
            snprintf(o->key_prefix, sizeof o->key_prefix, "%s", optarg);
            break;
        case OPT_RETRY:
            if (!parse_duration(optarg, &o->retry_ns) || o->retry_ns <= 0) return fail("bad --retry", optarg);
            break;
        case OPT_ACK_LOG: o->ack_log = optarg; break;
        case OPT_MESSAGES:
            if (!parse_u64(optarg, 1, MAX_MESSAGES_PER_CALL, &u)) return fail("bad --messages (1 to 1000000)", optarg);
            o->messages = (uint32_t)u;
            break;
        case 'h': fputs(usage, stdout); return 1;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (argc - optind != 2) {
        fputs(usage, stderr);
        return 2;
    }
    if (!split_address(o, argv[optind])) return fail("bad address (want HOST:PORT)", argv[optind]);
    if ((o->tls.cert_file == NULL) != (o->tls.key_file == NULL)) return fail("--cert and --key go together", "");
    const char *m = argv[optind + 1];
    if (snprintf(o->method, sizeof o->method, "%s%s", m[0] == '/' ? "" : "/", m) >= (int)sizeof o->method) {
        return fail("method name too long", m);
    }
    if (json && data_file) return fail("give -d or -j, not both", "");
    if (json) {
        char err[600];
        if (!json_body_encode(o->method, json, MAX_REQUEST_SIZE, &o->request, &o->request_len, err, sizeof err)) {
            return fail("cannot encode --json", err);
        }
    }
    if (o->total && o->duration_ns) return fail("give -n or -z, not both", "");
    if (!o->total && !o->duration_ns) o->total = 200;
    if ((o->retry_ns || o->ack_log || o->key_prefix[0]) && !o->key_field) {
        return fail("--retry, --ack-log and --key-prefix need --key-field", "");
    }
    if (o->key_field && !o->key_prefix[0]) random_key_prefix(o->key_prefix, sizeof o->key_prefix);
    if (o->concurrency == 0) o->concurrency = o->rps > 0 ? 1000 : 10;
    return 0;
}

void options_free(options *o) {
    free(o->request);
    o->request = NULL;
    cw_metadata_clear(&o->metadata);
}
